using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// What redis-server does as a process, beside serving, so that its scripts and units run loop-redis unchanged:
/// daemonize (a detached copy of itself, as Redis forks), the pid file, systemd's notifications when supervised (READY=1
/// once it serves, STOPPING=1 when it stops; Debian's unit is Type=notify), and the log's lines from "is starting" to
/// "bye bye", in Redis's words.
/// </summary>
internal sealed partial class ServerProcess
{
    private const string DaemonVariable = "LOOP_REDIS_DAEMON";
    private readonly RedisServer _server;
    private readonly string? _pidFile;
    private readonly SystemdNotifier? _systemd;

    private ServerProcess(RedisServer server, string? pidFile, SystemdNotifier? systemd)
    {
        _server = server;
        _pidFile = pidFile;
        _systemd = systemd;
    }

    /// <summary>
    /// Starts the process's life as redis-server's main does: daemonized when daemonize is yes and no supervisor is,
    /// then the log's first lines and the pid file. Null in the process that started the daemon, which exits then.
    /// </summary>
    public static ServerProcess? Start(RedisServer server, string[] commandLine, bool configFileGiven)
    {
        var mode = server.Config.Get("supervised");
        var systemd = new SystemdNotifier() is { IsEnabled: true } notifier && mode is "systemd" or "auto" ? notifier : null;
        var daemon = server.Config.Get("daemonize") == "yes" && systemd is null;
        if (daemon && Environment.GetEnvironmentVariable(DaemonVariable) is null)
        {
            StartDaemon(commandLine);
            return null;
        }
        if (daemon) { Detach(); }

        var log = server.Log;
        log.LogWarning("oO0OoO0OoO0Oo loop-redis is starting oO0OoO0OoO0Oo");
        log.LogWarning("loop-redis (Redis version={Version}), bits=64, pid={Pid}, just started", RedisVersion.Text, Environment.ProcessId);
        if (configFileGiven) { log.LogWarning("Configuration loaded"); }
        else { log.LogWarning("Warning: no config file specified, using the default config. In order to specify a config file use loop-redis /path/to/redis.conf"); }
        // As Redis: a daemon without a pid file of its own writes the default one.
        var pidFile = server.Config.Get("pidfile") is { Length: > 0 } configured ? configured : daemon ? "/var/run/redis.pid" : null;
        var process = new ServerProcess(server, pidFile is null ? null : Path.GetFullPath(pidFile), systemd);
        process.WritePidFile();
        if (mode == "systemd" && systemd is null) { log.LogWarning("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!"); }
        if (mode == "upstart") { log.LogWarning("upstart supervision is not supported by loop-redis: running unsupervised"); }
        log.LogWarning("Server initialized");
        systemd?.Notify(new ServiceState("STATUS=Redis is loading..."));
        return process;
    }

    /// <summary>The loops listen: the data is loaded and clients are served.</summary>
    public void Ready()
    {
        _server.Log.LogInformation("Ready to accept connections");
        _systemd?.Notify(new ServiceState(_server.Master is null ? "STATUS=Ready to accept connections\nREADY=1"
            : "STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\nREADY=1"));
    }

    /// <summary>A signal asked the server to stop (Redis's sigShutdownHandler).</summary>
    public void Signalled(PosixSignal signal) =>
        _server.Log.LogWarning("Received {Signal} scheduling shutdown...", signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");

    /// <summary>The shutdown begins (SHUTDOWN, or a signal once the loops stopped): before the final save.</summary>
    public void Stopping()
    {
        _server.Log.LogWarning("User requested shutdown...");
        _systemd?.Notify(ServiceState.Stopping);
    }

    /// <summary>The last step before the process exits.</summary>
    public void Exited()
    {
        if (_pidFile is not null)
        {
            _server.Log.LogInformation("Removing the pid file.");
            try { File.Delete(_pidFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        _server.Log.LogWarning("Redis is now ready to exit, bye bye...");
    }

    private void WritePidFile()
    {
        if (_pidFile is null) { return; }
        // As Redis: a pid file that cannot be written is a warning, not a reason to stop.
        try { File.WriteAllText(_pidFile, $"{Environment.ProcessId}\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _server.Log.LogWarning("Failed to write PID file: {Error}", e.Message); }
    }

    // The daemon is this program again, started detached; this process exits at once, as Redis's parent after fork().
    private static void StartDaemon(string[] commandLine)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") { start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location); }
        foreach (var arg in commandLine) { start.ArgumentList.Add(arg); }
        start.Environment[DaemonVariable] = "1";
        Process.Start(start)!.Dispose();
    }

    // As Redis's daemonize(): a session of its own, and standard input, output and error on /dev/null.
    private static void Detach()
    {
        Environment.SetEnvironmentVariable(DaemonVariable, null);
        _ = SetSid();
        var devNull = Open("/dev/null", ReadWrite);
        if (devNull < 0) { return; }
        // The runtime keeps copies of the standard streams (the console's): they go to /dev/null as well, or they would
        // hold the terminal or pipe of whoever started the daemon.
        var streams = Enumerable.Range(0, 3).Select(Target).OfType<string>().ToHashSet();
        foreach (var path in System.IO.Directory.GetFiles("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(path), out var fd) && (fd <= 2 || (fd != devNull && Target(fd) is { } target && streams.Contains(target))))
            {
                _ = Dup2(devNull, fd);
            }
        }
        if (devNull > 2) { _ = Close(devNull); }
    }

    private static string? Target(int fd)
    {
        try { return new FileInfo($"/proc/self/fd/{fd}").LinkTarget; }
        catch (IOException) { return null; }
    }

    private const int ReadWrite = 2; // O_RDWR

    [LibraryImport("libc", EntryPoint = "setsid")]
    private static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2")]
    private static partial int Dup2(int from, int to);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
