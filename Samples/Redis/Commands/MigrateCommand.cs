using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key...]:
/// checked and answered in Redis 7.0's order and words. Unlike Redis, which blocks its one thread on the socket, the
/// values are serialized here holding the keys (as DUMP), the exchange with the target runs off the loop
/// (<see cref="Migration"/>) while this client waits, and the keys the target restored are deleted back on the loop
/// (unless COPY), logged as DEL. So the keyspace goes on meanwhile, and a key written in between (its value or deadline
/// no longer what was sent) is kept here with the newer value, where Redis's MIGRATE, atomic, leaves no such window.
/// Each MIGRATE opens its own connection (Redis caches one per target for 10 seconds); inside EXEC it is refused, as
/// a transaction cannot wait for a network.
/// </summary>
internal static class MigrateCommand
{
    private static readonly byte[] Del = "DEL"u8.ToArray();

    public static void Register(CommandTable t) =>
        t.Add("migrate", -6, Write, new KeySpec(3, 3, 1, Options: OptionKeys.AfterKeys), Migrate);

    private static void Migrate(Session s, RespCommand c)
    {
        bool copy = false, replace = false;
        byte[]? user = null, password = null;
        var (firstKey, keyCount) = (3, 1);
        for (var i = 6; i < c.Count; i++)
        {
            var more = c.Count - 1 - i;
            if (Args.Is(c[i], "COPY")) { copy = true; }
            else if (Args.Is(c[i], "REPLACE")) { replace = true; }
            else if (Args.Is(c[i], "AUTH") && more >= 1) { password = c[++i].ToArray(); }
            else if (Args.Is(c[i], "AUTH2") && more >= 2) { (user, password) = (c[++i].ToArray(), c[++i].ToArray()); }
            else if (Args.Is(c[i], "KEYS"))
            {
                if (c[3].Length != 0) { s.Reply.Error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"); return; }
                (firstKey, keyCount) = (i + 1, c.Count - i - 1);
                break;
            }
            else { s.Reply.Error(Args.Syntax); return; }
        }
        if (!Args.TryLong(c[5], out var timeout) || !Args.TryLong(c[4], out var targetDb)) { s.Reply.Error(Args.NotInteger); return; }
        if (timeout <= 0) { timeout = 1000; }

        var now = Clock.NowMs;
        var keys = new List<MigratingKey>();
        for (var j = 0; j < keyCount; j++)
        {
            var key = c[firstKey + j];
            if (s.Db.Read(key) is not { } value) { continue; }
            var deadline = s.Db.ExpireAt(key);
            keys.Add(new MigratingKey(key.ToArray(), DumpPayload.Create(value), deadline, deadline is { } at ? Math.Max(1, at - now) : 0));
        }
        if (keys.Count == 0) { s.Reply.SimpleString("NOKEY"); return; }
        if (s.InExec) { s.Reply.Error("ERR MIGRATE is not allowed inside a transaction by this server"); return; }

        var request = new MigrateRequest(Args.Text(c[1]), int.TryParse(Args.Text(c[2]), out var port) ? port : 0, targetDb, timeout,
            replace, user, password, keys);
        var (loop, id, db) = (s.Client.Loop, s.Id, s.Db);
        s.Block();
        _ = Task.Run(async () =>
        {
            var outcome = await Migration.RunAsync(request);
            loop.Post(() => Finish(s, id, db, copy, request, outcome));
        });
    }

    // Back on the loop: the keys the target restored go (unless COPY), then the reply. A client that left meanwhile still
    // has its keys moved: the target holds them.
    private static void Finish(Session s, long id, Database db, bool copy, MigrateRequest request, MigrateOutcome outcome)
    {
        if (!copy) { s.Counters.Changes += DeleteMigrated(s.Server, db, request, outcome.Restored); }
        if (!s.StillServes(id)) { return; }
        if (outcome.Error is { } error) { s.Reply.Error(error); } else { s.Reply.Ok(); }
        s.Resume();
    }

    // Returns how many keys were deleted.
    private static int DeleteMigrated(RedisServer server, Database db, MigrateRequest request, bool[] restored)
    {
        if (!restored.Contains(true)) { return 0; }
        List<byte[]> deleted = [Del];
        using (server.Keyspace.Lock.Exclusive())
        {
            foreach (var key in request.Keys.Where((_, j) => restored[j]))
            {
                // Written since it was serialized: the newer value stays (see the class's comment).
                if (db.Get(key.Name) is not { } value || db.ExpireAt(key.Name) != key.Deadline || !DumpPayload.Create(value).AsSpan().SequenceEqual(key.Payload)) { continue; }
                db.Delete(key.Name); // notified as del, as Redis's migrateCommand does
                deleted.Add(key.Name);
            }
            if (deleted.Count > 1) { db.Log?.Append(db.Index, [.. deleted]); }
        }
        return deleted.Count - 1;
    }
}
