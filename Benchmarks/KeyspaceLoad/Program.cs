using System.Diagnostics;
using System.Text;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Store;

// The Redis keyspace driven as loops drive it, without sockets: each thread (a loop) runs GET and SET on random
// keys, holding the keyspace as Session.Run does: shared on the key's stripe (the design in use), or one global
// lock around every command (the design it replaced), for comparison on the same machine in the same run. With --aof,
// also the stripes with every SET logged to an append-only file (appendfsync no: the page-cache write each thread makes
// after a batch of 256 commands never needs a loop's ring), as a loop logs and writes after its batches.
//
//   keyspace-load [--threads 1,2] [--seconds 3] [--keys 100000] [--aof]
var threadCounts = new[] { 1, 2 };
var seconds = 3.0;
var keyCount = 100_000;
var designs = new List<string> { "stripes", "global lock" };
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--aof": designs.Add("stripes + aof"); break;
        case "--threads" when i + 1 < args.Length: threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--seconds" when i + 1 < args.Length: seconds = double.Parse(args[++i]); break;
        case "--keys" when i + 1 < args.Length: keyCount = int.Parse(args[++i]); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var keys = Enumerable.Range(0, keyCount).Select(i => Encoding.ASCII.GetBytes($"key:{i}")).ToArray();
var value = "value-of-16-byte"u8.ToArray();
var setName = "SET"u8.ToArray();

// Warm up both paths first, so tiered compilation does not count against whichever design runs first.
var warmKeyspace = new Keyspace(1);
foreach (var key in keys) { warmKeyspace.Databases[0].SetString(key, value); }
Run(warmKeyspace, striped: true, threads: 1, TimeSpan.FromSeconds(1));
Run(warmKeyspace, striped: false, threads: 1, TimeSpan.FromSeconds(1));

Console.WriteLine($"| design | threads | ops/s | vs 1 thread | lock contentions per million ops |");
Console.WriteLine($"|---|---|---|---|---|");
foreach (var design in designs)
{
    double? single = null;
    foreach (var threads in threadCounts)
    {
        var keyspace = new Keyspace(1);
        foreach (var key in keys) { keyspace.Databases[0].SetString(key, value); }
        var path = design == "stripes + aof" ? Path.GetTempFileName() : null;
        var log = path is null ? null : new AofLog(AofFsync.No, File.OpenHandle(path, FileMode.Create, FileAccess.Write), keyspace.Lock);
        var (ops, contentions) = Run(keyspace, design != "global lock", threads, TimeSpan.FromSeconds(seconds), log);
        log?.Dispose();
        if (path is not null) { File.Delete(path); }
        var rate = ops / seconds;
        single ??= rate;
        Console.WriteLine($"| {design} | {threads} | {rate / 1e6:F2}M | {rate / single:F2}x | {contentions * 1e6 / ops:F0} |");
    }
}
return 0;

(long Ops, long Contentions) Run(Keyspace keyspace, bool striped, int threads, TimeSpan duration, AofLog? log = null)
{
    var db = keyspace.Databases[0];
    var stop = false;
    var counts = new long[threads * 16];
    var contentionsBefore = Monitor.LockContentionCount;
    var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
    {
        var random = new Random(t);
        long done = 0;
        while (!Volatile.Read(ref stop))
        {
            for (var n = 0; n < 1000; n++)
            {
                var key = keys[random.Next(keys.Length)];
                var write = (n & 1) == 0;
                if (striped)
                {
                    using (keyspace.Lock.Shared(KeyspaceLock.StripeOf(key)))
                    {
                        Command(db, key, write);
                        if (write) { log?.Append(0, setName, key, value); }
                    }
                    if ((n & 255) == 255) { log?.WritePending(null!); }
                }
                else
                {
                    lock (keyspace) { Command(db, key, write); }
                }
            }
            done += 1000;
        }
        counts[t * 16] = done;
    })).ToList();
    workers.ForEach(w => w.Start());
    Thread.Sleep(duration);
    Volatile.Write(ref stop, true);
    workers.ForEach(w => w.Join());
    return (counts.Sum(), Monitor.LockContentionCount - contentionsBefore);
}

void Command(Database db, byte[] key, bool write)
{
    if (write) { db.SetString(key, value); }
    else if (db.Get(key) is null) { throw new InvalidOperationException("a key went missing"); }
}
