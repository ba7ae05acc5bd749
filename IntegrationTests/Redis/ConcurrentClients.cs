using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// Driving many <see cref="RespClient"/>s at once for the concurrency tests: fixed numbers of commands in pipelined
/// batches, every client on its own thread-pool task, readers that keep checking while the writers run.
/// </summary>
internal static class ConcurrentClients
{
    /// <summary>
    /// Sends command(0) .. command(count - 1) in pipelined batches of <paramref name="batch"/> (one write each) and
    /// returns their replies in order.
    /// </summary>
    public static async Task<object?[]> PipelineAsync(this RespClient client, int count, int batch, Func<int, string[]> command)
    {
        var replies = new object?[count];
        for (var start = 0; start < count; start += batch)
        {
            var end = Math.Min(count, start + batch);
            for (var i = start; i < end; i++) { client.Queue(command(i)); }
            await client.FlushAsync();
            for (var i = start; i < end; i++) { replies[i] = await client.ReadAsync(); }
        }
        return replies;
    }

    /// <summary>Sends the commands in one write and returns their replies in order.</summary>
    public static Task<object?[]> BatchAsync(this RespClient client, params string[][] commands) =>
        client.PipelineAsync(commands.Length, commands.Length, i => commands[i]);

    /// <summary>Runs <paramref name="work"/> for every client at once, each as its own task; results in client order.</summary>
    public static Task<T[]> EachAsync<T>(this IEnumerable<RespClient> clients, Func<RespClient, int, Task<T>> work) =>
        Task.WhenAll(clients.Select((client, index) => Task.Run(() => work(client, index))));

    /// <summary>Runs <paramref name="work"/> for every client at once, each as its own task.</summary>
    public static Task EachAsync(this IEnumerable<RespClient> clients, Func<RespClient, int, Task> work) =>
        Task.WhenAll(clients.Select((client, index) => Task.Run(() => work(client, index))));

    /// <summary>
    /// Runs <paramref name="round"/> once, then again until <paramref name="writers"/> has finished (so the checks
    /// overlap all the writes, and stop when they do); returns how many rounds ran. A round fails by throwing.
    /// </summary>
    public static async Task<int> RepeatWhileAsync(Task writers, Func<Task> round)
    {
        var rounds = 0;
        do
        {
            await round();
            rounds++;
        }
        while (!writers.IsCompleted);
        return rounds;
    }

    /// <summary>The integer field <paramref name="field"/> of an INFO reply.</summary>
    public static long InfoField(object? info, string field)
    {
        var match = Regex.Match(Assert.IsType<string>(info), $@"(?m)^{Regex.Escape(field)}:(\d+)\r$");
        Assert.True(match.Success, $"INFO has no {field} field");
        return long.Parse(match.Groups[1].Value);
    }

    /// <summary>Waits until no BGSAVE runs (INFO persistence's rdb_bgsave_in_progress), failing when one never ends.</summary>
    public static async Task WaitForBackgroundSaveAsync(RespClient client) =>
        Assert.True(await Polling.Eventually(async () => InfoField(await client.CallAsync("INFO", "persistence"), "rdb_bgsave_in_progress") == 0),
            "the BGSAVE did not finish");

    /// <summary>The lines of INFO keyspace that describe a database (<c>db0:keys=...</c>).</summary>
    public static string[] KeyspaceLines(object? info) =>
        Assert.IsType<string>(info).Split("\r\n").Where(line => line.StartsWith("db", StringComparison.Ordinal)).ToArray();

    /// <summary>Waits until INFO, asked through <paramref name="observer"/>, says <paramref name="count"/> clients are blocked.</summary>
    public static Task WaitForBlockedClientsAsync(RespClient observer, int count) =>
        Eventually.HoldsAsync(async () => InfoField(await observer.CallAsync("INFO", "clients"), "blocked_clients") == count,
            $"INFO saying blocked_clients:{count}");

    /// <summary>The server's clock (TIME: seconds and microseconds) in Unix milliseconds.</summary>
    public static async Task<long> ServerMillisecondsAsync(RespClient client)
    {
        var time = Items(await client.CallAsync("TIME")).Select(part => long.Parse(Assert.IsType<string>(part))).ToArray();
        return time[0] * 1000 + time[1] / 1000;
    }

    /// <summary>Waits until the server's clock passes <paramref name="deadline"/> (Unix milliseconds), reading no key.</summary>
    public static Task WaitForServerClockAsync(RespClient client, long deadline) =>
        Eventually.HoldsAsync(async () => await ServerMillisecondsAsync(client) > deadline, "the server's clock to pass the deadline");

    /// <summary>An array reply's items.</summary>
    public static object?[] Items(object? reply) => Assert.IsType<object?[]>(reply);
}
