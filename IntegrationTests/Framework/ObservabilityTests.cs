using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Framework;

/// <summary>Statistics, the meter "Loop", and refusing connections past MaxConnectionsPerLoop.</summary>
public sealed class ObservabilityTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_full_loop_refuses_connections_counts_them_and_says_so(Backend backend)
    {
        var log = new CapturingLogger();
        var options = new ServerOptions { Backend = backend, LoopCount = 1, MaxConnectionsPerLoop = 2, LoggerFactory = log };
        await using var server = Server.Start(options, () => new EchoHandler());
        var kept = new List<Socket>();
        for (var i = 0; i < 2; i++)
        {
            var client = await Connect(server);
            await client.SendAsync("hi"u8.ToArray());
            Assert.Equal(2, await client.ReceiveAsync(new byte[2]).WaitAsync(TimeSpan.FromSeconds(10)));
            kept.Add(client);
        }

        using var refused = await Connect(server);
        Assert.True(await ClosedByServer(refused), "the third connection was served");
        await Wait.Until(() => server.Statistics.Rejected == 1, "the refusal to be counted");
        Assert.Contains(log.Lines, l => l.Contains("refused 1 connection(s) since the last report: 2 open"));
        Assert.Equal(2, server.Statistics.Connections);
        foreach (var client in kept) { client.Dispose(); }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_Loop_meter_reports_connections_and_bytes_per_loop(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        using (var client = await Connect(server))
        {
            await client.SendAsync(new byte[100]);
            for (var read = 0; read < 100;) { read += await client.ReceiveAsync(new byte[100]).WaitAsync(TimeSpan.FromSeconds(10)); }
        }
        await Wait.Until(() => server.Statistics.Closed == 1, "the connection to be released");

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loop") { l.EnableMeasurementEvents(instrument); }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // Several servers may live in this test process: take this one's loop by its backend tag.
            foreach (var tag in tags)
            {
                if (tag.Key == "backend" && (string?)tag.Value == server.BackendName) { seen[instrument.Name] = Math.Max(seen.GetValueOrDefault(instrument.Name), value); }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.True(seen["loop.connections.accepted"] >= 1);
        Assert.True(seen["loop.bytes.received"] >= 100);
        Assert.True(seen["loop.bytes.sent"] >= 100);
        Assert.True(seen["loop.waits"] >= 1);
        Assert.Equal(1, server.Statistics.Accepted);
        Assert.Equal(100, server.Statistics.BytesSent);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Two_servers_publish_separate_series_and_closes_by_reason(Backend backend)
    {
        var log = new CloseLog();
        await using var first = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new CommandHandler(log));
        await using var second = Server.Start(new ServerOptions { Backend = backend, LoopCount = 2 }, () => new CommandHandler(log));
        // The first server: one client that leaves. The second: two clients, one closed by its handler.
        using (var leaving = await Connect(first)) { await RoundTrip(leaving); }
        using var kept = await Connect(second);
        await RoundTrip(kept);
        using var closed = await Connect(second);
        await closed.SendAsync("close"u8.ToArray());
        Assert.Equal(0, await closed.ReceiveAsync(new byte[16]).WaitAsync(TimeSpan.FromSeconds(10)));
        await Wait.Until(() => first.Statistics.Closed == 1 && second.Statistics.Closed == 1, "both closes to be counted");

        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loop") { l.EnableMeasurementEvents(instrument); }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var all = new Dictionary<string, object?>();
            foreach (var tag in tags) { all[tag.Key] = tag.Value; }
            lock (measurements) { measurements.Add((instrument.Name, value, all)); }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        long Sum(Server server, string instrument, string? reason = null) => measurements
            .Where(m => m.Instrument == instrument && (string?)m.Tags.GetValueOrDefault("server") == server.EndPoint.ToString()
                && (reason is null || (string?)m.Tags.GetValueOrDefault("reason") == reason))
            .Sum(m => m.Value);

        Assert.Equal(1, Sum(first, "loop.connections.accepted"));
        Assert.Equal(2, Sum(second, "loop.connections.accepted"));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "loop.connections.accepted" && (string?)m.Tags["server"] == second.EndPoint.ToString()));
        Assert.All(measurements.Where(m => m.Instrument == "loop.connections.closed"), m => Assert.True(m.Tags.ContainsKey("reason")));
        Assert.Equal(1, Sum(first, "loop.connections.closed", nameof(CloseReason.PeerClosed)));
        Assert.Equal(0, Sum(first, "loop.connections.closed", nameof(CloseReason.Local)));
        Assert.Equal(1, Sum(second, "loop.connections.closed", nameof(CloseReason.Local)));
        Assert.Equal(0, Sum(second, "loop.connections.closed", nameof(CloseReason.PeerClosed)));
        Assert.Equal(1, Sum(second, "loop.connections.closed"));
    }

    private static async Task RoundTrip(Socket client)
    {
        await client.SendAsync("hi"u8.ToArray());
        for (var read = 0; read < 2;) { read += await client.ReceiveAsync(new byte[2]).WaitAsync(TimeSpan.FromSeconds(10)); }
    }

    private static async Task<Socket> Connect(Server server)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    // True when the server ends the connection (EOF or reset) without answering.
    private static async Task<bool> ClosedByServer(Socket client)
    {
        try
        {
            await client.SendAsync("x"u8.ToArray());
            return await client.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(10)) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
