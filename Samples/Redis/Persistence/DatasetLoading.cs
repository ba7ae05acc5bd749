using System.Diagnostics;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// An RDB file being loaded while the server serves (a replica's full sync, DEBUG RELOAD), as Redis's server.loading:
/// every loop answers LOADING to the commands Redis does not flag loading, INFO persistence shows the progress, and the
/// loop that loads takes in its own clients every 10 ms (<see cref="EventLoop.ServeWhileBusy"/>), as Redis's loading
/// callback processes events every 2 MB.
/// </summary>
internal sealed class DatasetLoading
{
    private readonly long _startedUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly long _totalBytes;
    private long _loadedBytes;

    private DatasetLoading(long totalBytes) => _totalBytes = totalBytes;

    public const string Error = "LOADING Redis is loading the dataset in memory";

    private static readonly TimeSpan ServeEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>Loads <paramref name="input"/> into <paramref name="loader"/>, the caller holding the keyspace exclusively on <paramref name="loop"/>'s thread (null: no loop serves).</summary>
    public static void Run(RedisServer server, FileStream input, KeyspaceLoader loader, EventLoop? loop)
    {
        var loading = new DatasetLoading(input.Length);
        var served = Stopwatch.GetTimestamp();
        loader.Progress = () =>
        {
            Volatile.Write(ref loading._loadedBytes, input.Position);
            if (loop is null || Stopwatch.GetElapsedTime(served) < ServeEvery) { return; }
            loop.ServeWhileBusy();
            served = Stopwatch.GetTimestamp();
        };
        server.Loading = loading;
        try { RdbDecoder.Load(input, loader); }
        finally { server.Loading = null; }
    }

    /// <summary>INFO persistence's loading_* fields, as Redis 7.0 computes them.</summary>
    public (string Key, object Value)[] Fields()
    {
        var loaded = Volatile.Read(ref _loadedBytes);
        var percent = _totalBytes > 0 ? (double)loaded / _totalBytes * 100 : 0;
        var elapsed = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - _startedUnix;
        var eta = elapsed == 0 ? 1 : elapsed * Math.Max(_totalBytes - loaded, 1) / (loaded + 1);
        return [("loading_start_time", _startedUnix), ("loading_total_bytes", _totalBytes), ("loading_rdb_used_mem", 0),
            ("loading_loaded_bytes", loaded), ("loading_loaded_perc", percent.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)),
            ("loading_eta_seconds", eta)];
    }
}
