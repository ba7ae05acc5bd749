using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KeraLua;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Scripting;

// The native half of the redis library: redis.call and redis.pcall run a command as the script's client, through the
// command table and the session's own path (Handle), with the checks Redis's scriptCall makes first. None of these
// raises a Lua error (that would unwind through managed frames): failures are returned for the Lua side to raise.
internal sealed partial class LuaEngine
{
    private byte[] _argumentBytes = new byte[256];
    private RespArgument[] _arguments = new RespArgument[8];

    // call(raise, name, args...): the reply as a Lua value; with raise, an error reply comes back as (error, true).
    private int Call(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        var raise = lua.ToBoolean(1);
        try
        {
            var count = lua.GetTop() - 1;
            if (count == 0) { return Failed(lua, raise, "ERR Please specify at least one argument for this redis lib call"); }
            if (!TryReadArguments(lua, count)) { return Failed(lua, raise, "ERR Lua redis lib command arguments must be strings or integers"); }
            var command = new RespCommand(_argumentBytes, default, _arguments.AsSpan(0, count));
            if (Refusal(command, out var called) is { } refusal)
            {
                _client.RefusedInScript(called, refusal);
                return Failed(lua, raise, refusal, counted: true);
            }
            _replies.ResetWrittenCount();
            if (_client.RunFromScript(_server.Commands.Find(command[0])!, command)) { _run!.Wrote = true; }
            var reply = _replies.WrittenSpan;
            var at = 0;
            LuaReplies.Push(lua, reply, ref at);
            if (reply[0] != (byte)'-') { return 1; }
            LuaReplies.MarkCounted(lua); // the command's failure was counted as it replied
            if (!raise) { return 1; }
            lua.PushBoolean(true);
            return 2;
        }
        catch (Exception e)
        {
            _server.Log.LogError(e, "redis.call failed");
            return Failed(lua, raise, "ERR " + e.Message);
        }
    }

    // Why the script may not run this command, in scriptCall's order, or null; called is the command looked up.
    private string? Refusal(RespCommand command, out CommandSpec? called)
    {
        // A container's subcommand is looked up too (lookupCommand): unknown, it is an unknown command; its arity and its
        // noscript flag are its own.
        var spec = _server.Commands.Find(command[0]);
        called = spec?.CountedAs(command);
        if (spec is null || called is null) { return "ERR Unknown Redis command called from script"; }
        if (!spec.AcceptsArgumentCount(command.Count) || !called.AcceptsArgumentCount(command.Count))
        {
            return "ERR Wrong number of args calling Redis command from script";
        }
        if ((called.Flags & CommandFlags.NoScript) != 0) { return "ERR This Redis command is not allowed from script"; }
        if (_client.ScriptAclRefusal(spec, called, command) is { } denied) { return denied; }
        // A command Redis may propagate (PUBLISH, PFCOUNT) counts as a write here, so a read-only script is one CLIENT
        // PAUSE WRITE may let run; the checks after are for writes only (scriptVerifyWriteCommandAllow).
        if (_run!.ReadOnly && called.Recorded.WritesOrMayReplicate) { return "ERR Write commands are not allowed from read-only scripts."; }
        if ((called.Flags & CommandFlags.Write) == 0) { return null; }
        if (_client.WriteRefusal is { } refusal) { return refusal; }
        // Redis's scriptVerifyOOM: only before the script's first write, which it could not undo.
        return _run.RefusesGrowth && !_run.Wrote && called.Recorded.HasFlag("denyoom") ? Server.Eviction.OutOfMemoryError : null;
    }

    // The error as the call's result, raised or returned; counted when the statistics already have it.
    private static int Failed(Lua lua, bool raise, string error, bool counted = false)
    {
        LuaReplies.PushError(lua, error);
        if (counted) { LuaReplies.MarkCounted(lua); }
        if (!raise) { return 1; }
        lua.PushBoolean(true);
        return 2;
    }

    // The arguments from stack index `from` on into _argumentBytes and _arguments: strings as they are, numbers as Redis
    // spells them (integers in decimal, others in their shortest form); anything else refuses the call.
    private bool TryReadArguments(Lua lua, int count, int from = 2)
    {
        if (_arguments.Length < count) { Array.Resize(ref _arguments, Math.Max(count, _arguments.Length * 2)); }
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var index = i + from;
            byte[]? bytes = lua.Type(index) switch
            {
                LuaType.String => lua.ToBuffer(index, false),
                LuaType.Number when lua.IsInteger(index) => Encoding.ASCII.GetBytes(lua.ToInteger(index).ToString(CultureInfo.InvariantCulture)),
                LuaType.Number => Encoding.ASCII.GetBytes(lua.ToNumber(index).ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e')),
                _ => null,
            };
            if (bytes is null) { return false; }
            if (_argumentBytes.Length < offset + bytes.Length) { Array.Resize(ref _argumentBytes, Math.Max(offset + bytes.Length, _argumentBytes.Length * 2)); }
            bytes.CopyTo(_argumentBytes.AsSpan(offset));
            _arguments[i] = new RespArgument(offset, bytes.Length, InScratch: false);
            offset += bytes.Length;
        }
        return true;
    }

    private int Sha1Hex(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        lua.PushString(Convert.ToHexStringLower(SHA1.HashData(lua.ToBuffer(1, false) ?? [])));
        return 1;
    }

    // log(level, message): to the server's logger, at the level Redis's LL_* names.
    private int Log(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        var level = lua.ToInteger(1) switch { 0 => LogLevel.Debug, 1 => LogLevel.Debug, 2 => LogLevel.Information, _ => LogLevel.Warning };
        _server.Log.Log(level, "{Message}", Encoding.UTF8.GetString(lua.ToBuffer(2, false) ?? []));
        return 0;
    }

    private int SetResp(IntPtr state)
    {
        _client.Reply.Protocol = (int)Lua.FromIntPtr(state).ToInteger(1);
        return 0;
    }

    // redis.acl_check_cmd's native half: whether the script's user may run the command given (its arguments as
    // redis.call takes them); nil and why when it names no command or the arguments are not strings or numbers.
    private int AclCheck(IntPtr state)
    {
        var lua = Lua.FromIntPtr(state);
        var count = lua.GetTop();
        string? error = null;
        if (!TryReadArguments(lua, count, from: 1)) { error = "Lua redis lib command arguments must be strings or integers"; }
        else
        {
            var command = new RespCommand(_argumentBytes, default, _arguments.AsSpan(0, count));
            if (_server.Commands.Find(command[0]) is { } spec && spec.CountedAs(command) is { } called)
            {
                lua.PushBoolean(Server.Session.AclDenied(_client.User.Rules, spec, called, command) is null);
                return 1;
            }
            error = "Invalid command passed to redis.acl_check_cmd()";
        }
        lua.PushNil();
        lua.PushString(error);
        return 2;
    }
}
