using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loop;

/// <summary>What a <see cref="Server"/> listens on and the limits its loops keep.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to listen on. Loopback unless said otherwise.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (see <see cref="Server.EndPoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>Number of loops, one thread and one listener each. Defaults to the processor count.</summary>
    public int LoopCount { get; set; } = Environment.ProcessorCount;

    /// <summary>Pin loop i to CPU i (modulo the processor count).</summary>
    public bool PinThreads { get; set; }

    /// <summary>Kernel interface to use; <see cref="Backend.Auto"/> picks the best available.</summary>
    public Backend Backend { get; set; } = Backend.Auto;

    /// <summary>Receive buffers per loop (a power of two, at most 32768), shared by all its connections.</summary>
    public int ReceiveBufferCount { get; set; } = 512;

    /// <summary>Size of one receive buffer in bytes.</summary>
    public int ReceiveBufferSize { get; set; } = 16 * 1024;

    /// <summary>Output chunks per loop in registered memory; more are taken from the heap when needed.</summary>
    public int OutputChunkCount { get; set; } = 512;

    /// <summary>Size of one output chunk in bytes.</summary>
    public int OutputChunkSize { get; set; } = 16 * 1024;

    /// <summary>Connections one loop holds at once (the size of its fixed-file table).</summary>
    public int MaxConnectionsPerLoop { get; set; } = 16 * 1024;

    /// <summary>
    /// Unsent output at which a connection stops reading until the peer catches up (backpressure).
    /// </summary>
    public long OutputPauseBytes { get; set; } = 1024 * 1024;

    /// <summary>Unsent output beyond which a connection is closed: the peer is not reading.</summary>
    public long MaxOutputBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Received bytes a handler may leave unconsumed (one incomplete message) before the connection is closed.</summary>
    public int MaxUnconsumedBytes { get; set; } = 1024 * 1024;

    /// <summary>Submission queue entries per ring (the completion queue is four times larger).</summary>
    public int RingEntries { get; set; } = 1024;

    /// <summary>How long a stop waits for connections to flush their output before closing them anyway.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the server logs startup, limits hit and errors.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Checks every setting; throws an <see cref="ArgumentException"/> whose message names the first bad one
    /// (<c>ServerOptions.LoopCount must be at least 1.</c>). <see cref="Server.Start"/> calls it; call it
    /// earlier to fail fast on options bound from configuration.
    /// </summary>
    public void Validate()
    {
        Require(Port is >= 0 and <= 65535, nameof(Port), "must be 0..65535");
        Require(LoopCount >= 1, nameof(LoopCount), "must be at least 1");
        Require(ReceiveBufferCount is >= 1 and <= 32768 && int.IsPow2(ReceiveBufferCount), nameof(ReceiveBufferCount), "must be a power of two up to 32768");
        Require(ReceiveBufferSize >= 64, nameof(ReceiveBufferSize), "must be at least 64");
        Require(OutputChunkCount >= 1, nameof(OutputChunkCount), "must be at least 1");
        Require(OutputChunkSize >= 256, nameof(OutputChunkSize), "must be at least 256");
        Require(MaxConnectionsPerLoop >= 1, nameof(MaxConnectionsPerLoop), "must be at least 1");
        Require(OutputPauseBytes >= 1 && OutputPauseBytes <= MaxOutputBytes, nameof(OutputPauseBytes), "must be between 1 and MaxOutputBytes");
        Require(MaxUnconsumedBytes >= 1, nameof(MaxUnconsumedBytes), "must be at least 1");
        Require(RingEntries is >= 8 and <= 32768 && int.IsPow2(RingEntries), nameof(RingEntries), "must be a power of two from 8 to 32768");
        Require(ShutdownTimeout >= TimeSpan.Zero, nameof(ShutdownTimeout), "must not be negative");
    }

    private static void Require(bool ok, string setting, string rule)
    {
        if (!ok) { throw new ArgumentException($"ServerOptions.{setting} {rule}.", setting); }
    }
}
