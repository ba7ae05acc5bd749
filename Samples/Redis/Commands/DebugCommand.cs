using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// DEBUG SLEEP, OBJECT, PROTOCOL, SET-ACTIVE-EXPIRE, CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD, RELOAD, POPULATE and HELP; the
/// others Redis has (JMAP among them) are unknown subcommands, as JMAP is in Redis 7.0.
/// </summary>
internal static class DebugCommand
{
    private static readonly string[] Help =
    [
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD",
        "    Save the RDB on disk and reload it back to memory.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t) => t.Add("debug", -2, NoScript | NoKeyspace, 0, 0, 0, Debug);

    private static void Debug(Session s, RespCommand c)
    {
        var sub = c[1];
        if (Args.Is(sub, "HELP") && c.Count == 2) { Subcommands.WriteHelp(s, Help); }
        else if (Args.Is(sub, "RELOAD") && c.Count == 2) { PersistenceCommands.Reload(s); }
        else if (Args.Is(sub, "POPULATE") && c.Count is >= 3 and <= 5) { PersistenceCommands.Populate(s, c); }
        else if (Args.Is(sub, "SLEEP") && c.Count == 3) { Sleep(s, c[2]); }
        else if (Args.Is(sub, "OBJECT") && c.Count == 3) { DescribeObject(s, c[2]); }
        else if (Args.Is(sub, "PROTOCOL") && c.Count == 3) { Protocol(s.Reply, Args.Text(c[2]).ToLowerInvariant()); }
        else if (Args.Is(sub, "SET-ACTIVE-EXPIRE") && c.Count == 3)
        {
            s.Server.ActiveExpiryEnabled = Atoi(c[2]) != 0;
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "CHANGE-REPL-ID") && c.Count == 2)
        {
            s.Server.Replication.Stream.ChangeId();
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "QUICKLIST-PACKED-THRESHOLD") && c.Count == 3)
        {
            // Lists here have no packed nodes; the size is only checked as Redis checks it.
            if (ConfigMemory.TryParse(Args.Text(c[2]), out var size) && size <= 4UL << 30) { s.Reply.Ok(); }
            else { s.Reply.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb"); }
        }
        else { s.Reply.Error(Subcommands.Syntax(sub, "DEBUG")); }
    }

    // One reply of each RESP3 type (as RESP2 falls back to, where it has none), for clients to test their parsers on.
    private static void Protocol(RespWriter reply, string type)
    {
        var resp3 = reply.Protocol == 3;
        switch (type)
        {
            case "string": reply.Bulk("Hello World"); break;
            case "integer": reply.Integer(12345); break;
            case "double": reply.Double(3.141); break;
            case "bignum" when resp3: reply.Raw("(1234567999999999999999999999999999999\r\n"u8); break;
            case "bignum": reply.Bulk("1234567999999999999999999999999999999"); break;
            case "null": reply.Null(); break;
            case "array" or "set":
                if (type == "set") { reply.Set(3); } else { reply.Array(3); }
                for (var i = 0; i < 3; i++) { reply.Integer(i); }
                break;
            case "map":
                reply.Map(3);
                for (var i = 0; i < 3; i++)
                {
                    reply.Integer(i);
                    reply.Boolean(i == 1);
                }
                break;
            case "attrib":
                // An attribute is not a reply: a real one follows it (and alone on RESP2, which has no attributes).
                if (resp3)
                {
                    reply.Raw("|1\r\n"u8);
                    reply.Bulk("key-popularity");
                    reply.Array(2);
                    reply.Bulk("key:123");
                    reply.Integer(90);
                }
                reply.Bulk("Some real reply following the attribute");
                break;
            case "push" when !resp3: reply.Error("ERR RESP2 is not supported by this command"); break;
            case "push":
                reply.Push(2);
                reply.Bulk("server-cpu-usage");
                reply.Integer(42);
                reply.Bulk("Some real reply following the push reply");
                break;
            case "true" or "false": reply.Boolean(type == "true"); break;
            case "verbatim": reply.Verbatim("This is a verbatim\nstring"); break;
            default:
                reply.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
                break;
        }
    }

    // Sleeps the calling loop, as Redis sleeps its one thread: that loop's clients wait, the other loops serve theirs.
    private static void Sleep(Session s, ReadOnlySpan<byte> seconds)
    {
        // strtod: what does not read as a number is 0.
        var duration = double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 0;
        if (duration > 0) { Thread.Sleep(TimeSpan.FromSeconds(duration)); }
        s.Reply.Ok();
    }

    // Redis's line: where the value is (an identity here), references, encoding, its RDB length (as our encoder writes it)
    // the LRU clock (seconds, 24 bits) and the key's idle time.
    private static void DescribeObject(Session s, ReadOnlySpan<byte> key)
    {
        string line;
        using (s.Server.Keyspace.Lock.Exclusive())
        {
            if (s.Db.Peek(key) is not { } value) { s.Reply.Error("ERR no such key"); return; }
            var config = s.Server.Config;
            var payload = new ArrayBufferWriter<byte>();
            RdbEncoder.WriteValue(payload, value);
            var refcount = ObjectCommand.IsSharedInteger(value, config) ? int.MaxValue : 1;
            var lru = DateTimeOffset.UtcNow.ToUnixTimeSeconds() & ((1 << 24) - 1);
            line = $"Value at:0x{RuntimeHelpers.GetHashCode(value):x} refcount:{refcount} encoding:{ObjectEncoding.Of(value, config.EncodingThresholds)} " +
                $"serializedlength:{payload.WrittenCount - 1} lru:{lru} lru_seconds_idle:{KeyAccess.IdleMs(s.Db.AccessOf(key)) / 1000}";
        }
        s.Reply.SimpleString(line);
    }

    // C's atoi: an optional sign and the digits that follow; anything else ends the number (none: 0).
    private static long Atoi(ReadOnlySpan<byte> text)
    {
        var i = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        long value = 0;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++) { value = value * 10 + (text[i] - '0'); }
        return text.Length > 0 && text[0] == '-' ? -value : value;
    }
}
