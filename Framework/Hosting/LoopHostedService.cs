using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loop.Hosting;

/// <summary>
/// Runs the endpoints added with <see cref="LoopServiceCollectionExtensions.AddLoopServer"/>: starts every
/// endpoint's <see cref="Server"/> when the host starts (all or none) and stops them when it stops. Resolve it
/// from the host's services to reach the running servers (for example the port picked for port 0).
/// </summary>
public sealed class LoopHostedService : IHostedService
{
    private readonly IReadOnlyList<LoopEndpoint> _endpoints;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Server> _servers = [];

    internal LoopHostedService(IReadOnlyList<LoopEndpoint> endpoints, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        _endpoints = endpoints;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Loop.Hosting");
    }

    /// <summary>The running servers by endpoint name; empty before the host starts and after it stops.</summary>
    public IReadOnlyDictionary<string, Server> Servers => _servers;

    /// <summary>
    /// Resolves and validates every endpoint's options, then starts the servers. An invalid setting, a port two
    /// endpoints share or a server that cannot start fails the host's start with the reason; servers already
    /// started are stopped first.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var resolved = _endpoints.Select(endpoint => (endpoint, options: Resolve(endpoint))).ToList();
        foreach (var group in resolved.Where(r => r.options.Port != 0).GroupBy(r => r.options.Port).Where(g => g.Count() > 1))
        {
            // SO_REUSEPORT would let both bind and split the connections between two protocols.
            throw new ArgumentException($"Loop endpoints {string.Join(" and ", group.Select(r => $"'{r.endpoint.Name}'"))} both listen on port {group.Key}.");
        }
        try
        {
            foreach (var (endpoint, options) in resolved)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Start blocks until every loop accepts; keep it off the host's thread.
                var server = await Task.Run(() => Server.Start(options, endpoint.HandlerFactory), cancellationToken);
                _servers.Add(endpoint.Name, server);
            }
        }
        catch
        {
            await StopServersAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Stops every server: no new connections, open ones flush their output and close within their
    /// <see cref="ServerOptions.ShutdownTimeout"/>, after which they are aborted. Returns early, with a warning,
    /// when the host's <paramref name="cancellationToken"/> (its shutdown timeout) ends first.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => StopServersAsync(cancellationToken);

    private ServerOptions Resolve(LoopEndpoint endpoint)
    {
        try
        {
            var options = endpoint.Options(_services);
            if (ReferenceEquals(options.LoggerFactory, NullLoggerFactory.Instance)) { options.LoggerFactory = _loggerFactory; }
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Loop endpoint '{endpoint.Name}': {e.Message}", e);
        }
    }

    private async Task StopServersAsync(CancellationToken cancellationToken)
    {
        var servers = _servers.ToList();
        _servers.Clear();
        try
        {
            await Task.WhenAll(servers.Select(s => s.Value.StopAsync())).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("The host's shutdown timeout ended before endpoints {Names} finished closing their connections",
                string.Join(", ", servers.Where(s => !s.Value.StopAsync().IsCompleted).Select(s => s.Key)));
        }
    }
}
