using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;
using Loop.Samples.Redis.Store;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ and HELP, answered as redis-server 7.0 answers them.</summary>
internal static class ObjectCommand
{
    // The key is argument 2 of the subcommands that take one, so those hold just its stripe (Redis lists 0 0 0 for the
    // container and the key under each subcommand).
    public static void Register(CommandTable t) => t.Add("object", -2, ReadOnly, 2, 2, 1, Object);

    private static readonly string[] Help =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];

    private const string PolicySwitchNote = "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    private static void Object(Session s, RespCommand c)
    {
        var sub = c[1];
        string name;
        if (Args.Is(sub, "HELP")) { name = "help"; }
        else if (Args.Is(sub, "ENCODING")) { name = "encoding"; }
        else if (Args.Is(sub, "REFCOUNT")) { name = "refcount"; }
        else if (Args.Is(sub, "IDLETIME")) { name = "idletime"; }
        else if (Args.Is(sub, "FREQ")) { name = "freq"; }
        else { s.Reply.Error($"ERR unknown subcommand '{Args.Text(sub)}'. Try OBJECT HELP."); return; }
        if (c.Count != (name == "help" ? 2 : 3)) { s.Reply.Error(Args.WrongArgumentCount($"object|{name}")); return; }
        if (name == "help")
        {
            s.Reply.Array(Help.Length);
            foreach (var line in Help) { s.Reply.SimpleString(line); }
            return;
        }
        // Redis's LOOKUP_NOTOUCH: asking about a key is not a use of it.
        if (s.Db.Read(c[2], notifyMiss: false, touch: false) is not { } value) { s.Reply.Null(); return; }
        var config = s.Server.Config;
        switch (name)
        {
            case "encoding":
                s.Reply.Bulk(ObjectEncoding.Of(value, config.EncodingThresholds));
                break;
            case "refcount":
                s.Reply.Integer(IsSharedInteger(value, config) ? int.MaxValue : 1);
                break;
            case "idletime" when config.TracksFrequency:
                s.Reply.Error($"ERR An LFU maxmemory policy is selected, idle time not tracked. {PolicySwitchNote}");
                break;
            case "idletime":
                s.Reply.Integer(KeyAccess.IdleMs(s.Db.AccessOf(c[2])) / 1000);
                break;
            case "freq" when !config.TracksFrequency:
                s.Reply.Error($"ERR An LFU maxmemory policy is not selected, access frequency not tracked. {PolicySwitchNote}");
                break;
            default:
                s.Reply.Integer(KeyAccess.Frequency(s.Db.AccessOf(c[2])));
                break;
        }
    }

    // Redis keeps one shared object per integer 0 to 9999 and stores those strings as references to it, unless a
    // maxmemory policy needs each value's own access time; its reference count reads as INT_MAX.
    public static bool IsSharedInteger(object value, RedisConfig config) =>
        value is byte[] text && ObjectEncoding.TryInteger(text, out var number) && number is >= 0 and < ObjectEncoding.SharedIntegers && config.SharesIntegers;
}
