namespace Loop.Samples.Redis.Store;

/// <summary>Which end of a list an element goes to or comes from (LEFT is the head, index 0).</summary>
internal enum ListEnd { Left, Right }

/// <summary>
/// A Redis list: a ring-buffer deque, so pushes and pops at either end and access by index are O(1)
/// (LPUSH/RPOP queues and LINDEX/LSET stay cheap however long the list grows).
/// </summary>
internal sealed class RedisList : IRedisCollection
{
    private byte[][] _items = new byte[4][];
    private int _head;

    public int Count { get; private set; }

    public string TypeName => "list";

    public bool IsEmpty => Count == 0;

    /// <summary>Element <paramref name="index"/> from the head (0 ≤ index &lt; Count).</summary>
    public byte[] this[int index]
    {
        get => _items[Slot(index)];
        set => _items[Slot(index)] = value;
    }

    /// <summary>Maps a Redis index (negative counts from the tail) to a position, or -1 when out of range.</summary>
    public int Position(long index)
    {
        if (index < 0) { index += Count; }
        return index >= 0 && index < Count ? (int)index : -1;
    }

    public void Push(ListEnd end, byte[] value)
    {
        if (Count == _items.Length) { Grow(); }
        if (end == ListEnd.Left)
        {
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = value;
        }
        else
        {
            _items[Slot(Count)] = value;
        }
        Count++;
    }

    /// <summary>Removes and returns the element at <paramref name="end"/>; the list must not be empty.</summary>
    public byte[] Pop(ListEnd end)
    {
        var slot = end == ListEnd.Left ? _head : Slot(Count - 1);
        var value = _items[slot];
        _items[slot] = null!;
        if (end == ListEnd.Left) { _head = (_head + 1) % _items.Length; }
        Count--;
        return value;
    }

    /// <summary>Inserts at <paramref name="index"/> (0..Count), shifting the tail: O(n), as LINSERT is in Redis.</summary>
    public void Insert(int index, byte[] value)
    {
        Push(ListEnd.Right, value);
        for (var i = Count - 1; i > index; i--) { this[i] = this[i - 1]; }
        this[index] = value;
    }

    /// <summary>First position of <paramref name="value"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < Count; i++) { if (this[i].AsSpan().SequenceEqual(value)) { return i; } }
        return -1;
    }

    /// <summary>
    /// LREM: removes elements equal to <paramref name="value"/>: the first <paramref name="count"/> from the head
    /// when positive, the last -count from the tail when negative, all of them for 0. Returns how many went.
    /// </summary>
    public int Remove(ReadOnlySpan<byte> value, long count)
    {
        var limit = count == 0 ? ulong.MaxValue : unchecked((ulong)(count > 0 ? count : -count));
        var doomed = new bool[Count];
        var removed = 0;
        for (var n = 0; n < Count && (ulong)removed < limit; n++)
        {
            var i = count < 0 ? Count - 1 - n : n;
            if (this[i].AsSpan().SequenceEqual(value)) { doomed[i] = true; removed++; }
        }
        if (removed > 0) { Keep(i => !doomed[i]); }
        return removed;
    }

    /// <summary>LTRIM: keeps positions <paramref name="start"/>..<paramref name="end"/> (within 0..Count-1, start ≤ end).</summary>
    public void Trim(int start, int end)
    {
        var fromTail = Count - 1 - end;
        for (var i = 0; i < start; i++) { Pop(ListEnd.Left); }
        for (var i = 0; i < fromTail; i++) { Pop(ListEnd.Right); }
    }

    public IRedisCollection Clone()
    {
        var copy = new RedisList();
        for (var i = 0; i < Count; i++) { copy.Push(ListEnd.Right, this[i]); }
        return copy;
    }

    // Compacts the list in place to the positions that pass, in order.
    private void Keep(Func<int, bool> keep)
    {
        var count = 0;
        for (var i = 0; i < Count; i++) { if (keep(i)) { this[count++] = this[i]; } }
        for (var i = count; i < Count; i++) { this[i] = null!; }
        Count = count;
    }

    private void Grow()
    {
        var bigger = new byte[_items.Length * 2][];
        for (var i = 0; i < Count; i++) { bigger[i] = this[i]; }
        _items = bigger;
        _head = 0;
    }

    private int Slot(int index) => (_head + index) % _items.Length;
}
