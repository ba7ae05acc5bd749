using System.Diagnostics.Metrics;

namespace Loop.Internal;

/// <summary>
/// The meter <c>Loop</c> (System.Diagnostics.Metrics), readable with <c>dotnet-counters monitor -n APP --counters Loop</c>:
/// observable instruments over every loop's counters, tagged with the server's endpoint, the loop and the backend
/// (two servers in one process publish separate series).
/// </summary>
internal sealed class LoopMetrics : IDisposable
{
    public const string MeterName = "Loop";

    private readonly Meter _meter = new(MeterName);

    public LoopMetrics(IReadOnlyList<EventLoop> loops, string backend, string server)
    {
        IEnumerable<Measurement<long>> Each(Func<EventLoop, long> read) =>
            loops.Select(l => new Measurement<long>(read(l), new("server", server), new("loop", l.Id), new("backend", backend)));
        IEnumerable<Measurement<long>> EachReason() =>
            loops.SelectMany(l => Enum.GetValues<CloseReason>().Select(r => new Measurement<long>(l.Counters.ClosedBy[(int)r],
                new("server", server), new("loop", l.Id), new("backend", backend), new("reason", r.ToString()))));

        _meter.CreateObservableUpDownCounter("loop.connections.current", () => Each(l => l.ConnectionCount), "{connection}", "Connections open");
        _meter.CreateObservableCounter("loop.connections.accepted", () => Each(l => l.Counters.Accepted), "{connection}", "Connections accepted");
        _meter.CreateObservableCounter("loop.connections.closed", EachReason, "{connection}", "Connections closed, by reason");
        _meter.CreateObservableCounter("loop.connections.rejected", () => Each(l => l.Counters.Rejected), "{connection}", "Connections refused: loop full");
        _meter.CreateObservableCounter("loop.bytes.received", () => Each(l => l.Counters.BytesReceived), "By", "Bytes received");
        _meter.CreateObservableCounter("loop.bytes.sent", () => Each(l => l.Counters.BytesSent), "By", "Bytes sent");
        _meter.CreateObservableCounter("loop.completions", () => Each(l => l.Counters.Completions), "{completion}", "Completions or ready events handled");
        _meter.CreateObservableCounter("loop.waits", () => Each(l => l.Counters.Waits), "{call}", "io_uring_enter / epoll_wait calls that waited");
        _meter.CreateObservableCounter("loop.submissions", () => Each(l => l.Counters.Submissions), "{sqe}", "SQEs submitted (io_uring)");
        _meter.CreateObservableCounter("loop.buffer_ring.empty", () => Each(l => l.Counters.BufferRingEmpty), "{event}", "Receives that found the buffer ring empty");
        _meter.CreateObservableCounter("loop.receive.pauses", () => Each(l => l.Counters.ReceivePauses), "{event}", "Receives paused for backpressure");
        _meter.CreateObservableCounter("loop.cq.overflows", () => Each(l => l.Counters.CompletionQueueOverflows), "{completion}", "Completions held back by a full completion queue (io_uring)");
    }

    public void Dispose() => _meter.Dispose();
}
