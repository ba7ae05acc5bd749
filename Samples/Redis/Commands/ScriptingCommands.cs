using System.Security.Cryptography;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Scripting;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. A script holds the keyspace exclusively for its whole run, as
/// MULTI/EXEC does; its keys are counted after numkeys (COMMAND GETKEYS finds them). SCRIPT DEBUG answers only NO:
/// there is no Lua debugger here (YES and SYNC are refused).
/// </summary>
internal static class ScriptingCommands
{
    private static readonly KeySpec NumKeysSpec = new(0, 0, 0, NumKeysAt: 2);
    private const string NoSuchScript = "NOSCRIPT No matching script. Please use EVAL.";

    private static readonly string[] Help =
    [
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t)
    {
        t.Add("eval", -3, NoScript | Exclusive, NumKeysSpec, (s, c) => Eval(s, c, bySha: false, readOnly: false));
        t.Add("evalsha", -3, NoScript | Exclusive, NumKeysSpec, (s, c) => Eval(s, c, bySha: true, readOnly: false));
        t.Add("eval_ro", -3, NoScript | ReadOnly | Exclusive, NumKeysSpec, (s, c) => Eval(s, c, bySha: false, readOnly: true));
        t.Add("evalsha_ro", -3, NoScript | ReadOnly | Exclusive, NumKeysSpec, (s, c) => Eval(s, c, bySha: true, readOnly: true));
        t.Add("script", -2, NoScript | NoKeyspace, 0, 0, 0, Script);
    }

    /// <summary>The numkeys argument (EVAL and FCALL), or Redis's error for it.</summary>
    public static string? ReadNumKeys(RespCommand c, out int numKeys, string notInteger = "ERR value is not an integer or out of range")
    {
        numKeys = 0;
        if (!Args.TryLong(c[2], out var count)) { return notInteger; }
        if (count > c.Count - 3) { return "ERR Number of keys can't be greater than number of args"; }
        if (count < 0) { return "ERR Number of keys can't be negative"; }
        numKeys = (int)count;
        return null;
    }

    private static void Eval(Session s, RespCommand c, bool bySha, bool readOnly)
    {
        // No script has a name of another length: Redis answers so before it reads numkeys.
        if (bySha && c[1].Length != 40) { s.Reply.Error(NoSuchScript); return; }
        if (ReadNumKeys(c, out var numKeys) is { } invalid) { s.Reply.Error(invalid); return; }
        var scripting = s.Server.Scripting;
        string sha;
        byte[] body;
        if (bySha)
        {
            sha = Args.Text(c[1]).ToLowerInvariant();
            if (!scripting.TryGetScript(sha, out body)) { s.Reply.Error(NoSuchScript); return; }
        }
        else
        {
            body = c[1].ToArray();
            sha = Sha1Hex(body);
        }
        if (Shebang.ReadScriptFlags(body, out var flags) is { } badShebang) { s.Reply.Error(badShebang); return; }
        var engine = scripting.EngineFor(s);
        if (engine.Compile(sha, body) is { } compileError) { s.Reply.Error(compileError); return; }
        scripting.AddScript(sha, body);
        if (Shebang.Has(body) && FlagsRefusal(s, flags, readOnly) is { } refused) { s.Reply.Error(refused); return; }
        engine.RunScript(s, sha, c, numKeys, readOnly || (flags & ScriptFlags.NoWrites) != 0, Shebang.Has(body) && (flags & ScriptFlags.AllowOom) != 0);
    }

    public static string Sha1Hex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA1.HashData(body));

    /// <summary>
    /// Why Redis's scriptPrepareForRun refuses a script that declares its flags (a shebang, a function), in its order:
    /// stale data without allow-stale; then, unless no-writes, a read-only replica, failing persistence, a *_RO command,
    /// too few good replicas. Dispatch refuses most of these first, with the plain errors (such a script is a write to
    /// it): these come inside EXEC.
    /// </summary>
    public static string? FlagsRefusal(Session s, ScriptFlags flags, bool readOnly)
    {
        var server = s.Server;
        var obeyed = s.Client is null && !s.IsScriptClient; // the master's commands, a file being loaded
        if (server.Master is { State: not Replication.MasterLinkState.Connected } && server.Config.Get("replica-serve-stale-data") == "no"
            && (flags & ScriptFlags.AllowStale) == 0)
        {
            return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set";
        }
        if ((flags & ScriptFlags.NoWrites) != 0) { return null; }
        if (server.Master is not null && server.Config.Get("replica-read-only") == "yes" && !obeyed)
        {
            return "READONLY Can not run script with write flag on readonly replica";
        }
        if (server.Persistence.RefusesWrites && !obeyed)
        {
            return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
        }
        if (server.Aof.Log?.Failure is { } failure && !obeyed) { return $"MISCONF Errors writing to the AOF file: {failure.Message}"; }
        if (readOnly) { return "ERR Can not execute a script with write flag using *_ro command."; }
        return server.Replication.TooFewGoodReplicas ? Session.NoReplicasError : null;
    }

    private static void Script(Session s, RespCommand c)
    {
        var sub = c[1];
        var scripting = s.Server.Scripting;
        if (Args.Is(sub, "HELP") && c.Count == 2) { Subcommands.WriteHelp(s, Help); }
        else if (Args.Is(sub, "LOAD"))
        {
            if (c.Count != 3) { s.Reply.Error("ERR wrong number of arguments for 'script|load' command"); return; }
            var body = c[2].ToArray();
            var sha = Sha1Hex(body);
            if (Shebang.ReadScriptFlags(body, out _) is { } badShebang) { s.Reply.Error(badShebang); return; }
            if (scripting.EngineFor(s).Compile(sha, body) is { } error) { s.Reply.Error(error); return; }
            scripting.AddScript(sha, body);
            s.Reply.Bulk(sha);
        }
        else if (Args.Is(sub, "EXISTS"))
        {
            if (c.Count < 3) { s.Reply.Error("ERR wrong number of arguments for 'script|exists' command"); return; }
            s.Reply.Array(c.Count - 2);
            for (var i = 2; i < c.Count; i++) { s.Reply.Integer(scripting.HasScript(Args.Text(c[i]).ToLowerInvariant()) ? 1 : 0); }
        }
        else if (Args.Is(sub, "FLUSH"))
        {
            if (c.Count > 3 || (c.Count == 3 && !Args.Is(c[2], "SYNC") && !Args.Is(c[2], "ASYNC")))
            {
                s.Reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
                return;
            }
            scripting.FlushScripts();
            s.Reply.Ok();
        }
        else if (Args.Is(sub, "KILL") && c.Count == 2) { Reply(s, scripting.Kill(eval: true)); }
        else if (Args.Is(sub, "DEBUG") && c.Count == 3)
        {
            if (Args.Is(c[2], "NO")) { s.Reply.Ok(); }
            else if (Args.Is(c[2], "YES") || Args.Is(c[2], "SYNC")) { s.Reply.Error("ERR SCRIPT DEBUG YES and SYNC are not supported: this server has no Lua debugger"); }
            else { s.Reply.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO"); }
        }
        else if (Args.Is(sub, "KILL") || Args.Is(sub, "DEBUG") || Args.Is(sub, "HELP"))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'script|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else { s.Reply.Error(Subcommands.Unknown(sub, "SCRIPT")); }
    }

    /// <summary>OK, or the error.</summary>
    public static void Reply(Session s, string? error)
    {
        if (error is null) { s.Reply.Ok(); } else { s.Reply.Error(error); }
    }
}
