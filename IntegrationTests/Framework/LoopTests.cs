using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Framework;

public sealed class LoopTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Post_runs_on_the_loop_thread_in_order(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 2 }, () => new EchoHandler());
        foreach (var loop in server.Loops)
        {
            var seen = new List<int>();
            for (var i = 0; i < 100; i++)
            {
                var n = i;
                loop.Post(() => { Assert.True(loop.IsLoopThread); seen.Add(n); });
            }
            Assert.Equal(100, await Wait.OnLoop(loop, () => seen.Count));
            Assert.Equal(Enumerable.Range(0, 100), seen);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Timers_fire_in_due_order_and_cancelled_ones_never(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var fired = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            loop.Schedule(TimeSpan.FromMilliseconds(60), () => { fired.Add("late"); done.SetResult(); });
            loop.Schedule(TimeSpan.FromMilliseconds(20), () => fired.Add("early"));
            loop.Schedule(TimeSpan.FromMilliseconds(40), () => fired.Add("cancelled")).Cancel();
        });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["early", "late"], fired);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_repeating_timer_fires_until_cancelled(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var firings = new long[1];
        var timer = await Wait.OnLoop(loop, () => loop.Every(TimeSpan.FromMilliseconds(5), () => Interlocked.Increment(ref firings[0])));
        await Wait.Until(() => Volatile.Read(ref firings[0]) >= 5, "five firings");

        var atCancel = await Wait.OnLoop(loop, () => { timer.Cancel(); return firings[0]; });
        // A one-shot due after several more periods: once it fired, the cancelled timer would have too.
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() => loop.Schedule(TimeSpan.FromMilliseconds(50), later.SetResult));
        await later.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(atCancel, Volatile.Read(ref firings[0]));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task A_repeating_timer_allocates_nothing_when_it_fires(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var firings = new long[1];
        await Wait.OnLoop(loop, () => loop.Every(TimeSpan.FromMilliseconds(2), () => Interlocked.Increment(ref firings[0])));
        await Wait.Until(() => Volatile.Read(ref firings[0]) >= 5, "five firings"); // warm up

        var before = await Wait.AllocatedOnLoopThread(loop);
        var from = Volatile.Read(ref firings[0]);
        await Wait.Until(() => Volatile.Read(ref firings[0]) >= from + 50, "fifty more firings");
        var after = await Wait.AllocatedOnLoopThread(loop);

        Assert.Equal(0, after - before);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_timer_set_late_in_a_batch_bounds_the_next_wait_of_an_idle_loop(Backend backend)
    {
        // The echo server sets no timers of its own, so nothing but this timer can end the loop's wait.
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var armed = false;
        loop.Post(() =>
        {
            armed = true;
            // Hooks before sends run after the batch's posted work and timers: the timer is set after those.
            loop.BeforeSends(() =>
            {
                if (!armed) { return; }
                armed = false;
                loop.Schedule(TimeSpan.FromMilliseconds(20), fired.SetResult);
            });
        });
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Before_sends_runs_after_a_batch_with_its_replies_written_and_not_yet_sent(Backend backend)
    {
        Connection? served = null;
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 },
            () => new EchoingHandler(connection => served = connection));
        var loop = server.Loops[0];
        var pendingSeen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Wait.OnLoop(loop, () =>
        {
            loop.BeforeSends(() => { if (served is { } connection) { pendingSeen.TrySetResult(connection.PendingOutputBytes); } });
            return true;
        });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoint);
        await client.SendAsync(new byte[100]);
        Assert.Equal(100, await pendingSeen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var reply = new byte[100];
        Assert.Equal(100, await client.ReceiveAsync(reply));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WriteFile_writes_at_the_offset_and_reports_on_the_loop_or_the_errno(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var path = Path.GetTempFileName();
        try
        {
            using (var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
            {
                var data = new byte[100_000];
                Random.Shared.NextBytes(data);
                var (result, onLoop) = await WriteAsync(loop, file, 10, data, sync: true);
                Assert.Equal((data.Length, true), (result, onLoop));
                var (empty, _) = await WriteAsync(loop, file, 0, ReadOnlyMemory<byte>.Empty, sync: true);
                Assert.Equal(0, empty);
                var written = await File.ReadAllBytesAsync(path);
                Assert.Equal(new byte[10].Concat(data), written);
            }
            using var readOnly = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var (refused, _) = await WriteAsync(loop, readOnly, 0, new byte[10], sync: false);
            Assert.Equal(-9, refused); // EBADF: not open for writing
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WriteFile_says_on_the_loop_when_the_data_is_written_before_its_sync_completes(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
            var events = new List<string>();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            loop.Post(() =>
            {
                loop.WriteFile(file, 0, new byte[50_000], sync: true,
                    completed: result => { events.Add($"completed {result} {loop.IsLoopThread}"); done.SetResult(); },
                    written: () => events.Add($"written {new FileInfo(path).Length} {loop.IsLoopThread}"));
            });
            await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(["written 50000 True", "completed 50000 True"], events);

            var unsynced = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var told = false;
            loop.Post(() => loop.WriteFile(file, 0, new byte[10], sync: false, completed: _ => unsynced.SetResult(told), written: () => told = true));
            Assert.False(await unsynced.Task.WaitAsync(TimeSpan.FromSeconds(10))); // nothing to overlap: only the completion
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Result, bool OnLoop)> WriteAsync(EventLoop loop, Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset,
        ReadOnlyMemory<byte> data, bool sync)
    {
        var done = new TaskCompletionSource<(int, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() => loop.WriteFile(file, offset, data, sync, result => done.SetResult((result, loop.IsLoopThread))));
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class EchoingHandler(Action<Connection> served) : IConnectionHandler
    {
        public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
        {
            connection.Write(data);
            served(connection);
            return data.Length;
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Per_loop_state_is_created_once_per_loop(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 2 }, () => new EchoHandler());
        var created = 0;
        var states = new List<object>();
        foreach (var loop in server.Loops)
        {
            for (var i = 0; i < 2; i++)
            {
                states.Add(await Wait.OnLoop(loop, () => loop.GetState(l => { Interlocked.Increment(ref created); return new StrongBox<int>(l.Id); })));
            }
        }
        Assert.Equal(2, created);
        Assert.Same(states[0], states[1]);
        Assert.NotSame(states[1], states[2]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Schedule_from_another_thread_is_refused(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        Assert.Throws<InvalidOperationException>(() => server.Loops[0].Schedule(TimeSpan.Zero, () => { }));
    }

    [Theory]
    [MemberData(nameof(Backends.Native), MemberType = typeof(Backends))]
    public async Task Echo_allocates_nothing_per_message_on_the_loop_thread(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new EchoHandler());
        var loop = server.Loops[0];
        var clients = new Socket[8];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await clients[i].ConnectAsync(server.EndPoint);
        }
        await Exchange(clients, rounds: 200); // warm up: handlers, pools and JIT tiers settle

        var before = await Wait.AllocatedOnLoopThread(loop);
        await Exchange(clients, rounds: 2000);
        var after = await Wait.AllocatedOnLoopThread(loop);

        Assert.Equal(0, after - before);
        foreach (var client in clients) { client.Dispose(); }
    }

    private static async Task Exchange(Socket[] clients, int rounds)
    {
        var message = new byte[64];
        var reply = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var r = 0; r < rounds; r++)
        {
            foreach (var client in clients) { await client.SendAsync(message, timeout.Token); }
            foreach (var client in clients)
            {
                for (var read = 0; read < reply.Length;) { read += await client.ReceiveAsync(reply.AsMemory(read), timeout.Token); }
            }
        }
    }
}
