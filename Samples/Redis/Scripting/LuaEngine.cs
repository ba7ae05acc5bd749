using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using KeraLua;
using Loop.Samples.Redis.Server;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Scripting;

/// <summary>
/// One loop's Lua interpreter (KeraLua: Lua 5.4), set up as Redis 7.0 sets up its Lua 5.1: the globals and
/// libraries of <c>LuaSandbox.lua</c> (read-only, no os, io, debug, loadfile, dofile; unpack as 5.1 has it; cjson,
/// cmsgpack, struct and bit), scripts compiled once per loop from the server's cache, and every library of
/// functions loaded again whenever the server's set changed. A script runs in a coroutine of its own so that a count
/// hook can stop it (SCRIPT KILL) by yielding, which unwinds only Lua's own frames; nothing native ever unwinds
/// through ours (the redis library returns its errors to Lua wrappers that raise them).
/// Differences from Lua 5.1 scripts may meet: integers are a subtype (<c>tostring(3/1)</c> is "3.0", <c>1//1</c>
/// exists), <c>table.unpack</c>, <c>goto</c> and the 5.4 string functions are there, <c>setfenv</c>/<c>getfenv</c> are
/// not (neither are they in Redis), error messages of the interpreter itself may be worded differently.
/// </summary>
internal sealed partial class LuaEngine
{
    /// <summary>How many instructions run between two looks at the kill flag (Redis's hook count).</summary>
    private const int HookInstructions = 100_000;

    private readonly RedisServer _server;
    private readonly Lua _lua;
    private readonly Session _client;
    private readonly ArrayBufferWriter<byte> _replies = new();
    private readonly int _apiRef, _evalEnvRef, _functionEnvRef, _functionsRef;
    private readonly Dictionary<string, int> _compiled = new();
    private readonly LuaFunction _call, _sha1hex, _log, _setresp, _aclCheck;
    private readonly LuaHookFunction _hook;
    private int _scriptsGeneration;
    private long _librariesVersion = -1;
    private ScriptRun? _run;

    public LuaEngine(RedisServer server, RedisLoopCounters counters)
    {
        _server = server;
        _client = Session.ForScripts(server, counters, _replies);
        (_call, _sha1hex, _log, _setresp, _aclCheck) = (Call, Sha1Hex, Log, SetResp, AclCheck);
        _hook = Hook;
        _lua = new Lua(openLibs: true);
        _lua.PushLightUserData(IntPtr.Zero);
        RunInternal("LuaJson.lua", argumentsAt: _lua.GetTop());
        _lua.NewTable();
        _lua.Insert(-2);
        _lua.SetField(-2, "cjson");
        RunInternal("LuaMsgpack.lua", argumentsAt: _lua.GetTop() + 1);
        _lua.SetField(-2, "cmsgpack");
        RunInternal("LuaStruct.lua", argumentsAt: _lua.GetTop() + 1);
        _lua.SetField(-2, "struct");
        SetFunction("call", _call);
        SetFunction("sha1hex", _sha1hex);
        SetFunction("log", _log);
        SetFunction("setresp", _setresp);
        SetFunction("acl_check", _aclCheck);
        _lua.PushString(RedisVersion.Text);
        _lua.SetField(-2, "version");
        _lua.PushInteger(VersionNumber(RedisVersion.Text));
        _lua.SetField(-2, "version_num");
        RunInternal("LuaSandbox.lua", argumentsAt: _lua.GetTop());
        _apiRef = _lua.Ref(LuaRegistry.Index);
        _evalEnvRef = ApiRef("eval_env");
        _functionEnvRef = ApiRef("function_env");
        _lua.NewTable();
        _functionsRef = _lua.Ref(LuaRegistry.Index);
        _lua.SetHook(_hook, LuaHookMask.Count, HookInstructions);
    }

    // Runs one of the embedded Lua files with the values from argumentsAt to the top; leaves its one result.
    private void RunInternal(string file, int argumentsAt)
    {
        using var stream = typeof(LuaEngine).Assembly.GetManifestResourceStream($"Loop.Samples.Redis.Scripting.{file}")!;
        var code = new byte[stream.Length];
        stream.ReadExactly(code);
        if (_lua.LoadBuffer(code, "=" + file) != LuaStatus.OK) { throw new InvalidOperationException(_lua.ToString(-1)); }
        _lua.Insert(argumentsAt);
        if (_lua.PCall(_lua.GetTop() - argumentsAt, 1, 0) != LuaStatus.OK) { throw new InvalidOperationException(_lua.ToString(-1)); }
    }

