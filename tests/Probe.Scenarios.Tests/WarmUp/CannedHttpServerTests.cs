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
            int length = int.Parse(answer.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.Ordinal))["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(headEnd + 4 + length, read);
        }
    }
}
