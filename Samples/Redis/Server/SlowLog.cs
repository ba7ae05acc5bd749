using System.Text;
using Loop.Protocols.Resp;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// SLOWLOG: the commands that took at least slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len
/// of them, recorded as Redis's slowlogCreateEntry records them. Shared by the loops behind a lock of its own: only a
/// slow command gets here, the others compare their duration with <see cref="ThresholdMicros"/> and go.
/// </summary>
internal sealed class SlowLog
{
    private const int MaxArguments = 32;
    private const int MaxArgumentBytes = 128;

    private readonly LinkedList<SlowLogEntry> _entries = new();
    private readonly RedisConfig _config;
    private long _nextId;
    private long _maxLength;

    public SlowLog(RedisConfig config)
    {
        _config = config;
        ReadSettings();
        config.Changed += name =>
        {
            if (name is "slowlog-log-slower-than" or "slowlog-max-len") { ReadSettings(); }
        };
    }

    /// <summary>A command taking this long or longer is logged; long.MaxValue when logging is off (-1).</summary>
    public long ThresholdMicros { get; private set; }

    public int Count
    {
        get { lock (_entries) { return _entries.Count; } }
    }

    /// <summary>A command's arguments as an entry shows them: at most 32, each at most 128 bytes.</summary>
    /// <param name="redacted">Which arguments show as "(redacted)" (AUTH's password), as Redis's redactClientCommandArgument hides them.</param>
    public static byte[][] Arguments(RespCommand command, Func<int, bool> redacted)
    {
        var count = Math.Min(command.Count, MaxArguments);
        var arguments = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            arguments[i] = count != command.Count && i == count - 1 ? Encoding.ASCII.GetBytes($"... ({command.Count - count + 1} more arguments)")
                : redacted(i) ? "(redacted)"u8.ToArray()
                : Truncated(command[i]);
        }
        return arguments;
    }

    /// <summary>Logs a command (its <see cref="Arguments"/>) that took <paramref name="micros"/>, at least <see cref="ThresholdMicros"/>.</summary>
    public void Add(byte[][] arguments, long micros, string peer, string clientName)
    {
        lock (_entries)
        {
            _entries.AddFirst(new SlowLogEntry(_nextId++, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), micros, arguments, peer, clientName));
            while (_entries.Count > _maxLength) { _entries.RemoveLast(); }
        }
    }

    /// <summary>The newest <paramref name="count"/> entries (all when negative).</summary>
    public SlowLogEntry[] Newest(long count)
    {
        lock (_entries) { return _entries.Take(count < 0 ? int.MaxValue : (int)Math.Min(count, int.MaxValue)).ToArray(); }
    }

    public void Reset()
    {
        lock (_entries) { _entries.Clear(); }
    }

    private static byte[] Truncated(ReadOnlySpan<byte> argument) => argument.Length <= MaxArgumentBytes ? argument.ToArray()
        : [.. argument[..MaxArgumentBytes], .. Encoding.ASCII.GetBytes($"... ({argument.Length - MaxArgumentBytes} more bytes)")];

    private void ReadSettings()
    {
        var threshold = _config.GetNumber("slowlog-log-slower-than");
        ThresholdMicros = threshold < 0 ? long.MaxValue : threshold;
        // As in Redis, a shorter slowlog-max-len trims the log at its next entry.
        lock (_entries) { _maxLength = _config.GetNumber("slowlog-max-len"); }
    }
}

/// <summary>One SLOWLOG GET entry: id, unix time, microseconds, the (shortened) arguments, the client's address and name.</summary>
internal sealed record SlowLogEntry(long Id, long Time, long Micros, byte[][] Arguments, string Peer, string ClientName);
