using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Persistence;
using Loop.Samples.Redis.Scripting;
using Loop.Samples.Redis.Server;
using static Loop.Samples.Redis.Commands.CommandFlags;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// FUNCTION (LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE, STATS, KILL, HELP), FCALL and FCALL_RO. FUNCTION holds no
/// keyspace itself (KILL and STATS must answer while a function runs on another loop); the subcommands that change
/// the libraries hold it exclusively, so no FCALL runs meanwhile, and are logged to the append-only file as received.
/// FUNCTION LIST shows the libraries sorted by name (Redis: in its dictionary's order).
/// </summary>
internal static class FunctionCommands
{
    private static readonly KeySpec NumKeysSpec = new(0, 0, 0, NumKeysAt: 2);

    private static readonly string[] Help =
    [
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t)
    {
        t.Add("function", -2, NoScript | NoKeyspace, 0, 0, 0, Function);
        t.Add("fcall", -3, NoScript | Exclusive, NumKeysSpec, (s, c) => FCall(s, c, readOnly: false));
        t.Add("fcall_ro", -3, NoScript | ReadOnly | Exclusive, NumKeysSpec, (s, c) => FCall(s, c, readOnly: true));
    }

    private static void FCall(Session s, RespCommand c, bool readOnly)
    {
        if (s.Server.Scripting.Functions.Find(Args.Text(c[1])) is not { } function) { s.Reply.Error("ERR Function not found"); return; }
        if (ScriptingCommands.ReadNumKeys(c, out var numKeys, "ERR Bad number of keys provided") is { } invalid) { s.Reply.Error(invalid); return; }
        var noWrites = (function.Flags & ScriptFlags.NoWrites) != 0;
        if (ScriptingCommands.FlagsRefusal(s, function.Flags, readOnly) is { } refused) { s.Reply.Error(refused); return; }
        var engine = s.Server.Scripting.EngineFor(s);
        engine.SyncFunctions();
        engine.RunFunction(s, function.Name, c, numKeys, readOnly || noWrites, (function.Flags & ScriptFlags.AllowOom) != 0);
    }

