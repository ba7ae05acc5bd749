namespace Loop.Samples.Http.Database;

/// <summary>
/// The World table held in memory for <c>/cached-queries</c>: filled once at startup and only read after, so any
/// loop reads it without a lock.
/// </summary>
public sealed class WorldCache(World[] worldsById)
{
    /// <summary><paramref name="count"/> random rows.</summary>
    public World[] Random(int count)
    {
        var worlds = new World[count];
        for (var i = 0; i < count; i++) { worlds[i] = worldsById[WorldDatabase.RandomId()]; }
        return worlds;
    }
}
