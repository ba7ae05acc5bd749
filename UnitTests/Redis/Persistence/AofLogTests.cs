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
    private static readonly byte[] Set = StoreValues.Bytes("SET"), Incr = StoreValues.Bytes("INCR"), A = StoreValues.Bytes("a"), B = StoreValues.Bytes("b");

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
            using (keyspace.Shared(stripe)) { log.Append(0, Set, A, StoreValues.Bytes("1")); }
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
            using (keyspace.Shared(stripe)) { log.Append(1, Set, A, StoreValues.Bytes("2")); }
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
    public void Records_held_back_by_another_threads_are_written_by_that_thread_which_then_tells_their_thread()
    {
        var keyspace = new KeyspaceLock();
        var path = Path.GetTempFileName();
        using var log = new AofLog(AofFsync.No, File.OpenHandle(path, FileMode.Create, FileAccess.Write), keyspace);
        var stripe = KeyspaceLock.StripeOf(A);
        using var first = new DedicatedThread();
        using var second = new DedicatedThread();
        using var reader = new DedicatedThread();
        bool? told = null;
        // The first thread's SET, not handed over yet, holds the watermark below the second's, which ran after it.
        first.Run(() => { using (keyspace.Shared(stripe)) { log.Append(0, Set, A, StoreValues.Bytes("1")); } });
        second.Run(() =>
        {
            using (keyspace.Shared(stripe)) { log.Append(0, Set, A, StoreValues.Bytes("2")); }
            log.WritePending(null!); // appendfsync no: a page-cache write, no loop's ring
            Assert.True(log.WhenSafe(log.Appended, safe => told = safe));
        });
        reader.Run(() => log.WritePending(null!)); // a batch that logged nothing
        Assert.Null(told);
        Assert.Equal("", File.ReadAllText(path));
        first.Run(() => log.WritePending(null!));
        Assert.True(told);
        Assert.Equal(Commands(["SELECT", "0"], ["SET", "a", "1"], ["SET", "a", "2"]), File.ReadAllText(path, Encoding.Latin1));
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

    // A thread of its own, whose log buffer stays its own, running what it is given one at a time.
    private sealed class DedicatedThread : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(Action Action, TaskCompletionSource Done)> _work = new();
        private readonly Thread _thread;

        public DedicatedThread()
        {
            _thread = new Thread(() =>
            {
                foreach (var (action, done) in _work.GetConsumingEnumerable())
                {
                    try { action(); done.SetResult(); }
                    catch (Exception e) { done.SetException(e); }
                }
            });
            _thread.Start();
        }

        public void Run(Action action)
        {
            var done = new TaskCompletionSource();
            _work.Add((action, done));
            done.Task.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _work.CompleteAdding();
            _thread.Join();
        }
    }

    private static string Commands(params string[][] commands) =>
        string.Concat(commands.Select(arguments => $"*{arguments.Length}\r\n" + string.Concat(arguments.Select(a => $"${a.Length}\r\n{a}\r\n"))));
}
