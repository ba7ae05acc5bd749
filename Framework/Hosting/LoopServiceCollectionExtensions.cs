using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loop.Hosting;

/// <summary>Adding Loop servers to a generic host (<c>Microsoft.Extensions.Hosting</c>).</summary>
public static class LoopServiceCollectionExtensions
{
    /// <summary>
    /// Adds the endpoints <paramref name="configure"/> declares and a hosted service, <see cref="LoopHostedService"/>,
    /// that starts each endpoint's <see cref="Server"/> with the host and stops them when the host stops.
    /// Calling it again adds more endpoints to the same service.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddLoopServer(loop => loop
    ///     .Listen("echo", 7000, () => new EchoHandler())
    ///     .Listen("kv", builder.Configuration.GetSection("Loop"), () => new KeyValueHandler(store)));
    /// </code></example>
    public static IServiceCollection AddLoopServer(this IServiceCollection services, Action<LoopServerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.FirstOrDefault(d => d.ServiceType == typeof(LoopServerBuilder))?.ImplementationInstance as LoopServerBuilder;
        if (builder is null)
        {
            builder = new LoopServerBuilder(services);
            services.AddSingleton(builder);
            services.AddOptions();
            services.AddSingleton(provider => new LoopHostedService(
                builder.Endpoints, provider, provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
            services.AddHostedService(provider => provider.GetRequiredService<LoopHostedService>());
        }
        configure(builder);
        return services;
    }
}
