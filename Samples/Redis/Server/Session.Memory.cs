using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// maxmemory, as Redis's processCommand applies it: over the limit, keys are evicted before any command; if that cannot
// bring memory under the limit, a command that may grow it is refused.
internal sealed partial class Session
{
    // Called only while maxmemory is set. Eviction deletes keys of any stripe: it holds the whole keyspace, after letting
    // go of the stripe this batch kept. Behind a script that ran past busy-reply-threshold nothing is checked, as Redis
    // skips this step then: the command is answered BUSY.
    private bool RefusedForMemory(CommandSpec spec, RespCommand command)
    {
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
        }
        return MayGrowMemory(spec, command);
    }

    // Redis's reject_cmd_on_oom: a denyoom command, EXEC of a transaction that queued one, and inside MULTI anything but
    // EXEC, DISCARD, QUIT and RESET (queueing takes memory too).
    private bool MayGrowMemory(CommandSpec spec, RespCommand command)
    {
        if (spec.Recorded.Called(command).HasFlag("denyoom")) { return true; }
        if (spec.Name == "exec") { return _queued.Exists(queued => queued.Spec.Recorded.HasFlag("denyoom")); }
        return InMulti && spec.Name is not ("discard" or "quit" or "reset");
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
