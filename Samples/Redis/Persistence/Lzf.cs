namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// LZF as Redis stores compressed strings (lzf_c.c, lzf_d.c). The stream is a sequence of literal runs (a byte
/// 0..31 saying 1..32 bytes follow) and back references (3 bits of length, 13 bits of distance: up to 264 bytes
/// copied from up to 8 KiB back, a length of 7 taking one more byte).
/// </summary>
internal static class Lzf
{
    private const int MaxLiteralRun = 32;
    private const int MaxDistance = 1 << 13;
    private const int MinMatch = 3;
    private const int MaxMatch = 264;
    private const int HashBits = 14;

    /// <summary>The most output one input byte can give (a 264-byte reference costs 3 bytes): bounds a claimed length.</summary>
    public const int MaxExpansion = 88;

    // Where each 3-byte prefix was last seen. Never cleared: a stale position is only a candidate, and a candidate is
    // used only after its bytes are compared, so it cannot corrupt the output.
    [ThreadStatic] private static int[]? t_lastSeen;

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>; returns the bytes written, or 0 when the
    /// result does not fit (the caller sizes <paramref name="output"/> to what would be worth it).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var lastSeen = t_lastSeen ??= new int[1 << HashBits];
        int written = 0, position = 0, literalsFrom = 0;
        while (position + MinMatch <= input.Length)
        {
            var hash = Hash(input, position);
            var candidate = lastSeen[hash];
            lastSeen[hash] = position;
            var distance = position - candidate - 1;
            if (candidate >= position || distance >= MaxDistance || !input.Slice(candidate, MinMatch).SequenceEqual(input.Slice(position, MinMatch)))
            {
                position++;
                continue;
            }
            var limit = Math.Min(input.Length - position, MaxMatch);
            var length = MinMatch;
            while (length < limit && input[candidate + length] == input[position + length]) { length++; }
            if (!TryWriteLiterals(input[literalsFrom..position], output, ref written)
                || !TryWriteReference(distance, length, output, ref written))
            {
                return 0;
            }
            position += length;
            literalsFrom = position;
        }
        return TryWriteLiterals(input[literalsFrom..], output, ref written) ? written : 0;
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> into exactly <paramref name="output"/>; false when the data is corrupt or
    /// does not decompress to exactly that many bytes.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int read = 0, written = 0;
        while (read < input.Length)
        {
            int control = input[read++];
            if (control < MaxLiteralRun)
            {
                var run = control + 1;
                if (read + run > input.Length || written + run > output.Length) { return false; }
                input.Slice(read, run).CopyTo(output[written..]);
                read += run;
                written += run;
                continue;
            }
            var length = control >> 5;
            if (length == 7)
            {
                if (read >= input.Length) { return false; }
                length += input[read++];
            }
            if (read >= input.Length) { return false; }
            var from = written - ((control & 0x1f) << 8) - input[read++] - 1;
            length += 2;
            if (from < 0 || written + length > output.Length) { return false; }
            // The source may overlap what is being written ("abcabcabc..."): copy forward byte by byte then.
            if (written - from >= length) { output.Slice(from, length).CopyTo(output[written..]); }
            else { for (var i = 0; i < length; i++) { output[written + i] = output[from + i]; } }
            written += length;
        }
        return written == output.Length;
    }

    private static int Hash(ReadOnlySpan<byte> input, int position) =>
        (int)((uint)((input[position] << 16) | (input[position + 1] << 8) | input[position + 2]) * 2654435761u >> (32 - HashBits));

    private static bool TryWriteLiterals(ReadOnlySpan<byte> literals, Span<byte> output, ref int written)
    {
        while (!literals.IsEmpty)
        {
            var run = Math.Min(literals.Length, MaxLiteralRun);
            if (written + 1 + run > output.Length) { return false; }
            output[written++] = (byte)(run - 1);
            literals[..run].CopyTo(output[written..]);
            written += run;
            literals = literals[run..];
        }
        return true;
    }

    private static bool TryWriteReference(int distance, int length, Span<byte> output, ref int written)
    {
        var encoded = length - 2;
        if (written + (encoded < 7 ? 2 : 3) > output.Length) { return false; }
        output[written++] = (byte)((distance >> 8) | (Math.Min(encoded, 7) << 5));
        if (encoded >= 7) { output[written++] = (byte)(encoded - 7); }
        output[written++] = (byte)distance;
        return true;
    }
}
