using System.Buffers;
using static Loop.Samples.Redis.Store.HyperLogLogOpcodes;

namespace Loop.Samples.Redis.Store;

/// <summary>
/// One command's changes to a stored HLL string (PFADD, PFMERGE). A dense HLL is changed where it lies, so raising
/// its registers allocates nothing. A sparse one is edited in a pooled buffer with room to grow, opcode by opcode as
/// Redis edits it, so the bytes come out the same; it turns dense when a register needs more than a VAL holds or the
/// string would grow past hll-sparse-max-bytes. <see cref="Result"/> gives the string to keep; <see cref="Dispose"/>
/// returns the buffer.
/// </summary>
internal struct HyperLogLogUpdate : IDisposable
{
    // The most an edit adds: an XZERO split into XZERO VAL XZERO, written from an opcode that may be the last byte.
    private const int EditRoom = 5;

    private readonly byte[] _stored;
    private readonly long _sparseMaxBytes;
    private byte[] _bytes;
    private int _length;
    private byte[]? _rented;

    public HyperLogLogUpdate(byte[] stored, long sparseMaxBytes)
    {
        _stored = _bytes = stored;
        _length = stored.Length;
        _sparseMaxBytes = sparseMaxBytes;
        if (!HyperLogLog.IsDense(stored)) { Grow(_length + EditRoom); }
    }

    public readonly bool IsDense => HyperLogLog.IsDense(_bytes);

    /// <summary>
    /// Raises register <paramref name="index"/> to <paramref name="count"/>: 1 when it changed, 0 when it held as
    /// much already, -1 when the sparse opcodes are corrupt.
    /// </summary>
    public int Raise(int index, int count)
    {
        if (IsDense) { return HyperLogLog.RaiseDenseRegister(_bytes.AsSpan(HyperLogLog.HeaderSize), index, count) ? 1 : 0; }
        return count > HyperLogLog.SparseValueMax ? Promote(index, count) : RaiseSparse(index, count);
    }

    /// <summary>Turns a sparse HLL dense (the header kept); false when its opcodes are corrupt.</summary>
    public bool TryMakeDense()
    {
        if (IsDense) { return true; }
        if (HyperLogLog.ToDense(_bytes.AsSpan(0, _length)) is not { } dense) { return false; }
        ReturnBuffer();
        _bytes = dense;
        _length = dense.Length;
        return true;
    }

    public readonly void InvalidateCache() => HyperLogLog.InvalidateCache(_bytes);

    /// <summary>
    /// The HLL now: the stored array itself when it was changed in place or its new bytes are as long (copied back),
    /// else a new array to store in its place.
    /// </summary>
    public readonly byte[] Result()
    {
        if (_bytes == _stored || _rented is null) { return _bytes; }
        var bytes = _bytes.AsSpan(0, _length);
        if (_length != _stored.Length) { return bytes.ToArray(); }
        bytes.CopyTo(_stored);
        return _stored;
    }

    public void Dispose() => ReturnBuffer();

    // Redis's hllSparseSet: find the opcode covering the register, rewrite it (split into up to three opcodes when it
    // covers more), then merge equal neighbouring VALs.
    private int RaiseSparse(int index, int count)
    {
        var bytes = _bytes.AsSpan(0, _length);
        int at = HyperLogLog.HeaderSize, first = 0, span = 0, size = 0, previous = -1;
        while (at < bytes.Length)
        {
            span = LengthAt(bytes, at, out size);
            if (index < first + span) { break; }
            previous = at;
            at += size;
            first += span;
        }
        if (span == 0 || at >= bytes.Length) { return -1; }

        var op = bytes[at];
        if (IsVal(op) && ValValue(op) >= count) { return 0; }
        if (span == 1 && !IsXZero(op))
        {
            bytes[at] = Val(count, 1);
            return Updated(previous);
        }

        Span<byte> replacement = stackalloc byte[EditRoom];
        var written = 0;
        int before = index - first, after = first + span - 1 - index;
        if (IsVal(op))
        {
            if (before > 0) { replacement[written++] = Val(ValValue(op), before); }
            replacement[written++] = Val(count, 1);
            if (after > 0) { replacement[written++] = Val(ValValue(op), after); }
        }
        else
        {
            if (before > 0) { written += WriteZeros(replacement[written..], before); }
            replacement[written++] = Val(count, 1);
            if (after > 0) { written += WriteZeros(replacement[written..], after); }
        }
        var delta = written - size;
        if (delta > 0 && _length + delta > _sparseMaxBytes) { return Promote(index, count); }
        Grow(_length + EditRoom);
        var next = at + size;
        if (delta != 0 && next < _length) { _bytes.AsSpan(next, _length - next).CopyTo(_bytes.AsSpan(next + delta)); }
        replacement[..written].CopyTo(_bytes.AsSpan(at));
        _length += delta;
        return Updated(previous);
    }

    // Up to five opcodes from the one before the change: two VALs of one value that fit one opcode become one.
    private int Updated(int previous)
    {
        var at = previous >= 0 ? previous : HyperLogLog.HeaderSize;
        for (var scan = 0; at < _length && scan < 5; scan++)
        {
            var op = _bytes[at];
            if (!IsVal(op))
            {
                at += IsXZero(op) ? 2 : 1;
                continue;
            }
            if (at + 1 < _length && IsVal(_bytes[at + 1]) && ValValue(op) == ValValue(_bytes[at + 1])
                && ValLength(op) + ValLength(_bytes[at + 1]) <= ValMaxLength)
            {
                _bytes[at + 1] = Val(ValValue(op), ValLength(op) + ValLength(_bytes[at + 1]));
                _bytes.AsSpan(at + 1, _length - at - 1).CopyTo(_bytes.AsSpan(at));
                _length--;
                continue; // the merged VAL may merge with the next one too
            }
            at++;
        }
        InvalidateCache();
        return 1;
    }

    // A register sparse cannot hold, or a string grown too long: the HLL turns dense and the register is raised there.
    private int Promote(int index, int count)
    {
        if (!TryMakeDense()) { return -1; }
        return Raise(index, count);
    }

    // Makes the buffer a pooled copy of the string with room for at least `capacity` bytes.
    private void Grow(int capacity)
    {
        if (_rented is not null && _rented.Length >= capacity) { return; }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 2 * _length));
        _bytes.AsSpan(0, _length).CopyTo(buffer);
        ReturnBuffer();
        _bytes = _rented = buffer;
    }

    private void ReturnBuffer()
    {
        if (_rented is null) { return; }
        ArrayPool<byte>.Shared.Return(_rented);
        _rented = null;
    }
}