    private void SetFunction(string name, LuaFunction function)
    {
        _lua.PushCFunction(function);
        _lua.SetField(-2, name);
    }

    private int ApiRef(string name)
    {
        _lua.RawGetInteger(LuaRegistry.Index, _apiRef);
        _lua.GetField(-1, name);
        var reference = _lua.Ref(LuaRegistry.Index);
        _lua.Pop(1);
        return reference;
    }

    // Calls api.name(arguments pushed after it by push); internal functions that do not fail.
    private void CallApi(string name, int results = 0, Action? push = null)
    {
        _lua.RawGetInteger(LuaRegistry.Index, _apiRef);
        _lua.GetField(-1, name);
        _lua.Remove(-2);
        var top = _lua.GetTop();
        push?.Invoke();
        _lua.Call(_lua.GetTop() - top, results);
    }

    private static long VersionNumber(string version)
    {
        var parts = version.Split('.').Select(int.Parse).ToArray();
        return (parts[0] << 16) | (parts[1] << 8) | parts[2];
    }

    /// <summary>Compiles a script (chunk name <c>@user_script</c>) into this state unless it already is; null or Redis's error.</summary>
    public string? Compile(string sha, byte[] body)
    {
        if (_scriptsGeneration != _server.Scripting.Generation)
        {
            foreach (var reference in _compiled.Values) { _lua.Unref(LuaRegistry.Index, reference); }
            _compiled.Clear();
            _scriptsGeneration = _server.Scripting.Generation;
        }
        if (_compiled.ContainsKey(sha)) { return null; }
        if (_lua.LoadBuffer(Shebang.AsComment(body), "@user_script", "t") != LuaStatus.OK)
        {
            var error = $"ERR Error compiling script (new function): {CompileError()}";
            _lua.Pop(1);
            return error;
        }
        SetEnvironment(_evalEnvRef);
        _compiled[sha] = _lua.Ref(LuaRegistry.Index);
        return null;
    }

    // The compiler's message on top, popped by the caller; the end of the chunk quoted as Lua 5.1 quotes it.
    private string CompileError() => EndOfChunk().Replace(_lua.ToString(-1, false), "'<eof>'");

    [System.Text.RegularExpressions.GeneratedRegex("(?<!')<eof>(?!')")]
    private static partial System.Text.RegularExpressions.Regex EndOfChunk();

    // The function on top gets the environment refered to as its _ENV.
    private void SetEnvironment(int environmentRef)
    {
        _lua.RawGetInteger(LuaRegistry.Index, environmentRef);
        _lua.SetUpValue(-2, 1);
    }

    /// <summary>Runs a compiled script for EVAL: KEYS and ARGV from the command's arguments after numkeys.</summary>
    public void RunScript(Session caller, string sha, Protocols.Resp.RespCommand command, int numKeys, bool readOnly, bool allowOom)
    {
        var keys = ArgumentTable(command, 3, numKeys);
        var argv = ArgumentTable(command, 3 + numKeys, command.Count - 3 - numKeys);
        CallApi("set_keys_argv", push: () =>
        {
            _lua.RawGetInteger(LuaRegistry.Index, keys);
            _lua.RawGetInteger(LuaRegistry.Index, argv);
        });
        _lua.Unref(LuaRegistry.Index, keys);
        _lua.Unref(LuaRegistry.Index, argv);
        Execute(caller, new ScriptRun(sha, isEval: true, readOnly, caller.Client?.Loop, _server.Scripting.BusyThresholdMs, []) { RefusesGrowth = !allowOom && caller.OutOfMemoryAtStart }, _compiled[sha], pushArguments: null);
    }

    /// <summary>Runs a registered function for FCALL: its keys and args as its two arguments.</summary>
    public void RunFunction(Session caller, string name, Protocols.Resp.RespCommand command, int numKeys, bool readOnly, bool allowOom)
    {
        var keys = ArgumentTable(command, 3, numKeys);
        var args = ArgumentTable(command, 3 + numKeys, command.Count - 3 - numKeys);
        _lua.RawGetInteger(LuaRegistry.Index, _functionsRef);
        _lua.GetField(-1, name);
        var function = _lua.Ref(LuaRegistry.Index);
        _lua.Pop(1);
        Execute(caller, new ScriptRun(name, isEval: false, readOnly, caller.Client?.Loop, _server.Scripting.BusyThresholdMs, Arguments(command)) { RefusesGrowth = !allowOom && caller.OutOfMemoryAtStart }, function, pushArguments: thread =>
        {
            thread.RawGetInteger(LuaRegistry.Index, keys);
            thread.RawGetInteger(LuaRegistry.Index, args);
            return 2;
        });
        foreach (var reference in (int[])[keys, args, function]) { _lua.Unref(LuaRegistry.Index, reference); }
    }

