using System.Buffers;

namespace Loop.Samples.Redis.Replication;

/// <summary>
/// The replication stream's bytes from <see cref="Start"/> to <see cref="End"/> (offsets in the stream since it began):
/// written at the end as commands are propagated, dropped at the front once no replica needs them and more than the
/// backlog's size lies behind them. One array, compacted rather than grown while the front can go. Under the stream's lock.
/// </summary>
/// <param name="keepFrom">How far back bytes must be kept: the oldest a replica has not been sent, or the backlog's size back.</param>
internal sealed class Backlog(Func<long> keepFrom) : IBufferWriter<byte>
{
    private byte[] _bytes = new byte[1 << 16];
    private int _count;

    /// <summary>The offset of the first byte kept.</summary>
    public long Start { get; private set; }

    /// <summary>The offset after the last byte written: Redis's master_repl_offset.</summary>
    public long End => Start + _count;

    /// <summary>The bytes from <paramref name="offset"/> (at least <see cref="Start"/>) on, at most <paramref name="most"/>.</summary>
    public ReadOnlySpan<byte> From(long offset, int most)
    {
        var skip = (int)(offset - Start);
        return _bytes.AsSpan(skip, Math.Min(_count - skip, most));
    }

    public void Advance(int count) => _count += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _bytes.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _bytes.AsSpan(_count);
    }

    // Room for sizeHint more bytes: first by dropping what nobody needs, then by growing.
    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_bytes.Length - _count >= needed) { return; }
        var drop = (int)Math.Clamp(keepFrom() - Start, 0, _count);
        if (drop >= _bytes.Length / 4) // else growing is cheaper than moving almost everything

        {
            _bytes.AsSpan(drop, _count - drop).CopyTo(_bytes);
            _count -= drop;
            Start += drop;
        }
        if (_bytes.Length - _count < needed) { Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _count + needed)); }
    }
}
