using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// The server's log as Redis writes it (serverLogRaw): "PID:ROLE 28 Nov 2026 15:25:37.123 * message", ROLE M for a master
/// and S for a replica, the mark . - * # for debug, verbose, notice and warning. Lines go to logfile, opened for each line
/// as Redis opens it (so a rotated file is followed without a signal), or to standard output when logfile is "". The
/// threshold is loglevel, which CONFIG SET changes at run time. Every category of the process logs here, the
/// framework's too: its debug lines are Redis's verbose ones.
/// </summary>
internal sealed class RedisLog : ILoggerProvider
{
    private readonly RedisServer _server;
    private readonly string? _path;
    private readonly object _gate = new();
    private volatile int _threshold;

    public RedisLog(RedisServer server)
    {
        _server = server;
        _path = server.Config.Get("logfile") is { Length: > 0 } file ? Path.GetFullPath(file) : null;
        ReadLevel();
        server.Config.Changed += name => { if (name == "loglevel") { ReadLevel(); } };
    }

    /// <summary>Whether lines go to a file (else to standard output).</summary>
    public bool ToFile => _path is not null;

    /// <summary>Why the log file cannot be opened for appending (Redis refuses to start then), or null.</summary>
    public static string? CannotOpen(string path)
    {
        try
        {
            using var _ = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In strerror's words, as Redis says it.
            return "Can't open the log file: " + e switch
            {
                DirectoryNotFoundException or FileNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => e.Message,
            };
        }
    }

    // Redis's four levels onto ILogger's: debug is Trace, verbose Debug, notice Information, warning Warning and above.
    private void ReadLevel() => _threshold = (int)(_server.Config.Get("loglevel") switch
    {
        "debug" => LogLevel.Trace,
        "verbose" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        _ => LogLevel.Information,
    });

    private bool IsEnabled(LogLevel level) => level != LogLevel.None && (int)level >= _threshold;

    private void Write(LogLevel level, string message, Exception? exception)
    {
        var mark = level switch { LogLevel.Trace => '.', LogLevel.Debug => '-', LogLevel.Information => '*', _ => '#' };
        var role = _server.Master is null ? 'M' : 'S';
        var time = DateTime.Now.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var line = $"{Environment.ProcessId}:{role} {time} {mark} {message}\n";
        if (exception is not null) { line += exception + "\n"; }
        lock (_gate)
        {
            if (_path is null)
            {
                Console.Out.Write(line);
                return;
            }
            // As Redis: a line that cannot be written (the disk is full, the file was made unwritable) is dropped.
            try { File.AppendAllText(_path, line); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(RedisLog log) : ILogger
    {
        public bool IsEnabled(LogLevel logLevel) => log.IsEnabled(logLevel);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (log.IsEnabled(logLevel)) { log.Write(logLevel, formatter(state, exception), exception); }
        }
    }
}