    private static byte[][] Arguments(Protocols.Resp.RespCommand command)
    {
        var arguments = new byte[command.Count][];
        for (var i = 0; i < arguments.Length; i++) { arguments[i] = command[i].ToArray(); }
        return arguments;
    }

    // A table of count arguments from first on, as a registry reference.
    private int ArgumentTable(Protocols.Resp.RespCommand command, int first, int count)
    {
        _lua.CreateTable(count, 0);
        for (var i = 0; i < count; i++)
        {
            _lua.PushBuffer(command[first + i].ToArray());
            _lua.RawSetInteger(-2, i + 1);
        }
        return _lua.Ref(LuaRegistry.Index);
    }

    // Runs the function in a new coroutine and writes its reply (or error) to the caller.
    private void Execute(Session caller, ScriptRun run, int function, Func<Lua, int>? pushArguments)
    {
        var thread = _lua.NewThread();
        thread.RawGetInteger(LuaRegistry.Index, function);
        var arguments = pushArguments?.Invoke(thread) ?? 0;
        _client.StartScript(caller);
        caller.BeginScriptEffects();
        _run = run;
        _server.Scripting.Started(run);
        try
        {
            var status = thread.Resume(_lua, arguments, out var results);
            if (status == LuaStatus.OK)
            {
                if (results == 0) { caller.Reply.Null(); }
                else { LuaReplies.Write(thread, thread.GetTop() - results + 1, caller.Reply, resp3: _client.Reply.Protocol == 3); }
            }
            else if (status == LuaStatus.Yield && run.MustStop)
            {
                _server.Log.LogWarning(run.KillRequested ? "Lua script killed by user with SCRIPT KILL." : "Lua script stopped: the server is stopping.");
                caller.Reply.Error(WithPlace(thread, "ERR Script killed by user with SCRIPT KILL...", run.Name));
            }
            else if (status == LuaStatus.Yield)
            {
                caller.Reply.Error(WithPlace(thread, "ERR attempt to yield across a C-call boundary", run.Name));
            }
            else
            {
                var counted = thread.Type(-1) == LuaType.Table && LuaReplies.IsCounted(thread, -1);
                caller.Reply.Error(WithPlace(thread, ErrorText(thread), run.Name), counted: !counted);
            }
        }
        finally
        {
            _server.Scripting.Ended(run);
            _run = null;
            caller.EndScriptEffects(_client, run.Wrote);
            _lua.Pop(1);
        }
    }

    // " script: name, on @user_script:line." after the message, from the innermost frame of user code.
    private static string WithPlace(Lua thread, string message, string name)
    {
        message = message.Replace('\r', ' ').Replace('\n', ' ');
        var frame = new LuaDebug();
        for (var level = 0; thread.GetStack(level, ref frame) == 1; level++)
        {
            thread.GetInfo("Sl", ref frame);
            if (frame.Source is { } source && source.StartsWith("@user_", StringComparison.Ordinal))
            {
                return $"{message} script: {name}, on {source}:{frame.CurrentLine}.";
            }
        }
        return message;
    }

    // Every HookInstructions instructions: once past busy-reply-threshold, lets the loop serve its other clients (BUSY,
    // or the SCRIPT KILL that stops this script); then stops a script SCRIPT KILL asked to stop or whose server is
    // stopping (as SHUTDOWN NOSAVE stops one, written or not: the stop would wait for it forever), or a library's code
    // that ran past its load timeout, where it may yield.
    private void Hook(IntPtr state, IntPtr debug)
    {
        if (_run is { Busy: true, Loop: { } loop }) { ServeWhileBusy(loop); }
        var stop = _run is { MustStop: true } || (_loadDeadline != 0 && Stopwatch.GetTimestamp() > _loadDeadline);
        if (!stop || lua_isyieldable(state) == 0) { return; }
        lua_yieldk(state, 0, IntPtr.Zero, IntPtr.Zero);
    }

    // Nothing may unwind through Lua's native frames: a failure here is logged, and the script goes on.
    private void ServeWhileBusy(EventLoop loop)
    {
        try { loop.ServeWhileBusy(); }
        catch (Exception e) { _server.Log.LogError(e, "Serving clients while a script runs failed"); }
    }

    [DllImport("lua54", CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_isyieldable(IntPtr state);

    [DllImport("lua54", CallingConvention = CallingConvention.Cdecl)]
    private static extern int lua_yieldk(IntPtr state, int results, IntPtr context, IntPtr continuation);
}
