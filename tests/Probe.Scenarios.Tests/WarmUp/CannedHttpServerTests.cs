using System.Net.Sockets;
using System.Text;
using Probe.Scenarios.WarmUp;

namespace Probe.Scenarios.Tests.WarmUp;

/// <summary>
/// The warm-up's canned server must answer as fast as the client can ask: every answer comes whole in one
/// segment, so a client never waits for the acknowledgement-delay dance of a body held back behind its head.
/// </summary>
public class CannedHttpServerTests
{
    [Fact]
    public async Task KeptAliveConnection_EveryAnswerArrivesWhole_InOneReceive()
    {
        await using var server = new CannedHttpServer();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", server.Address.Port);
        byte[] request = Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        byte[] buffer = new byte[4096];

        // Past a connection's first exchanges Linux delays acknowledgements: a body sent apart from its head comes
        // in a second segment, up to 40 ms later, so the first receive would hold the head alone.
        for (int i = 0; i < 30; i++)
        {
            await socket.SendAsync(request);
            int read = await socket.ReceiveAsync(buffer);
            string answer = Encoding.ASCII.GetString(buffer, 0, read);

            int headEnd = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(headEnd > 0, $"exchange {i}: no whole head in the first receive: '{answer}'");
            string? length = answer.Split("\r\n").SingleOrDefault(l => l.StartsWith("Content-Length:", StringComparison.Ordinal));
            if (length is null)
            {
                Assert.EndsWith("\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(headEnd + 4 + int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture), read);
            }
        }
    }

    [Fact]
    public async Task KeptAliveConnection_AnswersWithALengthAndChunked_InTurn()
    {
        // The warm-up's few requests must take both of the client's body readers, as real targets use both.
        await using var server = new CannedHttpServer();
        using var client = new HttpClient();
        var framings = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(server.Address, "/health"));
            string body = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("{\"status\":\"ok\"", body, StringComparison.Ordinal);
            framings.Add(response.Headers.TransferEncodingChunked == true ? "chunked" : $"length {response.Content.Headers.ContentLength}");
        }

        Assert.Equal(["length 80", "chunked", "length 80", "chunked"], framings);
    }

    [Fact]
    public async Task ConnectionPerRequest_AnswersWithALengthAndChunked_InTurn()
    {
        // A scenario with a new connection per iteration sends one request per connection: it must get both too.
        await using var server = new CannedHttpServer();
        var framings = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, "/health")) { Headers = { ConnectionClose = true } };
            using HttpResponseMessage response = await client.SendAsync(request);
            _ = await response.Content.ReadAsStringAsync();
            framings.Add(response.Headers.TransferEncodingChunked == true ? "chunked" : "length");
        }

        Assert.Equal(["length", "chunked"], framings);
    }

    [Fact]
    public async Task PipelinedRequests_WithABody_AreEachAnswered_AndCloseEndsTheConnection()
    {
        // A POST's body is not a request of its own; a request that asks to close gets its answer, then the end.
        await using var server = new CannedHttpServer();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", server.Address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /q HTTP/1.1\r\nHost: a\r\nContent-Length: 18\r\n\r\nGET / HTTP/1.1\r\n\r\n" +
            "HEAD / HTTP/1.1\r\nHost: a\r\nconnection: Keep-Alive, CLOSE\r\n\r\n"));

        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // a server that does not close fails the test, not hangs it
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        string[] answers = received.ToString().Split("HTTP/1.1 200 OK", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, answers.Length);
        Assert.Contains("{\"status\":\"ok\"", answers[0], StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", answers[1], StringComparison.Ordinal); // the answer to HEAD: a head only
    }
}
