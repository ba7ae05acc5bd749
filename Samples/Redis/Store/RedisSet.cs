namespace Loop.Samples.Redis.Store;

/// <summary>
/// A set of byte strings. Members sit in slots of a list (what SPOP and SRANDMEMBER pick from, and SSCAN
/// walks; see <see cref="ScanSlots"/>) and a dictionary finds a member's slot by content.
/// </summary>
internal sealed class RedisSet : IRedisCollection
{
    private readonly Dictionary<byte[], int> _slots;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _slotsBySpan;
    private readonly List<byte[]> _members;

    public RedisSet() : this(new Dictionary<byte[], int>(ByteArrayComparer.Instance), [])
    {
    }

    private RedisSet(Dictionary<byte[], int> slots, List<byte[]> members)
    {
        _slots = slots;
        _slotsBySpan = slots.GetAlternateLookup<ReadOnlySpan<byte>>();
        _members = members;
    }

    public string TypeName => "set";

    public bool IsEmpty => _members.Count == 0;

    public int Count => _members.Count;

    /// <summary>Every member, in slot order.</summary>
    public IReadOnlyList<byte[]> Members => _members;

    /// <summary>The most members it has held: with <see cref="HeldNonInteger"/>, what Redis's encoding would be (<see cref="ObjectEncoding"/>).</summary>
    public int PeakCount { get; private set; }

    /// <summary>A member that is not an integer was added once: Redis would have left the intset encoding for good.</summary>
    public bool HeldNonInteger { get; private set; }

    public bool Contains(ReadOnlySpan<byte> member) => _slotsBySpan.ContainsKey(member);

    /// <summary>Adds a copy of <paramref name="member"/>; false if it was already there.</summary>
    public bool Add(ReadOnlySpan<byte> member) => !Contains(member) && Insert(member.ToArray());

    /// <summary>Adds <paramref name="member"/> itself: members are never modified, so sets may share them.</summary>
    public bool Add(byte[] member) => !Contains(member) && Insert(member);

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (!_slotsBySpan.Remove(member, out _, out var slot)) { return false; }
        var last = _members[^1];
        _members.RemoveAt(_members.Count - 1);
        if (slot < _members.Count)
        {
            _members[slot] = last;
            _slots[last] = slot;
        }
        return true;
    }

    public byte[] RandomMember() => _members[Random.Shared.Next(_members.Count)];

    /// <summary><paramref name="count"/> distinct members at random (count at most <see cref="Count"/>).</summary>
    public List<byte[]> RandomMembers(int count) => ScanSlots.RandomDistinct(_members.Count, count).Select(slot => _members[slot]).ToList();

    /// <summary>Adds members from <paramref name="cursor"/> on to <paramref name="found"/>; returns the next cursor (see <see cref="ScanSlots"/>).</summary>
    public ulong Scan(ulong cursor, int count, List<byte[]> found) => ScanSlots.Scan(_members, cursor, count, found);

    /// <summary>A copy with the same members and the same encoding, as Redis's COPY duplicates it.</summary>
    public IRedisCollection Clone() => new RedisSet(new Dictionary<byte[], int>(_slots, ByteArrayComparer.Instance), [.. _members])
    {
        PeakCount = PeakCount,
        HeldNonInteger = HeldNonInteger,
    };

    private bool Insert(byte[] member)
    {
        _slots.Add(member, _members.Count);
        _members.Add(member);
        PeakCount = Math.Max(PeakCount, _members.Count);
        if (!HeldNonInteger && !ObjectEncoding.IsInteger(member)) { HeldNonInteger = true; }
        return true;
    }
}
