using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Store;

// WATCH: sessions watching a key are marked dirty by any change to it, from any loop.
internal sealed partial class Database
{
    private readonly Dictionary<byte[], List<Session>> _watchers = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<Session>>.AlternateLookup<ReadOnlySpan<byte>> _watchersBySpan;

    public void Watch(ReadOnlySpan<byte> key, Session session)
    {
        if (!_watchersBySpan.TryGetValue(key, out var sessions)) { _watchersBySpan[key] = sessions = new List<Session>(); }
        if (!sessions.Contains(session)) { sessions.Add(session); }
    }

    public void Unwatch(ReadOnlySpan<byte> key, Session session)
    {
        if (_watchersBySpan.TryGetValue(key, out var sessions) && sessions.Remove(session) && sessions.Count == 0)
        {
            _watchersBySpan.Remove(key);
        }
    }

    /// <summary>
    /// Marks the key changed: its watchers' next EXEC fails, and clients blocked on it may be served.
    /// Commands that modify a collection in place call this.
    /// </summary>
    public void Touch(ReadOnlySpan<byte> key)
    {
        SignalReady(key);
        if (_watchers.Count == 0 || !_watchersBySpan.TryGetValue(key, out var sessions)) { return; }
        foreach (var session in sessions) { session.WatchedKeyChanged = true; }
    }

    private void TouchAll()
    {
        foreach (var sessions in _watchers.Values)
        {
            foreach (var session in sessions) { session.WatchedKeyChanged = true; }
        }
    }
}
