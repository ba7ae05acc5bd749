using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>
/// A real redis-server (Debian's redis-server package; test.sh installs it) on a free loopback port, in a directory
/// of its own, saving nothing: disposing stops it with SIGTERM and removes the directory. A missing redis-server
/// fails the test that asked for it.
/// </summary>
internal sealed partial class RealRedis : IAsyncDisposable
{
    private RealRedis(Process process, string directory, IPEndPoint endPoint)
    {
        Process = process;
        Directory = directory;
        EndPoint = endPoint;
    }

    public Process Process { get; }

    /// <summary>Its --dir: a dump.rdb placed here before starting is loaded.</summary>
    public string Directory { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>A fresh directory for <see cref="StartAsync"/>.</summary>
    public static string NewDirectory() => System.IO.Directory.CreateTempSubdirectory("loop-real-redis-").FullName;

    /// <summary>Starts redis-server in <paramref name="directory"/> (a new one if null) with <paramref name="arguments"/> added, and waits until it answers.</summary>
    public static Task<RealRedis> StartAsync(string? directory = null, params string[] arguments) => StartAsync(directory, [], arguments);

    /// <summary>As <see cref="StartAsync(string?, string[])"/>, reading <paramref name="configFile"/> first (the options override it).</summary>
    public static Task<RealRedis> StartFromFileAsync(string configFile, string? directory = null, params string[] arguments) =>
        StartAsync(directory, [configFile], arguments);

    private static async Task<RealRedis> StartAsync(string? directory, string[] first, string[] arguments)
    {
        directory ??= NewDirectory();
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in first.Concat(["--port", endPoint.Port.ToString(), "--bind", "127.0.0.1", "--dir", directory,
                     "--save", "", "--appendonly", "no"]).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: test.sh installs it (Debian package redis-server).", e);
        }
        var redis = new RealRedis(process, directory, endPoint);
        // Read its output as it comes, so a full pipe never blocks it; shown when it fails to start.
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!await Polling.Eventually(() => process.HasExited || Answers(endPoint), Timeouts.StartStop) || process.HasExited)
        {
            await redis.DisposeAsync();
            throw new InvalidOperationException($"redis-server did not start: {await log}{await errors}");
        }
        return redis;
    }

    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync(EndPoint);

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Kill(Process.Id, SigTerm);
            try { await Process.WaitForExitAsync().WaitAsync(Timeouts.StartStop); }
            catch (TimeoutException) { Process.Kill(); }
        }
        Process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// Runs one of Redis's tools (redis-check-rdb, redis-check-aof) to its end: its exit code and output. A missing
    /// tool fails the test.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToolAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) { start.ArgumentList.Add(argument); }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed: test.sh installs it (Debian package redis-server).", e);
        }
        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await errors);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Answers(IPEndPoint endPoint)
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endPoint);
            socket.Send("PING\r\n"u8);
            var reply = new byte[7];
            return socket.Receive(reply) > 0 && reply[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
