using System.Buffers;
using System.Text;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>
/// The loops' buffers merged into one file: each loop's records go in the order the keyspace's holds ticked them, a
/// SELECT wherever the database changes, a transaction of two commands or more inside MULTI ... EXEC.
/// </summary>
public sealed class AofLogTests
{
    private static readonly byte[] Set = Bytes("SET"), Incr = Bytes("INCR"), A = Bytes("a"), B = Bytes("b");

    [Fact]
    public void Two_threads_records_on_one_key_reach_the_file_in_the_order_they_ran()
    {
        var keyspace = new KeyspaceLock();
        var path = Path.GetTempFileName();
        var log = new AofLog(AofFsync.No, File.OpenHandle(path, FileMode.Create, FileAccess.Write), keyspace);
        var stripe = KeyspaceLock.StripeOf(A);
        using var firstDone = new ManualResetEventSlim();
        using var secondDone = new ManualResetEventSlim();
        // The first thread logs before and after the second, each in its own buffer, on the key's stripe.
        var first = new Thread(() =>
        {
            using (keyspace.Shared(stripe)) { log.Append(0, Set, A, Bytes("1")); }
            firstDone.Set();
            secondDone.Wait();
            using (keyspace.Shared(stripe))
            {
                log.BeginTransaction();
                log.Append(0, Incr, A);
                log.Append(0, Incr, B);
                log.EndTransaction();
            }
        });
        var second = new Thread(() =>
        {
            firstDone.Wait();
            using (keyspace.Shared(stripe)) { log.Append(1, Set, A, Bytes("2")); }
            secondDone.Set();
        });
        first.Start();
        second.Start();
        first.Join();
        second.Join();
        log.Dispose(); // merges every thread's records, writes and syncs them
        Assert.Equal(
            Commands(["SELECT", "0"], ["SET", "a", "1"], ["SELECT", "1"], ["SET", "a", "2"], ["SELECT", "0"], ["MULTI"], ["INCR", "a"], ["INCR", "b"], ["EXEC"]),
            File.ReadAllText(path, Encoding.Latin1));
        File.Delete(path);
    }

    [Fact]
    public void A_segment_that_took_a_huge_command_lets_its_buffer_go_once_merged()
    {
        var path = Path.GetTempFileName();
        using var log = new AofLog(AofFsync.No, File.OpenHandle(path, FileMode.Create, FileAccess.Write), new KeyspaceLock());
        var segment = new AofSegment(new AofLoopBuffer(log, new KeyspaceLock()));
        segment.Bytes.Write(new byte[AofSegment.KeptCapacity + 1].AsSpan());
        segment.Reset();
        Assert.True(segment.Bytes.Capacity <= AofSegment.KeptCapacity, $"kept {segment.Bytes.Capacity} bytes");
        File.Delete(path);
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Commands(params string[][] commands) =>
        string.Concat(commands.Select(arguments => $"*{arguments.Length}\r\n" + string.Concat(arguments.Select(a => $"${a.Length}\r\n{a}\r\n"))));
}
