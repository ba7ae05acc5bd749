using Loop.Protocols.Resp;
using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Server;

// MONITOR on the session's side: what it shows others, and what it receives while monitoring.
internal sealed partial class Session
{
    /// <summary>True once MONITOR ran, until RESET or the connection closes.</summary>
    public bool IsMonitor { get; private set; }

    /// <summary>MONITOR: starts receiving every command; false (nothing done) when already monitoring.</summary>
    public bool StartMonitoring()
    {
        if (IsMonitor) { return false; }
        IsMonitor = true;
        server.Monitor.Add(this);
        return true;
    }

    /// <summary>RESET and close: stops receiving commands.</summary>
    public void StopMonitoring()
    {
        if (!IsMonitor) { return; }
        IsMonitor = false;
        server.Monitor.Remove(this);
    }

    /// <summary>Writes a monitored command's line, unless this session has since stopped monitoring, closed or been reused.</summary>
    public void Show(long sessionId, byte[] line)
    {
        if (sessionId != Id || !IsMonitor || Client.IsClosing) { return; }
        Reply.SimpleString(line);
    }

    // After a command ran (EXEC's own commands included, before EXEC itself), as Redis's call() feeds its monitors.
    private void ShowMonitors(CommandSpec spec, RespCommand command)
    {
        if (CommandMonitor.Hidden(spec, command)) { return; }
        server.Monitor.Feed(this, command, Redacted(spec, command));
    }
}
