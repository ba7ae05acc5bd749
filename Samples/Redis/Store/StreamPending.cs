namespace Loop.Samples.Redis.Store;

/// <summary>An entry delivered to a consumer and not acknowledged yet (Redis's streamNACK).</summary>
internal sealed class StreamPending(StreamId id, StreamConsumer? consumer, long deliveryTimeMs, long deliveryCount)
{
    public StreamId Id { get; } = id;

    /// <summary>Who it was delivered to; null only for a moment, while XCLAIM ... FORCE creates it.</summary>
    public StreamConsumer? Consumer { get; set; } = consumer;

    /// <summary>When it was last delivered (Unix ms).</summary>
    public long DeliveryTimeMs { get; set; } = deliveryTimeMs;

    public long DeliveryCount { get; set; } = deliveryCount;
}

/// <summary>A pending entries list: by ID, in order, with O(log n) lookup and range seeks.</summary>
internal sealed class PendingList
{
    private readonly SortedSet<StreamPending> _ordered = new(ById.Instance);
    private readonly Dictionary<StreamId, StreamPending> _byId = [];

    public int Count => _byId.Count;

    public IEnumerable<StreamPending> All => _ordered;

    public StreamPending? Find(StreamId id) => _byId.GetValueOrDefault(id);

    public void Add(StreamPending pending)
    {
        _byId.Add(pending.Id, pending);
        _ordered.Add(pending);
    }

    public bool Remove(StreamId id)
    {
        if (!_byId.Remove(id, out var pending)) { return false; }
        _ordered.Remove(pending);
        return true;
    }

    public StreamPending? First => _ordered.Min;

    public StreamPending? Last => _ordered.Max;

    /// <summary>The entries from <paramref name="start"/> to <paramref name="end"/>, both included, in ID order.</summary>
    public IEnumerable<StreamPending> Range(StreamId start, StreamId end) =>
        start > end || Count == 0 ? [] : _ordered.GetViewBetween(Probe(start), Probe(end));

    private static StreamPending Probe(StreamId id) => new(id, null, 0, 0);

    private sealed class ById : IComparer<StreamPending>
    {
        public static readonly ById Instance = new();

        public int Compare(StreamPending? x, StreamPending? y) => x!.Id.CompareTo(y!.Id);
    }
}
