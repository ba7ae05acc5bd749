using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Loop.IntegrationTests.Framework;

/// <summary>Collects formatted log lines so tests can assert that a limit was reported.</summary>
internal sealed class CapturingLogger : ILoggerFactory, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) { Lines.Enqueue($"{logLevel}: {formatter(state, exception)}"); }
    }

    public void Dispose() { }
}
