using Loop.Protocols.Resp;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// What a popping command takes from the first of its keys holding something (BLPOP, BLMOVE, LMPOP, BZPOPMIN,
/// ZMPOP and their kin): at once when a key has it, or later for a client blocked on the keys, when a write serves
/// it (see Database.Blocking). Both paths pop and reply through here, so their replies cannot drift apart.
/// </summary>
internal interface IBlockingPop
{
    /// <summary>True when <paramref name="value"/> is the type this pop takes from; another type is WRONGTYPE at once, and not served later.</summary>
    bool TakesFrom(object value);

    /// <summary>
    /// True when a waiter is to be served now from <paramref name="value"/>, the value at <paramref name="key"/> (null: gone).
    /// A pop: when the key holds its type. A stream read decides by what the stream holds since it blocked.
    /// </summary>
    bool Serves(ReadOnlySpan<byte> key, object? value) => value is not null && TakesFrom(value);

    /// <summary>
    /// Pops from <paramref name="value"/>, the value at <paramref name="key"/>, deleting the key once emptied. Returns what
    /// <see cref="Reply"/> needs, or null when the pop cannot happen (its reply is then an error). Under the keyspace lock.
    /// </summary>
    object? Take(Database db, ReadOnlySpan<byte> key, object value);

    /// <summary>Writes the reply for what <see cref="Take"/> returned.</summary>
    void Reply(RespWriter reply, ReadOnlySpan<byte> key, object? taken);

    /// <summary>Puts back what <see cref="Take"/> returned, for a client that left before its reply was written. Under the keyspace lock.</summary>
    void Return(Database db, byte[] key, object taken);
}
