using System.Diagnostics;
using System.Globalization;
using Loop.Benchmarks.EchoLoad;

namespace Loop.Benchmarks.Soak;

/// <summary>One reading of the server process from /proc.</summary>
/// <param name="Sockets">
/// The fds that are sockets: the others are mostly files the runtime opens on first use (an assembly loaded late is two
/// more fds), which is no leak.
/// </param>
/// <param name="Connections">
/// The server's TCP connections on its port that it still holds (ESTABLISHED or CLOSE-WAIT, from /proc/net/tcp): with
/// io_uring's fixed files a connection has no entry in /proc/PID/fd, so the fd count alone would miss a leak.
/// </param>
internal readonly record struct ServerSample(long RssBytes, int Fds, int Sockets, double CpuSeconds, int Connections);

/// <summary>Reads the server's RSS, fds, CPU time and connections, and keeps the peak RSS of every reading.</summary>
internal sealed class ServerProbe(int pid, int port)
{
    private const string Established = "01";
    private const string CloseWait = "08";
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);

    public long PeakRssBytes { get; private set; }

    /// <summary>A reading, or null once the process has exited.</summary>
    public ServerSample? Sample()
    {
        try
        {
            // An exited process its parent has not reaped yet (a zombie) has no VmRSS.
            var rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (rss is null) { return null; }
            var rssBytes = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            PeakRssBytes = Math.Max(PeakRssBytes, rssBytes);
            var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd");
            return new ServerSample(rssBytes, fds.Length, fds.Count(IsSocket), CpuTime.OfProcess(pid), Connections());
        }
        catch (IOException) when (!Directory.Exists($"/proc/{pid}"))
        {
            return null;
        }
    }

    /// <summary>A reading every second until <paramref name="stop"/> (the peak RSS is what it is for).</summary>
    public async Task SampleEverySecondAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop) && Sample() is not null) { }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, until the server holds no connection on its port and no more sockets than
    /// <paramref name="socketsBefore"/>; returns the last reading and how long it took (null if it never got there).
    /// </summary>
    public async Task<(ServerSample? Sample, TimeSpan? Took)> WaitForDrainAsync(int socketsBefore, TimeSpan limit)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var sample = Sample();
            if (sample is not { } s || (s.Connections == 0 && s.Sockets <= socketsBefore)) { return (sample, Stopwatch.GetElapsedTime(start)); }
            if (Stopwatch.GetTimestamp() >= deadline) { return (sample, null); }
            await Task.Delay(DrainPoll);
        }
    }

    // An fd closed since the listing is no socket.
    private static bool IsSocket(string fd)
    {
        try { return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true; }
        catch (IOException) { return false; }
    }

    private int Connections()
    {
        var localPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[1].EndsWith(localPort, StringComparison.Ordinal) && f[3] is Established or CloseWait);
    }
}
