using System.Text;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Persistence;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// MONITOR: the clients shown every command any client runs, on any loop, as Redis's replicationFeedMonitors spells it
/// (<c>+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"</c>). The list is an immutable array swapped under a lock
/// when a monitor comes or goes, so a command reads it without one: with no monitor, <see cref="Active"/> is the only
/// cost. A line reaches its monitor through the monitor's loop's Post (FIFO), on its own loop too, posted as the command
/// finishes: a command that finished before another started is shown first, whichever loops ran them, as Redis's single
/// thread shows them (commands running at once on two loops may come in either order).
/// </summary>
internal sealed class CommandMonitor
{
    private readonly Lock _gate = new();
    private volatile Watcher[] _watchers = [];

    /// <summary>True while some client monitors.</summary>
    public bool Active => _watchers.Length != 0;

    public void Add(Session monitor)
    {
        lock (_gate) { _watchers = [.. _watchers, new Watcher(monitor, monitor.Id, monitor.Client.Loop)]; }
    }

    public void Remove(Session monitor)
    {
        lock (_gate) { _watchers = [.. _watchers.Where(w => w.Monitor != monitor || w.Id != monitor.Id)]; }
    }

    /// <summary>Shows <paramref name="command"/>, run by <paramref name="source"/>, to every monitor; the arguments <paramref name="redacted"/> picks as "(redacted)".</summary>
    public void Feed(Session source, RespCommand command, Func<int, bool> redacted)
    {
        var line = Line(source, command, redacted);
        foreach (var watcher in _watchers) { watcher.Loop.Post(static state => ((Delivery)state!).Run(), new Delivery(watcher, line)); }
    }

    // The status line without its '+' and CRLF: time, database and client, then each argument quoted.
    private static byte[] Line(Session source, RespCommand command, Func<int, bool> redacted)
    {
        var micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000);
        var line = new List<byte>(64);
        line.AddRange(Encoding.ASCII.GetBytes($"{micros / 1_000_000}.{micros % 1_000_000:D6} [{source.Db.Index} {(source.IsScriptClient ? "lua" : source.Peer)}] "));
        for (var i = 0; i < command.Count; i++)
        {
            if (i > 0) { line.Add((byte)' '); }
            SdsArguments.AppendRepr(line, redacted(i) ? "(redacted)"u8 : command[i]);
        }
        return [.. line];
    }

    /// <summary>
    /// Whether Redis keeps <paramref name="command"/> from monitors: admin commands and subcommands (CONFIG GET, CLIENT
    /// KILL, SLOWLOG GET, ...), as redis-server's table flags them.
    /// </summary>
    public static bool Hidden(CommandSpec spec, RespCommand command) =>
        spec.MonitoredBeforeItRuns || spec.Recorded.Called(command).HasFlag("admin");

    // The session's id rides along because sessions are pooled: by the time a post runs, the object may serve another client.
    private sealed record Watcher(Session Monitor, long Id, EventLoop Loop);

    private sealed record Delivery(Watcher Watcher, byte[] Line)
    {
        public void Run() => Watcher.Monitor.Show(Watcher.Id, Line);
    }
}
