using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loop.Hosting;

/// <summary>
/// The endpoints a host runs, each a <see cref="Server"/> of its own: a name, a port, a protocol (the
/// handler factory) and its own <see cref="ServerOptions"/>. Built by
/// <see cref="LoopServiceCollectionExtensions.AddLoopServer"/>.
/// </summary>
public sealed class LoopServerBuilder
{
    private readonly IServiceCollection _services;
    private readonly List<LoopEndpoint> _endpoints = [];

    internal LoopServerBuilder(IServiceCollection services) => _services = services;

    internal IReadOnlyList<LoopEndpoint> Endpoints => _endpoints;

    /// <summary>
    /// Adds an endpoint on <paramref name="port"/>. Its options are the named options <paramref name="name"/>
    /// (<c>IOptionsMonitor&lt;ServerOptions&gt;.Get(name)</c>): the port, then <paramref name="configure"/>, then
    /// anything else registered for that name.
    /// </summary>
    public LoopServerBuilder Listen(string name, int port, Func<IConnectionHandler> handlerFactory, Action<ServerOptions>? configure = null)
    {
        return ListenNamed(name, handlerFactory, options =>
        {
            options.Port = port;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Adds an endpoint whose options come from <paramref name="configuration"/> (a section such as
    /// <c>Loop</c>, see <see cref="LoopConfigurationExtensions.BindServerOptions"/>): <paramref name="configure"/>
    /// sets the defaults in code, then the configuration overrides them.
    /// </summary>
    public LoopServerBuilder Listen(string name, IConfiguration configuration, Func<IConnectionHandler> handlerFactory, Action<ServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return ListenNamed(name, handlerFactory, options =>
        {
            configure?.Invoke(options);
            configuration.BindServerOptions(options);
        });
    }

    /// <summary>
    /// Adds an endpoint that runs with exactly this <paramref name="options"/> instance (its
    /// <see cref="ServerOptions.LoggerFactory"/> becomes the host's unless set).
    /// </summary>
    public LoopServerBuilder Listen(string name, ServerOptions options, Func<IConnectionHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Add(new LoopEndpoint(name, handlerFactory, _ => options));
    }

    private LoopServerBuilder ListenNamed(string name, Func<IConnectionHandler> handlerFactory, Action<ServerOptions> configure)
    {
        _services.AddOptions<ServerOptions>(name).Configure(configure);
        return Add(new LoopEndpoint(name, handlerFactory, services => services.GetRequiredService<IOptionsMonitor<ServerOptions>>().Get(name)));
    }

    private LoopServerBuilder Add(LoopEndpoint endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint.Name, "name");
        ArgumentNullException.ThrowIfNull(endpoint.HandlerFactory, "handlerFactory");
        if (_endpoints.Any(e => e.Name == endpoint.Name))
        {
            throw new ArgumentException($"A Loop endpoint named '{endpoint.Name}' is already added.", "name");
        }
        _endpoints.Add(endpoint);
        return this;
    }
}

/// <summary>One endpoint: its name, its protocol, and how to get its options once the host is built.</summary>
internal sealed record LoopEndpoint(string Name, Func<IConnectionHandler> HandlerFactory, Func<IServiceProvider, ServerOptions> Options);
