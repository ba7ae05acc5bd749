using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis with an append-only file, killed with SIGKILL while a client pipelines writes: after a restart every write
/// whose reply the client received is there, in order, and nothing the client never sent, whatever appendfsync says
/// (a reply waits for its command's write, and with always for its fsync; a crash of the process loses no write).
/// </summary>
public sealed class AofProcessTests
{
    [Theory]
    [InlineData("always")]
    [InlineData("everysec")]
    [InlineData("no")]
    public async Task After_a_sigkill_under_pipelined_writes_every_acknowledged_write_is_there_and_nothing_unsent(string fsync)
    {
        const int batches = 1000, perBatch = 50, killAfter = 3000;
        string[] args = ["--port", "0", "--save", "", "--appendonly", "yes", "--appendfsync", fsync];
        await using var first = await RedisProcess.StartServingAsync(args);
        using var socket = await RespSocket.ConnectAsync(first.EndPoint);
        var attempted = 0;
        var sender = Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var batch = new StringBuilder();
                for (var i = 0; i < perBatch; i++) { batch.Append(RespSocket.Encode("RPUSH", "list", $"{b * perBatch + i}")); }
                Volatile.Write(ref attempted, (b + 1) * perBatch); // counted before sending: a batch cut by the kill may arrive in part
                await socket.SendAsync(batch.ToString());
            }
        });
        var acknowledged = 0;
        while (acknowledged < killAfter)
        {
            Assert.Equal($":{acknowledged + 1}\r\n", await socket.ReadReplyAsync());
            acknowledged++;
        }
        first.Process.Kill(); // SIGKILL: no shutdown, no final fsync
        await first.Process.WaitForExitAsync();
        try { await sender; } catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException) { } // the connection went with the process
        // Replies already on their way were acknowledged too; a reply cut short was not.
        string rest;
        try { rest = await socket.ReadToEndAsync(); }
        catch (System.Net.Sockets.SocketException) { rest = ""; }
        foreach (var reply in rest.Split("\r\n")[..^1])
        {
            Assert.Equal($":{acknowledged + 1}", reply);
            acknowledged++;
        }

        await using var second = await RedisProcess.StartServingAsync(args, directory: first.Directory);
        using var client = new RespClient(await RespSocket.ConnectAsync(second.EndPoint));
        var list = ((object?[])(await client.CallAsync("LRANGE", "list", "0", "-1"))!).Cast<string>().ToArray();
        Assert.True(list.Length >= acknowledged, $"{acknowledged} writes were acknowledged, {list.Length} survived");
        Assert.True(list.Length <= Volatile.Read(ref attempted), $"{list.Length} writes survived, {attempted} were sent");
        Assert.Equal(Enumerable.Range(0, list.Length).Select(i => $"{i}"), list);
        Assert.Contains(second.Output, line => line.Contains(" * DB loaded from append only file"));
    }
}
