using System.Net;
using System.Net.Sockets;
using System.Text;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Http;
using Probe.Scenarios.Http.Lean;
using Probe.TestUtils;
using Xunit;

namespace Probe.Scenarios.Tests.Http.Lean;

/// <summary>
/// The lean HTTP/1.1 path against a raw socket server that answers exactly as scripted, for the
/// framings and connection endings a real server may send (Kestrel covers the common ones in the
/// step tests). Every test runs on both transports (see the two classes at the end).
/// </summary>
public abstract class LeanHttpClientTests
{
    /// <summary>Sockets on Probe's epoll loops (true) or .NET's socket engine (false).</summary>
    protected abstract bool Readiness { get; }

    /// <summary>On the epoll loops: continuations on the loop's thread, as in <c>probe run</c>.</summary>
    protected virtual bool Inline => false;

    private static readonly LeanReadOptions KeepAll = new(KeepBody: true, KeepHeaders: true, MaxBodyBytes: 1 << 20);

    [Fact]
    public async Task Chunked_BodyIsJoinedAndCounted()
    {
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Test: a\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n");
        using var client = NewClient(server.Url, TimeProvider.System);
        var response = await Send(client);
        ConnectTiming connect = response.Connect;
        Assert.Equal((200, 12L, "hello, world", "a"), (response.Status, response.BodyBytes, response.Body, response.Headers!["x-test"]));
        Assert.True(connect.ConnectNs > 0, "a new connection's connect time is measured");
    }

    [Fact]
    public async Task KeepAlive_SecondRequestReusesTheConnection()
    {
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, TimeProvider.System);
        ConnectTiming first = (await Send(client)).Connect;
        LeanResponse second = await Send(client);
        ConnectTiming again = second.Connect;
        Assert.Equal("ok", second.Body);
        Assert.NotEqual(default, first);
        Assert.Equal(default, again);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task TheNextRequestAskedForInAnAnswersContinuation_IsHeldToTheEndOfTheLoopsBatch_AndTheHoldIsReported()
    {
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, TimeProvider.System);
        await Send(client); // opens the connection: a request sent when a connect completes on the loop may be held too

        // An answer that is there before the client waits for it completes on the asking thread, not on the loop's:
        // try until one continuation ran on the loop's thread (the first mostly does).
        bool sawTheLoop = false;
        for (int attempt = 0; attempt < 50 && !sawTheLoop; attempt++)
        {
            (LeanResponse first, LeanResponse second, bool onLoop) = await TwoInARowAsync(client).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal((200, 200), (first.Status, second.Status));
            Assert.Equal(0, first.SendHeld); // asked for on the test's thread (on a kept-alive connection), outside any batch

            // Inside the loop's batch the send is held, and the hold is reported (a step leaves it out of its latency); anywhere else it is not.
            Assert.Equal(onLoop && Inline, second.SendHeld > 0);
            sawTheLoop = onLoop;
        }

        Assert.Equal(Readiness && Inline, sawTheLoop);

