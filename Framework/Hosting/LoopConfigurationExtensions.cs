using System.Net;
using Microsoft.Extensions.Configuration;

namespace Loop.Hosting;

/// <summary>Binding <see cref="ServerOptions"/> from configuration (appsettings.json, environment, command line).</summary>
public static class LoopConfigurationExtensions
{
    /// <summary>
    /// Sets every <see cref="ServerOptions"/> property that <paramref name="section"/> names (for the section
    /// <c>Loop</c>: <c>"Loop": { "Port": 6379 }</c>, <c>Loop__Port=6379</c>, <c>--Loop:Port 6379</c>), leaving the
    /// others as they are. <c>BindAddress</c> is an IP address, <c>Backend</c> a backend name
    /// (<c>iouring</c>, <c>epoll</c>, ...), <c>ShutdownTimeout</c> a time span (<c>00:00:05</c>). A value that does not
    /// convert throws an <see cref="ArgumentException"/> naming the setting; ranges are checked by
    /// <see cref="ServerOptions.Validate"/>.
    /// </summary>
    public static ServerOptions BindServerOptions(this IConfiguration section, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var path = section is IConfigurationSection s ? s.Path + ":" : "";
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{e.Message} {e.InnerException?.Message}".TrimEnd(), e);
        }
        // The binder knows no conversion to IPAddress (it would leave the address as it was, silently).
        var bind = section[nameof(ServerOptions.BindAddress)];
        if (bind is not null)
        {
            options.BindAddress = IPAddress.TryParse(bind, out var address)
                ? address
                : throw new ArgumentException($"ServerOptions.BindAddress ('{path}{nameof(ServerOptions.BindAddress)}') must be an IP address, not '{bind}'.", nameof(ServerOptions.BindAddress));
        }
        return options;
    }
}
