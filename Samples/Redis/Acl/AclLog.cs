namespace Loop.Samples.Redis.Acl;

/// <summary>Why an ACL log entry was made, as ACL LOG names it.</summary>
internal enum AclDenial { Command, Key, Channel, Auth }

/// <summary>
/// The ACL LOG (Redis's addACLLogEntry): newest first, at most acllog-max-len; an entry like one of the ten newest (same
/// reason, context, object and user, within a minute) counts up and moves to the front instead of being added.
/// </summary>
internal sealed class AclLog
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    public sealed class Entry(AclDenial reason, string context, string @object, string user)
    {
        public AclDenial Reason { get; } = reason;
        public string Context { get; } = context;
        public string Object { get; } = @object;
        public string User { get; } = user;
        public long Count { get; set; } = 1;
        public long AtMs { get; set; }
        public string ClientInfo { get; set; } = "";
    }

    public void Add(AclDenial reason, string context, string @object, string user, string clientInfo, long maxLength)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            var match = _entries.Take(10).FirstOrDefault(e =>
                e.Reason == reason && e.Context == context && e.Object == @object && e.User == user && now - e.AtMs < 60_000);
            if (match is not null)
            {
                _entries.Remove(match);
                match.Count++;
            }
            var entry = match ?? new Entry(reason, context, @object, user);
            (entry.AtMs, entry.ClientInfo) = (now, clientInfo);
            _entries.Insert(0, entry);
            while (_entries.Count > maxLength) { _entries.RemoveAt(_entries.Count - 1); }
        }
    }

    /// <summary>The newest <paramref name="count"/> entries, with their age in seconds.</summary>
    public List<(Entry Entry, double AgeSeconds)> Newest(long count)
    {
        var now = Environment.TickCount64;
        lock (_gate) { return [.. _entries.Take((int)Math.Min(count, int.MaxValue)).Select(e => (e, (now - e.AtMs) / 1000.0))]; }
    }

    public void Reset()
    {
        lock (_gate) { _entries.Clear(); }
    }
}