        static async Task<(LeanResponse, LeanResponse, bool)> TwoInARowAsync(LeanHttpClient client)
        {
            await Task.Yield(); // off the loop's thread, where the last attempt may have left this test
            LeanResponse first = await Send(client).ConfigureAwait(false);
            bool onLoop = Thread.CurrentThread.Name?.StartsWith("Probe readiness", StringComparison.Ordinal) == true;
            return (first, await Send(client).ConfigureAwait(false), onLoop);
        }
    }

    [Fact]
    public async Task ServerClosedTheIdleConnection_RequestIsSentAgainOnANewOne()
    {
        // The server answers once per connection and closes it without saying so.
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", closeAfterEach: true);
        using var client = NewClient(server.Url, TimeProvider.System);
        await Send(client);
        await server.WaitForClosedAsync(1);
        LeanResponse response = await Send(client);
        Assert.Equal(200, response.Status);
        Assert.NotEqual(default, response.Connect);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ConnectionClose_BodyUntilTheEnd_AndTheConnectionIsNotReused()
    {
        await using var server = new ScriptedServer(_ => "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", closeAfterEach: true);
        using var client = NewClient(server.Url, TimeProvider.System);
        LeanResponse response = await Send(client);
        Assert.Equal("until the end", response.Body);
        await Send(client);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ConnectionHeaderListingClose_TheConnectionIsNotReused()
    {
        // Connection is a list of options: close among them ends the connection, even if the server leaves it open.
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, TimeProvider.System);
        await Send(client);
        LeanResponse second = await Send(client);
        Assert.Equal("ok", second.Body);
        Assert.NotEqual(default, second.Connect);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task BodyOverTheLimit_Throws()
    {
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + new string('x', 100));
        using var client = NewClient(server.Url, TimeProvider.System);
        await Assert.ThrowsAsync<BodyTooLargeException>(async () => await Send(client, KeepAll with { MaxBodyBytes = 10 }));
    }

    [Fact]
    public async Task HeadLargerThanTheFirstBuffer_IsRead()
    {
        string cookie = new('c', 40_000); // past the first buffer, and past the 16 KB that was the limit once
        await using var server = new ScriptedServer(_ => $"HTTP/1.1 200 OK\r\nSet-Cookie: {cookie}\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, TimeProvider.System);
        LeanResponse response = await Send(client);
        Assert.Equal(("ok", cookie), (response.Body, response.Headers!["set-cookie"]));
    }

    [Fact]
    public async Task HeadOver64KB_IsAnInvalidResponse()
    {
        await using var server = new ScriptedServer(_ => $"HTTP/1.1 200 OK\r\nSet-Cookie: {new string('c', 66_000)}\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, TimeProvider.System);
        var e = await Assert.ThrowsAsync<HttpRequestException>(async () => await Send(client));
        Assert.Equal((HttpRequestError.InvalidResponse, "the response headers are larger than 64 KB"), (e.HttpRequestError, e.Message));
    }

    [Fact]
    public async Task NotHttp_IsAProtocolViolation()
    {
        await using var server = new ScriptedServer(_ => "SSH-2.0-OpenSSH\r\n\r\n");
        using var client = NewClient(server.Url, TimeProvider.System);
        var e = await Assert.ThrowsAsync<HttpFramingException>(async () => await Send(client));
        Assert.Equal("the answer does not start with an HTTP/1.x status line", e.Message);
    }

    [Fact]
    public async Task NothingListening_IsAConnectionError()
    {
        using var client = NewClient(new Uri($"http://127.0.0.1:{Probe.TestUtils.LoopbackPorts.Free()}/"), TimeProvider.System);
        var e = await Assert.ThrowsAsync<HttpRequestException>(async () => await Send(client));
        Assert.Equal(HttpRequestError.ConnectionError, e.HttpRequestError);
    }

    [Fact]
    public void Prepare_WritesHostLengthTypeAndHeaders()
    {
        using var client = NewClient(new Uri("http://127.0.0.1:5080/"), TimeProvider.System);
        byte[] request = client.Prepare("POST", "/api/x?q=1", [KeyValuePair.Create("X-Client-Id", "c1")], "{}"u8.ToArray(), "application/json");
        Assert.Equal("POST /api/x?q=1 HTTP/1.1\r\nHost: 127.0.0.1:5080\r\nX-Client-Id: c1\r\nUser-Agent: probe\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", Encoding.UTF8.GetString(request));
    }

    [Fact]
    public void Prepare_StepsOwnHostAndContentType_ReplaceOurs()
    {
        using var client = NewClient(new Uri("http://127.0.0.1:5080/"), TimeProvider.System);
        byte[] request = client.Prepare("POST", "/", [KeyValuePair.Create("Host", "shop.example"), KeyValuePair.Create("Content-Type", "application/vnd.api+json")], "{}"u8.ToArray(), "application/json");
        Assert.Equal("POST / HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/vnd.api+json\r\nUser-Agent: probe\r\nContent-Length: 2\r\n\r\n{}", Encoding.UTF8.GetString(request));
    }

    [Fact]
    public async Task NoAnswerByTheDeadline_TheWatchdogClosesTheConnection_AndTheNextRequestGetsANewOne()
    {
        var time = new FakeTimeProvider();
        await using var server = new ScriptedServer(n => n == 1 ? null : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, time);
        Task<LeanResponse> pending = Send(client, deadline: time.GetTimestamp() + time.TimestampFrequency).AsTask();
        await server.WaitForRequestsAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(pending.IsCompleted, "not before the deadline");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        LeanResponse response = await Send(client, deadline: time.GetTimestamp() + time.TimestampFrequency);
        Assert.Equal("ok", response.Body);
        Assert.NotEqual(default, response.Connect);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task AFinishedExchangesDeadline_NeverClosesTheNextExchangeOnThatConnection()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource();
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = NewClient(server.Url, time);
        await Send(client, deadline: time.GetTimestamp() + time.TimestampFrequency);
        server.Hold = release.Task;
        Task<LeanResponse> second = Send(client, deadline: time.GetTimestamp() + (10 * time.TimestampFrequency)).AsTask();
        await server.WaitForRequestsAsync(2);
        time.Advance(TimeSpan.FromSeconds(2)); // the first deadline passes: the watchdog wakes and must leave the second exchange alone
        release.SetResult();
        LeanResponse response = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ok", response.Body);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task LargeBodiesBothWays_AreSentWhole_CountedExactly_AndTheConnectionStaysInStep()
    {
        // 16 MB is more than loopback's socket buffers hold, so sending must wait for the server to read.
        const int Up = 16 << 20;
        const int Down = 3 << 20;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task<long[]> server = ServeLargeAsync(listener, Up, Down, answers: 2);
        using var client = NewClient(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"), TimeProvider.System);
        byte[] request = client.Prepare("POST", "/", [], new byte[Up], "application/octet-stream");
        var countOnly = new LeanReadOptions(KeepBody: false, KeepHeaders: false, MaxBodyBytes: 1 << 30);

        LeanResponse first = await Send(client, request, countOnly).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        LeanResponse second = await Send(client, request, countOnly).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((200, (long)Down), (first.Status, first.BodyBytes));
        Assert.Equal((200, (long)Down), (second.Status, second.BodyBytes));
        Assert.Equal(default, second.Connect); // the same connection: neither side lost a byte
        long[] read = await server.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new long[] { Up, Up }, read);
    }

    [Fact]
    public async Task Cancelled_WhileWaitingForTheAnswer_ThrowsCancellation()
    {
        await using var server = new ScriptedServer(_ => null);
        using var client = NewClient(server.Url, TimeProvider.System);
        using var cancellation = new CancellationTokenSource();
        Task<LeanResponse> pending = client.SendAsync(Request(client), KeepAll, TimeProvider.System.GetTimestamp() + (60 * TimeProvider.System.TimestampFrequency), cancellation.Token).AsTask();
        await server.WaitForRequestsAsync(1);
        Assert.False(pending.IsCompleted, "no answer yet");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task NewConnectionPerIteration_AtTheCap_ConnectionsKeptForUsersGiveWayToOneWhoWaits()
    {
        // Users 2 and 3 hold both of the cap's connections after their iterations, as after a ramp down
        // to two users: user 0's request must get a room, not wait for users who may not come back.
        await using var server = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = new LeanHttpClient(server.Url, TimeProvider.System, Readiness, Inline, new LeanPolicy(null, NewConnectionPerIteration: true, MaxConnections: 2));
        await Send(client, iteration: new IterationKey(2, 0));
        await Send(client, iteration: new IterationKey(3, 0));

        LeanResponse answer = await Send(client, deadline: TimeProvider.System.GetTimestamp() + (5 * TimeProvider.System.TimestampFrequency), iteration: new IterationKey(0, 0));

        Assert.Equal("ok", answer.Body);
        await server.WaitForClosedAsync(1); // a kept connection gave way: the cap of 2 holds
        Assert.Equal(3, server.Connections);
    }

    private LeanHttpClient NewClient(Uri target, TimeProvider time) => new(target, time, Readiness, Inline);

    /// <summary>Reads each request's body to the end (its length from the head), then answers with <paramref name="down"/> bytes; returns the body sizes it read.</summary>
    private static async Task<long[]> ServeLargeAsync(TcpListener listener, int up, int down, int answers)
    {
        using Socket socket = await listener.AcceptSocketAsync();
        byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {down}\r\n\r\n");
        byte[] answer = [.. head, .. new byte[down]];
        var buffer = new byte[64 * 1024];
        var sizes = new List<long>();
        int have = 0;
        while (sizes.Count < answers)
        {
            int headEnd;
            while ((headEnd = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8)) < 0)
            {
                have += await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None);
            }

            long body = have - (headEnd + 4);
            while (body < up)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                Assert.True(read > 0, "the client closed mid-body");
                body += read;
            }

            Assert.Equal(up, body); // one request at a time: nothing of a next request came along
            sizes.Add(body);
            have = 0;
            await socket.SendAsync(answer, SocketFlags.None);
        }

        return [.. sizes];
    }

    private static ValueTask<LeanResponse> Send(LeanHttpClient client, byte[] request, LeanReadOptions options) =>
        client.SendAsync(request, options, TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency), default);

    private static ValueTask<LeanResponse> Send(LeanHttpClient client, LeanReadOptions? options = null, long? deadline = null, IterationKey iteration = default) =>
        client.SendAsync(Request(client), options ?? KeepAll, deadline ?? TimeProvider.System.GetTimestamp() + (10 * TimeProvider.System.TimestampFrequency), default, iteration);

    private static byte[] Request(LeanHttpClient client) => client.Prepare("GET", "/", [], null, null);

    /// <summary>Answers each request (a head ending in an empty line) with the scripted text, or not at all when the script says null.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<int, string?> _answer;
        private readonly bool _closeAfterEach;
        private readonly Task _accepting;
        private readonly SemaphoreSlim _closed = new(0);
        private readonly SemaphoreSlim _requests = new(0);
        private int _connections;

        public ScriptedServer(Func<int, string?> answer, bool closeAfterEach = false)
        {
            _answer = answer;
            _closeAfterEach = closeAfterEach;
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri Url { get; }

        public int Connections => Volatile.Read(ref _connections);

        /// <summary>Answers wait for this task: a test holds an answer back while it moves time.</summary>
        public Task Hold { get; set; } = Task.CompletedTask;

        public async Task WaitForClosedAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                await _closed.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        public async Task WaitForRequestsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _requests.WaitAsync(TimeSpan.FromSeconds(10)), "the server saw the request");
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped (InvalidOperationException: stopped between one accept and the next).
            }
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync();
                int n = Interlocked.Increment(ref _connections);
                _ = ServeAsync(socket, n);
            }
        }

        private async Task ServeAsync(Socket socket, int n)
        {
            using (socket)
            {
                var buffer = new byte[8192];
                var seen = new StringBuilder();
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    if (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    seen.Clear();
                    _requests.Release();
                    if (_answer(n) is not { } answer)
                    {
                        continue; // silent: the client's deadline must end it
                    }

                    await Hold;
                    await socket.SendAsync(Encoding.UTF8.GetBytes(answer), SocketFlags.None);
                    if (_closeAfterEach)
                    {
                        break;
                    }
                }
            }

            _closed.Release();
        }
    }
}

/// <summary>The lean client on Probe's own epoll loops, as it runs on Linux.</summary>
public sealed class LeanHttpClientOnReadinessLoopsTests : LeanHttpClientTests
{
    protected override bool Readiness => true;
}

/// <summary>The lean client on Probe's own epoll loops with continuations on the loop's thread (or on whichever thread signals), as <c>probe run</c> has it.</summary>
public sealed class LeanHttpClientOnReadinessLoopsInlineTests : LeanHttpClientTests
{
    protected override bool Readiness => true;

    protected override bool Inline => true;
}

/// <summary>The lean client on .NET's socket engine, as it runs where there is no epoll.</summary>
public sealed class LeanHttpClientOnDotnetSocketsTests : LeanHttpClientTests
{
    protected override bool Readiness => false;
}