    private static void Function(Session s, RespCommand c)
    {
        var sub = c[1];
        var count = c.Count;
        if (Args.Is(sub, "LOAD") && count >= 3) { Load(s, c); }
        else if (Args.Is(sub, "DELETE") && count == 3)
        {
            var name = Args.Text(c[2]);
            Changing(s, c, () => s.Server.Scripting.Functions.Delete(name) ? null : "ERR Library not found");
        }
        else if (Args.Is(sub, "FLUSH") && count <= 3)
        {
            if (count == 3 && !Args.Is(c[2], "SYNC") && !Args.Is(c[2], "ASYNC")) { s.Reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"); return; }
            Changing(s, c, () =>
            {
                s.Server.Scripting.Functions.Flush();
                return null;
            });
        }
        else if (Args.Is(sub, "LIST")) { List(s, c); }
        else if (Args.Is(sub, "DUMP") && count == 2) { s.Reply.Bulk(FunctionPayload.Create(s.Server.Scripting.Functions.Libraries.Select(l => l.Code))); }
        else if (Args.Is(sub, "RESTORE") && count is 3 or 4) { Restore(s, c); }
        else if (Args.Is(sub, "STATS") && count == 2) { Stats(s); }
        else if (Args.Is(sub, "KILL") && count == 2) { ScriptingCommands.Reply(s, s.Server.Scripting.Kill(eval: false)); }
        else if (Args.Is(sub, "HELP") && count == 2) { Subcommands.WriteHelp(s, Help); }
        // Past their arity, FLUSH and RESTORE refuse extra arguments themselves, as Redis's handlers do.
        else if ((Args.Is(sub, "FLUSH") && count > 3) || (Args.Is(sub, "RESTORE") && count > 4)) { s.Reply.Error(Subcommands.Syntax(sub, "FUNCTION")); }
        else if (Args.Is(sub, "LOAD") || Args.Is(sub, "DELETE") || Args.Is(sub, "FLUSH") || Args.Is(sub, "DUMP") || Args.Is(sub, "RESTORE")
            || Args.Is(sub, "STATS") || Args.Is(sub, "KILL") || Args.Is(sub, "HELP"))
        {
            s.Reply.Error($"ERR wrong number of arguments for 'function|{Args.Text(sub).ToLowerInvariant()}' command");
        }
        else { s.Reply.Error(Subcommands.Unknown(sub, "FUNCTION")); }
    }

    // A change of the libraries: made holding the keyspace exclusively, and logged as received in the same hold when it
    // succeeded, so it ticks before every FCALL after it.
    private static void Changing(Session s, RespCommand c, Func<string?> change, Action? reply = null)
    {
        string? error;
        using (s.Server.Keyspace.Lock.Exclusive())
        {
            if ((error = change()) is null) { s.LogAsReceived(c); }
        }
        if (error is not null) { s.Reply.Error(error); return; }
        if (reply is null) { s.Reply.Ok(); } else { reply(); }
    }

    private static void Load(Session s, RespCommand c)
    {
        // Options before the code, as functionLoadCommand reads them: REPLACE, any number of times.
        var replace = false;
        for (var i = 2; i < c.Count - 1; i++)
        {
            if (!Args.Is(c[i], "REPLACE")) { s.Reply.Error($"ERR Unknown option given: {Args.Text(c[i])}"); return; }
            replace = true;
        }
        var code = c[c.Count - 1].ToArray();
        if (!replace && Shebang.ReadLibraryName(code, out var name) is null && s.Server.Scripting.Functions.Library(name) is not null)
        {
            s.Reply.Error($"ERR Library '{name}' already exists");
            return;
        }
        var library = s.Server.Scripting.EngineFor(s).LoadLibrary(code, install: false, out var error);
        if (library is null) { s.Reply.Error(error!); return; }
        Changing(s, c, () => s.Server.Scripting.Functions.Add([library], replace), () => s.Reply.Bulk(library.Name));
    }

    private static void Restore(Session s, RespCommand c)
    {
        var policy = c.Count == 4 ? Args.Text(c[3]).ToUpperInvariant() : "APPEND";
        if (policy is not ("FLUSH" or "APPEND" or "REPLACE"))
        {
            s.Reply.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
        var codes = FunctionPayload.Read(c[2], out var error);
        if (codes is null) { s.Reply.Error(error!); return; }
        var engine = s.Server.Scripting.EngineFor(s);
        var libraries = new List<FunctionLibrary>();
        foreach (var code in codes)
        {
            if (engine.LoadLibrary(code, install: false, out error) is not { } library) { s.Reply.Error(error!); return; }
            libraries.Add(library);
        }
        var functions = s.Server.Scripting.Functions;
        Changing(s, c, () =>
        {
            if (policy != "FLUSH") { return functions.Add(libraries, replace: policy == "REPLACE"); }
            var previous = functions.Libraries.ToList();
            functions.Flush();
            if (functions.Add(libraries, replace: false) is not { } failed) { return null; }
            functions.Add(previous, replace: false);
            return failed;
        });
    }

    // LIST [LIBRARYNAME pattern] [WITHCODE]: each library as a map of its name, engine, functions and maybe code.
    private static void List(Session s, RespCommand c)
    {
        byte[]? pattern = null;
        var withCode = false;
        for (var i = 2; i < c.Count; i++)
        {
            if (Args.Is(c[i], "WITHCODE") && !withCode) { withCode = true; }
            else if (Args.Is(c[i], "LIBRARYNAME") && pattern is null)
            {
                if (++i == c.Count) { s.Reply.Error("ERR library name argument was not given"); return; }
                pattern = c[i].ToArray();
            }
            // Redis words this one without addReplyErrorFormat, so a CR or LF at its end is kept, as a space.
            else { s.Reply.Error($"ERR Unknown argument {Args.Text(c[i]).Replace('\r', ' ').Replace('\n', ' ')}"); return; }
        }
        var libraries = s.Server.Scripting.Functions.Libraries
            .Where(l => pattern is null || Store.Glob.Match(pattern, Encoding.UTF8.GetBytes(l.Name), ignoreCase: true)).ToList();
        s.Reply.Array(libraries.Count);
        foreach (var library in libraries)
        {
            s.Reply.Map(withCode ? 4 : 3);
            s.Reply.Bulk("library_name"u8); s.Reply.Bulk(library.Name);
            s.Reply.Bulk("engine"u8); s.Reply.Bulk("LUA"u8);
            s.Reply.Bulk("functions"u8);
            s.Reply.Array(library.Functions.Length);
            foreach (var function in library.Functions)
            {
                s.Reply.Map(3);
                s.Reply.Bulk("name"u8); s.Reply.Bulk(function.Name);
                s.Reply.Bulk("description"u8);
                if (function.Description is { } description) { s.Reply.Bulk(description); } else { s.Reply.Null(); }
                s.Reply.Bulk("flags"u8);
                var flags = Shebang.Names(function.Flags).ToList();
                s.Reply.Set(flags.Count);
                foreach (var flag in flags) { s.Reply.SimpleString(flag); }
            }
            if (withCode) { s.Reply.Bulk("library_code"u8); s.Reply.Bulk(library.Code); }
        }
    }

    private static void Stats(Session s)
    {
        var scripting = s.Server.Scripting;
        s.Reply.Map(2);
        s.Reply.Bulk("running_script"u8);
        if (scripting.Running is { IsEval: false } run)
        {
            s.Reply.Map(3);
            s.Reply.Bulk("name"u8); s.Reply.Bulk(run.Name);
            s.Reply.Bulk("command"u8);
            s.Reply.Array(run.Command.Length);
            foreach (var argument in run.Command) { s.Reply.Bulk(argument); }
            s.Reply.Bulk("duration_ms"u8); s.Reply.Integer(run.ElapsedMs);
        }
        else { s.Reply.Null(); }
        s.Reply.Bulk("engines"u8);
        s.Reply.Map(1);
        s.Reply.Bulk("LUA"u8);
        s.Reply.Map(2);
        s.Reply.Bulk("libraries_count"u8); s.Reply.Integer(scripting.Functions.Libraries.Count);
        s.Reply.Bulk("functions_count"u8); s.Reply.Integer(scripting.Functions.FunctionCount);
    }
}
