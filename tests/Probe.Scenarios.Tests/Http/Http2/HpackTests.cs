using Probe.Scenarios.Http;
using Probe.Scenarios.Http.Http2;

namespace Probe.Scenarios.Tests.Http.Http2;

/// <summary>The HPACK decoder against RFC 7541's own examples (Appendix C.4: requests with Huffman coding, one table across three blocks), and what it refuses.</summary>
public class HpackTests
{
    [Fact]
    public void Decode_Rfc7541AppendixC4_ThreeRequestsShareTheTable()
    {
        var decoder = new HpackDecoder();

        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")], Decode(decoder, "828684418cf1e3c2e5f23a6ba0ab90f4ff"));
        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")], Decode(decoder, "828684be5886a8eb10649cbf"));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
            Decode(decoder, "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"));
    }

    [Fact]
    public void EncodeRequest_DecodesToTheSameFields()
    {
        byte[] block = Hpack.EncodeRequest("POST", "https", "api.example:8443", "/v1/chat?x=1", [KeyValuePair.Create("Authorization", "Bearer t"), KeyValuePair.Create("X-Trace", "é"), KeyValuePair.Create("Connection", "close")]);

        Assert.Equal(
            [(":method", "POST"), (":scheme", "https"), (":authority", "api.example:8443"), (":path", "/v1/chat?x=1"), ("authorization", "Bearer t"), ("x-trace", "é")],
            Decode(new HpackDecoder(), Convert.ToHexString(block)));
    }

    [Theory]
    [InlineData("c0", "table entry 64")] // an index past both tables
    [InlineData("418cf1e3", "past the end")] // a string longer than the block
    [InlineData("4183ffffff", "not valid")] // a Huffman string holding EOS
    [InlineData("3fe21f", "dynamic table size update")] // a size past 4,096
    public void Decode_MalformedBlock_IsAFramingError(string hex, string says)
    {
        var e = Assert.Throws<HttpFramingException>(() => Decode(new HpackDecoder(), hex));
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
    }

    private static (string, string)[] Decode(HpackDecoder decoder, string hex)
    {
        var fields = new List<(string, string)>();
        decoder.Decode(Convert.FromHexString(hex), (name, value) => fields.Add((name, value)));
        return [.. fields];
    }
}
