using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Scripting;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// maxmemory, as Redis's processCommand applies it: over the limit, keys are evicted before any command; if that cannot
// bring memory under the limit, a command that may grow it is refused, and a script it runs may not grow it either.
internal sealed partial class Session
{
    // Whether the running command found memory over maxmemory with nothing left to evict (Redis's script_oom). Read only
    // while maxmemory is set, so it is written only then.
    private bool _outOfMemoryAtStart;

    // Called only while maxmemory is set. Eviction deletes keys of any stripe: it holds the whole keyspace, after letting
    // go of the stripe this batch kept. Behind a script that ran past busy-reply-threshold nothing is checked, as Redis
    // skips this step then: the command is answered BUSY.
    private bool RefusedForMemory(CommandSpec spec, CommandSpec called, RespCommand command)
    {
        _outOfMemoryAtStart = false;
        var eviction = server.Eviction;
        if (!eviction.OverLimit) { return false; }
        if (eviction.Policy != EvictionPolicy.NoEviction)
        {
            ReleaseBatchStripe();
            try
            {
                using (server.Keyspace.Lock.Exclusive(BusyScriptElsewhere))
                {
                    if (eviction.MakeRoom()) { return false; }
                }
            }
            catch (KeyspaceBusyException)
            {
                return false;
            }
            finally
            {
                // Clients caching an evicted key hear of it before this command's reply, as after Redis's performEvictions.
                if (server.Keyspace.Tracking.Active) { TrackingMessages.Send(server, current: this); }
            }
        }
        _outOfMemoryAtStart = true;
        return MayGrowMemory(spec, called, command);
    }

    /// <summary>The running command found memory over maxmemory with nothing left to evict (Redis's script_oom).</summary>
    public bool OutOfMemoryAtStart => _outOfMemoryAtStart && server.Eviction.MaxMemory > 0;

    // Redis's reject_cmd_on_oom: a denyoom command (a script whose flags allow neither OOM nor no writes counts as one),
    // EXEC of a transaction that queued one, and inside MULTI anything but EXEC, DISCARD, QUIT and RESET (queueing takes
    // memory too).
    private bool MayGrowMemory(CommandSpec spec, CommandSpec called, RespCommand command)
    {
        if (DeclaredScriptFlags(spec, command) is { } flags) { return (flags & (ScriptFlags.AllowOom | ScriptFlags.NoWrites)) == 0; }
        if (called.Recorded.HasFlag("denyoom")) { return true; }
        if (spec.Name == "exec") { return _queued.Exists(queued => queued.Spec.Recorded.HasFlag("denyoom")); }
        return InMulti && spec.Name is not ("discard" or "quit" or "reset");
    }

    // Redis's is_write_command: a write command, a script that declares flags without no-writes (scriptFlagsToCmdFlags),
    // or EXEC of a transaction that queued one of them.
    private bool IsWrite(CommandSpec spec, CommandSpec called, RespCommand command)
    {
        if ((called.Flags & CommandFlags.Write) != 0) { return true; }
        if (spec.Name == "exec")
        {
            return _queued.Exists(queued =>
            {
                var queuedCommand = new RespCommand(queued.Buffer, default, queued.Arguments);
                return queued.Spec.Name != "exec" && IsWrite(queued.Spec, queued.Spec.CountedAs(queuedCommand) ?? queued.Spec, queuedCommand);
            });
        }
        return DeclaredScriptFlags(spec, command) is { } flags && (flags & ScriptFlags.NoWrites) == 0;
    }

    // The flags a script declares, as Redis's evalGetCommandFlags and fcallGetCommandFlags find them: EVAL's body or the
    // cached body EVALSHA names when it has a valid shebang, FCALL's function; null for any other command or script.
    private ScriptFlags? DeclaredScriptFlags(CommandSpec spec, RespCommand command)
    {
        var scripting = server.Scripting;
        byte[]? body = null;
        switch (spec.Name)
        {
            case "eval" or "eval_ro":
                body = command[1].ToArray();
                break;
            case "evalsha" or "evalsha_ro" when scripting.TryGetScript(Args.Text(command[1]).ToLowerInvariant(), out var cached):
                body = cached;
                break;
            case "fcall" or "fcall_ro":
                return scripting.Functions.Find(Args.Text(command[1]))?.Flags;
        }
        return body is not null && Shebang.Has(body) && Shebang.ReadScriptFlags(body, out var flags) is null ? flags : null;
    }

    // What a write that changed something brought in, about: its arguments and an array header each (a new key's array
    // and value, a collection's new elements), for the gauge between two measures of the heap.
    private void CountWrittenBytes(RespCommand command)
    {
        long bytes = 0;
        for (var i = 1; i < command.Count; i++) { bytes += command[i].Length + 24; }
        Counters.WrittenBytes += bytes;
    }
}
