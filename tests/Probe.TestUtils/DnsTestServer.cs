using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Probe.TestUtils;

/// <summary>
/// A tiny authoritative DNS server on a loopback UDP port for dns step tests: it answers A, AAAA, TXT
/// and CNAME questions from its records (RFC 1035 wire format), NXDOMAIN for names it does not know,
/// SERVFAIL for names told to fail, nothing at all for names told to be silent, and sets the AD flag
/// when told the zone is signed.
/// </summary>
public sealed class DnsTestServer : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Dictionary<(string Name, ushort Type), List<string>> _records = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private DnsTestServer() => _serving = ServeAsync();

    public IPEndPoint Endpoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary>Whether answers carry the AD (authenticated data) flag.</summary>
    public bool Signed { get; set; }

    /// <summary>Names answered with SERVFAIL.</summary>
    public HashSet<string> Failing { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Names never answered.</summary>
    public HashSet<string> Silent { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static DnsTestServer Start() => new();

    /// <summary>Adds a record: type A, AAAA, TXT or CNAME; the value an address, text or a host name.</summary>
    public DnsTestServer Add(string name, string type, string value)
    {
        ushort code = type switch { "A" => 1, "CNAME" => 5, "TXT" => 16, "AAAA" => 28, _ => throw new ArgumentException($"unsupported type {type}", nameof(type)) };
        (string, ushort) key = (name.ToLowerInvariant().TrimEnd('.'), code);
        if (!_records.TryGetValue(key, out List<string>? values))
        {
            _records[key] = values = [];
        }

        values.Add(value);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult query = await _udp.ReceiveAsync(_stop.Token);
            if (Answer(query.Buffer) is { } answer)
            {
                await _udp.SendAsync(answer, query.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        // The question: labels up to a zero byte, then type and class.
        int at = 12;
        var labels = new List<string>();
        while (query[at] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, at + 1, query[at]));
            at += query[at] + 1;
        }

        string name = string.Join('.', labels).ToLowerInvariant();
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(at + 1));
        int questionEnd = at + 5;
        if (Silent.Contains(name))
        {
            return null;
        }

        bool known = _records.Keys.Any(k => k.Name == name);
        List<string> values = _records.GetValueOrDefault((name, type)) ?? [];
        byte rcode = Failing.Contains(name) ? (byte)2 : known ? (byte)0 : (byte)3;
        var answer = new List<byte>(query.AsSpan(0, questionEnd).ToArray());
        answer[2] = (byte)(0x84 | (query[2] & 0x01)); // QR, AA, and the query's RD
        answer[3] = (byte)(0x80 | (Signed ? 0x20 : 0) | rcode); // RA, AD when signed, the response code
        answer[6] = 0;
        answer[7] = rcode == 0 ? (byte)values.Count : (byte)0;
        answer[8] = answer[9] = answer[10] = answer[11] = 0; // no authority or additional records
        foreach (string value in rcode == 0 ? values : [])
        {
            byte[] data = type switch
            {
                1 or 28 => IPAddress.Parse(value).GetAddressBytes(),
                16 => [(byte)value.Length, .. Encoding.ASCII.GetBytes(value)],
                _ => Name(value),
            };
            answer.AddRange([0xC0, 0x0C]); // the name: a pointer to the question's
            answer.AddRange([(byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0x0E, 0x10, (byte)(data.Length >> 8), (byte)data.Length]);
            answer.AddRange(data);
        }

        return [.. answer];
    }

    private static byte[] Name(string host) =>
        [.. host.TrimEnd('.').Split('.').SelectMany(label => new[] { (byte)label.Length }.Concat(Encoding.ASCII.GetBytes(label))), 0];
}
