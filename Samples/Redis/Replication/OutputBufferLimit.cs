using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Replication;

/// <summary>Reads client-output-buffer-limit's replica class ("normal 0 0 0 slave 268435456 67108864 60 ..."), as Redis's config does.</summary>
internal static class OutputBufferLimit
{
    private sealed record Parsed(string Text, long Hard, long Soft, long SoftSeconds);

    private static volatile Parsed _last = new("", 0, 0, 0);

    /// <summary>The replica class's hard limit, soft limit (bytes, 0: none) and soft seconds; the last answer is kept for the same text.</summary>
    public static (long Hard, long Soft, long SoftSeconds) Replica(string text)
    {
        var last = _last;
        if (!ReferenceEquals(last.Text, text))
        {
            last = new Parsed(text, 0, 0, 0);
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i + 3 < words.Length; i += 4)
            {
                if (words[i] is not ("slave" or "replica")) { continue; }
                last = new Parsed(text, Bytes(words[i + 1]), Bytes(words[i + 2]), long.TryParse(words[i + 3], out var seconds) ? seconds : 0);
            }
            _last = last;
        }
        return (last.Hard, last.Soft, last.SoftSeconds);
    }

    private static long Bytes(string word) => ConfigMemory.TryParse(word, out var bytes) ? (long)Math.Min(bytes, long.MaxValue) : 0;
}
