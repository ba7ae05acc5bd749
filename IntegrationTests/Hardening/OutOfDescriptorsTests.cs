using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis under <c>ulimit -n 160</c> with two loops, and 400 connections more than that: the connection it already
/// has is still served, it warns at most once a second per loop instead of spinning on the listener, and it accepts
/// again once the extra connections are gone.
/// </summary>
public sealed partial class OutOfDescriptorsTests
{
    private const int Loops = 2, ExtraConnections = 400;

    [Fact]
    public async Task On_epoll_accepting_pauses_with_a_throttled_warning_while_the_open_connection_is_served()
    {
        await using var redis = await StartAsync("epoll");
        await FloodAsync(redis, output => ReportsPerLoop(output, "accept failed").Any(n => n >= 2),
            "a loop to report failed accepts twice (a second apart)");
    }

    [Fact]
    public async Task On_io_uring_a_full_fixed_file_table_refuses_connections_with_a_throttled_warning_while_the_open_one_is_served()
    {
        await using var redis = await StartAsync("iouring");
        Assert.True(await Polling.Eventually(() => redis.Output.Any(l => l.Contains("io_uring: 160 fixed-file slots per loop instead of"))),
            $"no warning about the reduced fixed-file table: {string.Join('\n', redis.Output)}");
        await FloodAsync(redis, output => ReportsPerLoop(output, "refused").Any(n => n >= 1), "a loop to report refused connections");
    }

    private static Task<RedisProcess> StartAsync(string backend) =>
        RedisProcess.StartServingAsync(["--port", "0", "--loops", Loops.ToString(), "--backend", backend], "ulimit -n 160");

    private static async Task FloodAsync(RedisProcess redis, Func<string[], bool> limitReached, string limitReport)
    {
        using var first = await RespSocket.ConnectAsync(redis.EndPoint);
        Assert.Equal("+PONG\r\n", await first.InlineAsync("PING"));
        // INFO loads an assembly on first use, which takes a descriptor: not one to be had while flooded.
        Assert.Equal(1, await RedisProcess.ConnectedClientsAsync(first));

        var flooding = Stopwatch.StartNew();
        var extra = await ConnectAllAsync(redis.EndPoint, ExtraConnections);
        try
        {
            Assert.True(await Polling.Eventually(() => limitReached(redis.Output)), $"timed out waiting for {limitReport}");
            Assert.Equal("+PONG\r\n", await first.InlineAsync("PING"));
            Assert.False(redis.Process.HasExited, $"loop-redis exited: {redis.Errors}");

            var warnings = redis.Output.Where(l => l.Contains("accept failed") || l.Contains("refused")).ToList();
            var seconds = flooding.Elapsed.TotalSeconds;
            var allowed = 2 * Loops * (int)Math.Ceiling(seconds + 1);
            Assert.True(warnings.Count <= allowed,
                $"{warnings.Count} accept warnings in {seconds:F1} s, more than {allowed}; the first: {string.Join('\n', warnings.Take(5))}");
        }
        finally
        {
            extra.ForEach(s => s.Dispose());
        }

        Assert.True(await Polling.Eventually(async () => await RedisProcess.ConnectedClientsAsync(first) == 1),
            "the server did not close the extra connections");
        using var fresh = await RespSocket.ConnectAsync(redis.EndPoint);
        Assert.Equal("+PONG\r\n", await fresh.InlineAsync("PING").WaitAsync(Timeouts.Condition));
    }

    /// <summary>Opens <paramref name="count"/> connections at once; those the server cannot take may fail.</summary>
    private static async Task<List<Socket>> ConnectAllAsync(IPEndPoint endPoint, int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ => new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)).ToList();
        using var timeout = new CancellationTokenSource(Timeouts.Condition);
        await Task.WhenAll(sockets.Select(async socket =>
        {
            try { await socket.ConnectAsync(endPoint, timeout.Token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { }
        }));
        return sockets;
    }

    /// <summary>How many warning lines containing <paramref name="text"/> each loop has written.</summary>
    private static IEnumerable<int> ReportsPerLoop(string[] output, string text) =>
        output.Where(l => l.Contains(text)).Select(l => LoopNumber().Match(l).Value).GroupBy(loop => loop).Select(g => g.Count());

    [GeneratedRegex(@"Loop \d+")]
    private static partial Regex LoopNumber();
}
