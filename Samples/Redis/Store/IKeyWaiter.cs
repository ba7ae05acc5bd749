namespace Loop.Samples.Redis.Store;

/// <summary>
/// A client blocked until one of its keys holds what it pops, as the store sees it: the keys, what it takes, and how
/// to hand over what was taken. The store knows no session or loop; the waiter brings them.
/// </summary>
internal interface IKeyWaiter
{
    IReadOnlyList<byte[]> Keys { get; }

    /// <summary>True while registered on its keys. Read and written holding the keyspace exclusively.</summary>
    bool Waiting { get; set; }

    /// <summary>
    /// True when the waiter is to be served from <paramref name="value"/>, the value at <paramref name="key"/> (null: the key
    /// is gone): a pop when it is the type it pops from, a stream reader when there is something new or (a group's) an error.
    /// </summary>
    bool TakesFrom(ReadOnlySpan<byte> key, object? value);

    /// <summary>Pops (or reads) for the waiter from <paramref name="value"/>, the value at <paramref name="key"/>.</summary>
    object? Take(Database db, ReadOnlySpan<byte> key, object? value);

    /// <summary>Puts back what <see cref="Take"/> returned, for a waiter gone before it got it.</summary>
    void PutBack(Database db, byte[] key, object taken);

    /// <summary>Hands over what was taken, on the waiter's own loop, later.</summary>
    void Served(byte[] key, object? taken);

    /// <summary>Runs <paramref name="serve"/> later, on the waiter's loop, holding the keyspace exclusively.</summary>
    void ScheduleServe(Action serve);
}
