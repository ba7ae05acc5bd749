using System.Net;
using System.Net.Sockets;
using Loop.Internal;
using Loop.Internal.Interop;
using Loop.Internal.Epoll;
using Loop.Internal.IoUring;
using Loop.Internal.Managed;
using Microsoft.Extensions.Logging;

namespace Loop;

/// <summary>
/// A TCP server: one <see cref="EventLoop"/> per core, each with its own thread and its own listener on the
/// same port (SO_REUSEPORT), running one <see cref="IConnectionHandler"/> per connection.
/// </summary>
public sealed class Server : IAsyncDisposable
{
    private readonly EventLoop[] _loops;
    private readonly LoopMetrics _metrics;
    private Task? _stopping;

    private Server(EventLoop[] loops, IPEndPoint endPoint, Backend backend)
    {
        _loops = loops;
        EndPoint = endPoint;
        Backend = backend;
        _metrics = new LoopMetrics(loops, BackendName, endPoint.ToString());
    }

    /// <summary>Counts since start summed over the loops (see also the meter <c>Loop</c>).</summary>
    public LoopStatistics Statistics => _loops.Aggregate(LoopStatistics.Zero, (sum, loop) => sum + loop.Statistics);

    /// <summary>The address and port the server listens on (the actual port when 0 was asked).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The backend the loops run on.</summary>
    public Backend Backend { get; }

    /// <summary>The server's loops, one per thread.</summary>
    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>
    /// Starts the loops and returns once every loop accepts connections. Throws when a loop cannot be set up
    /// (for example io_uring unavailable) or the address cannot be bound.
    /// </summary>
    public static Server Start(ServerOptions options, Func<IConnectionHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        options.Validate();
        var logger = options.LoggerFactory.CreateLogger("Loop");
        if (OperatingSystem.IsLinux()) { ResourceLimits.RaiseSoftLimits(); }

        var backend = options.Backend;
        if (backend == Backend.Auto && !OperatingSystem.IsLinux())
        {
            backend = Backend.Managed;
            logger.LogInformation("Not Linux: using the managed backend");
        }
        Server server;
        if (backend == Backend.Auto)
        {
            try
            {
                server = StartLoops(options, handlerFactory, Backend.IoUring);
            }
            catch (InvalidOperationException e) when (e.InnerException is IoUringUnavailableException)
            {
                logger.LogWarning("io_uring unavailable ({Reason}); falling back to epoll", e.InnerException.Message);
                server = StartLoops(options, handlerFactory, Backend.Epoll);
            }
        }
        else
        {
            server = StartLoops(options, handlerFactory, backend);
        }
        logger.LogInformation("listening on {EndPoint} backend={Backend} loops={Loops} cores={Cores} pinned={Pinned}",
            server.EndPoint, server.BackendName, server.Loops.Count, Environment.ProcessorCount, options.PinThreads);
        return server;
    }

    /// <summary>The backend's name as flags and logs spell it: iouring, epoll or managed.</summary>
    public string BackendName => Backend.ToString().ToLowerInvariant();

    private static Server StartLoops(ServerOptions options, Func<IConnectionHandler> handlerFactory, Backend backend)
    {
        var listeners = Listen(options);
        var endPoint = (IPEndPoint)listeners[0].LocalEndPoint!;
        var loops = new EventLoop[options.LoopCount];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = backend switch
            {
                Backend.IoUring => new IoUringLoop(i, options, handlerFactory, listeners[i]),
                Backend.Epoll => new EpollLoop(i, options, handlerFactory, listeners[i]),
                Backend.Managed => new ManagedLoop(i, options, handlerFactory, listeners[i]),
                _ => throw new ArgumentOutOfRangeException(nameof(backend)),
            };
            new Thread(loops[i].Run) { Name = $"loop-{i}", IsBackground = true }.Start();
        }

        var server = new Server(loops, endPoint, backend);
        try
        {
            Task.WaitAll(loops.Select(l => l.Started));
        }
        catch (AggregateException e)
        {
            server.StopAsync().Wait();
            var cause = e.InnerExceptions[0];
            throw new InvalidOperationException($"The {server.BackendName} backend could not start: {cause.Message}", cause);
        }
        return server;
    }

    private static Socket[] Listen(ServerOptions options)
    {
        var sockets = new Socket[options.LoopCount];
        var endPoint = new IPEndPoint(options.BindAddress, options.Port);
        if (OperatingSystem.IsLinux() && options.Port != 0) { EnsurePortFree(endPoint); }
        try
        {
            for (var i = 0; i < sockets.Length; i++)
            {
                if (!OperatingSystem.IsLinux() && i > 0)
                {
                    // No SO_REUSEPORT balancing elsewhere: the (managed) loops share one listener.
                    sockets[i] = sockets[0];
                    continue;
                }
                var socket = sockets[i] = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (OperatingSystem.IsLinux()) { socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1)); }
                // Accepted sockets inherit TCP_NODELAY from the listener: replies leave without Nagle's delay.
                socket.NoDelay = true;
                socket.Bind(endPoint);
                socket.Listen(4096);
                endPoint = (IPEndPoint)socket.LocalEndPoint!;
            }
        }
        catch
        {
            foreach (var s in sockets) { s?.Dispose(); }
            throw;
        }
        return sockets;
    }

    private const int SolSocket = 1, SoReuseAddr = 2, SoReusePort = 15;

    /// <summary>
    /// SO_REUSEPORT would let this server join another process's listener on the port and split its clients (and a
    /// Redis keyspace) between the two. A plain bind first fails if anything listens there; the loops' own sockets,
    /// bound right after, share the port only among themselves.
    /// </summary>
    private static void EnsurePortFree(IPEndPoint endPoint)
    {
        using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // SO_REUSEADDR: connections of an earlier run still in TIME_WAIT do not count as the port in use. Set raw:
        // .NET's ReuseAddress adds SO_REUSEPORT on Linux, and with it the probe would join the other listeners.
        probe.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try { probe.Bind(endPoint); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"address {endPoint} already in use", e);
        }
    }

    /// <summary>
    /// Stops accepting, lets connections flush what their handlers wrote (up to
    /// <see cref="ServerOptions.ShutdownTimeout"/>), closes them and releases every kernel resource.
    /// </summary>
    public Task StopAsync()
    {
        lock (_loops)
        {
            if (_stopping is null)
            {
                foreach (var loop in _loops)
                {
                    if (loop.Started.IsCompletedSuccessfully) { loop.BeginStop(); }
                }
                _stopping = Task.WhenAll(_loops.Select(l => l.Started.IsCompletedSuccessfully ? l.Stopped : Task.CompletedTask))
                    .ContinueWith(t => { _metrics.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
            }
            return _stopping;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync();
}
