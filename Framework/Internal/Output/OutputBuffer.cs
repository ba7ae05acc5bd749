namespace Loop.Internal.Output;

/// <summary>
/// A connection's unsent output: a chain of chunks written at the tail and sent from the head. Bytes never
/// move, so a send in flight can point into the head chunk while the handler keeps writing at the tail.
/// </summary>
internal sealed class OutputBuffer(ChunkPool pool)
{
    private OutputChunk? _head, _tail;

    public long Length { get; private set; }

    public OutputChunk? Head => _head;

    public Span<byte> GetSpan(int sizeHint) => Reserve(sizeHint).GetSpan()[_tail!.End..];

    public Memory<byte> GetMemory(int sizeHint) => Reserve(sizeHint).Memory[_tail!.End..];

    public void Advance(int count)
    {
        if (_tail is null || (uint)count > (uint)_tail.Free)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Advance past the span that was handed out.");
        }
        _tail.End += count;
        Length += count;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var span = GetSpan(1);
            var n = Math.Min(span.Length, data.Length);
            data[..n].CopyTo(span);
            Advance(n);
            data = data[n..];
        }
    }

    /// <summary>Drops <paramref name="count"/> sent bytes from the head, returning emptied chunks.</summary>
    public void Consume(int count)
    {
        Length -= count;
        while (count > 0)
        {
            var head = _head!;
            var n = Math.Min(count, head.Unsent);
            head.Start += n;
            count -= n;
            if (head.Unsent == 0 && (head.Next is not null || head.Free == 0)) { PopHead(); }
        }
        if (Length == 0 && _head is not null) { PopHead(); }
    }

    public void Clear()
    {
        while (_head is not null) { PopHead(); }
        Length = 0;
    }

    private OutputChunk Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_tail is null || _tail.Free < sizeHint)
        {
            var chunk = pool.Rent(sizeHint);
            if (_tail is null) { _head = chunk; } else { _tail.Next = chunk; }
            _tail = chunk;
        }
        return _tail;
    }

    private void PopHead()
    {
        var head = _head!;
        _head = head.Next;
        if (_head is null) { _tail = null; }
        pool.Return(head);
    }
}
