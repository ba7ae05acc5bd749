using System.Diagnostics;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Server;

// What a command costs and how it ended, counted per loop as Redis's call() counts it: calls, microseconds and a
// latency sample when it returns, failed when it replied an error, rejected when it was refused before running (a
// container's under its subcommand: config|get); one that took long enough goes to the slowlog and the latency monitor.
internal sealed partial class Session
{
    // Error replies this session wrote, and how many of them were already put down to a command (Redis's prev_err_count:
    // EXEC's commands take their own errors, so EXEC fails only for its own).
    private long _errorReplies;
    private long _errorsCounted;

    // A command that blocked (BLPOP): counted, and logged if slow, when its wait ends, as Redis's updateStatsOnUnblock
    // does; its slowlog arguments are taken while the command is at hand (null when the slowlog is off).
    private CommandSpec? _blockedSpec;
    private long _blockedMicros;
    private byte[][]? _blockedSlowArguments;

    // An error reply: its command failed; counted in the error statistics unless it already was where it arose (a
    // script's redis.call, whose error the script returned).
    private void CountError(string message, bool counted)
    {
        _errorReplies++;
        if (counted) { Counters.PerCommand.CountError(message); }
    }

    /// <summary>Refuses a command before it runs (arity, authentication, MISCONF): Redis's rejectCommand.</summary>
    private void Reject(CommandSpec spec, RespCommand command, string error)
    {
        FlagTransactionError();
        if (spec.Name == "exec")
        {
            // As Redis's execCommandAbort, also outside MULTI: the transaction is discarded, the reason given (without
            // the ERR that Redis's own reasons lack).
            if (InMulti) { EndTransaction(); }
            Reply.Error($"EXECABORT Transaction discarded because of: {(error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error)}");
        }
        else { Reply.Error(error); }
        if (spec.CountedAs(command) is { } counted) { Counters.PerCommand.RejectedCalls[counted.Id]++; }
    }

    /// <summary>
    /// Starts timing a command; give what it returns to <see cref="Finished"/>. A script call (EVAL, FCALL) is shown
    /// to monitors now, so the commands it runs come after it, as Redis feeds them.
    /// </summary>
    private long Starting(CommandSpec spec, RespCommand command)
    {
        if (server.Monitor.Active && spec.MonitoredBeforeItRuns) { server.Monitor.Feed(this, command, _ => false); }
        _errorsCounted = _errorReplies;
        LastCommandAt = Stopwatch.GetTimestamp();
        KeyAccess.CommandStarting(LastCommandAt);
        return LastCommandAt;
    }

    private void Finished(CommandSpec spec, RespCommand command, long started)
    {
        if (server.Monitor.Active) { ShowMonitors(spec, command); }
        var micros = Stopwatch.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond;
        if (micros / 1000 >= server.Latency.ThresholdMs)
        {
            server.Latency.Add((spec.Flags & CommandFlags.Fast) != 0 ? "fast-command" : "command", micros / 1000);
        }
        if (IsBlocked && _blocked is not null)
        {
            var slowLogOn = server.SlowLog.ThresholdMicros != long.MaxValue;
            (_blockedSpec, _blockedMicros) = (spec, micros);
            _blockedSlowArguments = slowLogOn ? SlowLog.Arguments(command, Redacted(spec, command)) : null;
            return;
        }
        if (micros >= server.SlowLog.ThresholdMicros) { Slow(spec, command, micros); }
        var failed = _errorReplies != _errorsCounted;
        _errorsCounted = _errorReplies;
        // A container's subcommand it does not have is refused by Redis before it runs: counted in no command's statistics.
        if (spec.CountedAs(command) is { } counted) { Counters.PerCommand.Record(counted.Id, micros, failed); }
    }

    private void Slow(CommandSpec spec, RespCommand command, long micros)
    {
        if (spec.Name == "exec") { return; } // Redis's skip_slowlog: its commands are logged one by one
        server.SlowLog.Add(SlowLog.Arguments(command, Redacted(spec, command)), micros, Peer, Name);
    }

    // What Redis hides from the slowlog: AUTH's arguments, ACL SETUSER's, HELLO's AUTH username and password, CONFIG SET's
    // passwords.
    private static Func<int, bool> Redacted(CommandSpec spec, RespCommand command)
    {
        if (spec.Name == "auth") { return i => i >= 1; }
        if (spec.Name == "acl" && Args.Is(command[1], "SETUSER")) { return i => i >= 2; }
        if (spec.Name == "config")
        {
            // CONFIG SET's values of sensitive parameters (requirepass, masterauth, masteruser), once its pairs are whole.
            var sensitive = new HashSet<int>();
            for (var i = 3; i < command.Count && command.Count % 2 == 0 && Args.Is(command[1], "SET"); i += 2)
            {
                if (ConfigParameters.Find(Args.Text(command[i - 1]))?.Is(ConfigFlags.Sensitive) == true) { sensitive.Add(i); }
            }
            return sensitive.Contains;
        }
        if (spec.Name == "migrate")
        {
            // AUTH's password, AUTH2's username and password (migrateCommand redacts them).
            for (var i = 6; i < command.Count && !Args.Is(command[i], "KEYS"); i++)
            {
                if (Args.Is(command[i], "AUTH")) { var at = i + 1; return j => j == at; }
                if (Args.Is(command[i], "AUTH2")) { var at = i + 1; return j => j == at || j == at + 1; }
            }
            return _ => false;
        }
        if (spec.Name != "hello") { return _ => false; }
        for (var i = 2; i < command.Count; i++)
        {
            if (Args.Is(command[i], "AUTH")) { var start = i + 1; return j => j >= start && j < start + 2; }
        }
        return _ => false;
    }

    // The wait of a blocked command ended (served, timed out, refused: -NOGROUP, -UNBLOCKED): it counts as one call of the
    // time it ran, failed when its reply was an error, and goes to the slowlog if that time reaches the threshold now, as
    // Redis's updateStatsOnUnblock counts and logs it.
    private void FinishedBlocked()
    {
        if (_blockedSpec is not { } spec) { return; }
        var arguments = _blockedSlowArguments;
        (_blockedSpec, _blockedSlowArguments) = (null, null);
        var failed = _errorReplies != _errorsCounted;
        _errorsCounted = _errorReplies;
        Counters.PerCommand.Record(spec.Id, _blockedMicros, failed);
        if (arguments is not null && _blockedMicros >= server.SlowLog.ThresholdMicros) { server.SlowLog.Add(arguments, _blockedMicros, Peer, Name); }
    }
}
