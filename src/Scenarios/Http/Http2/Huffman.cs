namespace Probe.Scenarios.Http.Http2;

/// <summary>
/// HPACK's static Huffman code (RFC 7541 section 5.2 and Appendix B), decoding only: Probe writes its
/// own header strings raw. The code is canonical — within a length, codes rise with the symbol, and
/// each length's first code follows the last of the shorter ones — so the appendix is fully given by
/// each symbol's code length, which is the one table here; everything else is derived from it.
/// </summary>
internal static class Huffman
{
    private const int Eos = 256;

    // Code length in bits of symbols 0–255 and EOS (256), from RFC 7541 Appendix B.
    private static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private const int MaxLength = 30;

    // Per length: how many codes, the first code, and where its symbols start in Sorted.
    private static readonly int[] Count = new int[MaxLength + 1];
    private static readonly uint[] First = new uint[MaxLength + 1];
    private static readonly int[] Start = new int[MaxLength + 1];
    private static readonly int[] Sorted = Enumerable.Range(0, Lengths.Length).OrderBy(s => Lengths[s]).ThenBy(s => s).ToArray();

    static Huffman()
    {
        foreach (byte length in Lengths)
        {
            Count[length]++;
        }

        uint code = 0;
        int index = 0;
        for (int length = 1; length <= MaxLength; length++)
        {
            First[length] = code;
            Start[length] = index;
            code = (code + (uint)Count[length]) << 1;
            index += Count[length];
        }
    }

    /// <summary>Decodes <paramref name="encoded"/> into <paramref name="into"/>; false when it is not a valid HPACK Huffman string (EOS inside, or padding that is not a short run of ones).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, List<byte> into)
    {
        uint code = 0;
        int length = 0;
        foreach (byte b in encoded)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                if (length > MaxLength)
                {
                    return false;
                }

                uint offset = code - First[length];
                if (code >= First[length] && offset < (uint)Count[length])
                {
                    int symbol = Sorted[Start[length] + (int)offset];
                    if (symbol == Eos)
                    {
                        return false;
                    }

                    into.Add((byte)symbol);
                    code = 0;
                    length = 0;
                }
            }
        }

        // Padding: fewer than 8 bits, all ones (the start of EOS).
        return length < 8 && code == (1u << length) - 1;
    }
}
