using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis in its own process, started through <c>bash -c</c> so that shell commands (<c>ulimit -n 160</c>)
/// can lower its limits first, optionally as user nobody. It runs in a directory of its own (its dump.rdb goes
/// there), fresh unless given. Its output is collected line by line as it comes; disposing stops it with SIGTERM,
/// kills it if it has not exited within <see cref="Timeouts.StartStop"/>, and removes a fresh directory.
/// </summary>
internal sealed partial class RedisProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];

    private readonly bool _ownsDirectory;

    private RedisProcess(Process process, string directory, bool ownsDirectory)
    {
        Process = process;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.Add(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_errors) { _errors.Add(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Its working directory, where it reads and writes dump.rdb.</summary>
    public string Directory { get; }

    /// <summary>Sends SIGTERM: it saves when save points are set, then exits.</summary>
    public void Terminate() => Kill(Process.Id, SigTerm);

    /// <summary>The address from the startup line.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>The line "listening on ADDRESS:PORT backend=NAME loops=N".</summary>
    public string StartupLine { get; private set; } = "";

    /// <summary>What it has written to standard output so far (its log and startup line).</summary>
    public string[] Output { get { lock (_output) { return [.. _output]; } } }

    /// <summary>What it has written to standard error so far.</summary>
    public string Errors { get { lock (_errors) { return string.Join('\n', _errors); } } }

    /// <summary>
    /// Starts loop-redis with <paramref name="args"/>, after <paramref name="limits"/> (shell commands such as
    /// <c>ulimit -n 160</c>) if any, as user nobody if <paramref name="asNobody"/>, in <paramref name="directory"/> or a
    /// fresh one (writable by nobody too), with <paramref name="environment"/>'s variables added to its environment.
    /// </summary>
    public static RedisProcess Start(string[] args, string limits = "", bool asNobody = false, string? directory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var owns = directory is null;
        if (directory is null)
        {
            directory = System.IO.Directory.CreateTempSubdirectory("loop-redis-").FullName;
            Chmod(directory, 0b111_111_111); // rwx for nobody too
        }
        var info = new ProcessStartInfo(asNobody ? "setpriv" : "bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) { info.Environment[name] = value; }
        if (asNobody)
        {
            foreach (var arg in AsNobody) { info.ArgumentList.Add(arg); }
            info.ArgumentList.Add("bash");
        }
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(limits.Length > 0 ? $"set -e; {limits}; exec \"$0\" \"$@\"" : "exec \"$0\" \"$@\"");
        info.ArgumentList.Add(Environment.ProcessPath!);
        info.ArgumentList.Add(Dll);
        foreach (var arg in args) { info.ArgumentList.Add(arg); }
        return new RedisProcess(Process.Start(info)!, directory, owns);
    }

    /// <summary>Starts loop-redis and waits for its startup line, failing with its errors if it exits instead.</summary>
    public static async Task<RedisProcess> StartServingAsync(string[] args, string limits = "", bool asNobody = false, string? directory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var redis = Start(args, limits, asNobody, directory, environment);
        try
        {
            await Polling.Eventually(() => redis.Startup() is not null || redis.Process.HasExited, Timeouts.StartStop);
            if (redis.Startup() is null && redis.Process.HasExited) { await redis.Process.WaitForExitAsync(); }
            var line = redis.Startup();
            Assert.True(line is not null, redis.Process.HasExited
                ? $"loop-redis exited with code {redis.Process.ExitCode} without a startup line: {redis.Errors}"
                : $"loop-redis wrote no startup line within {Timeouts.StartStop.TotalSeconds} s");
            redis.StartupLine = line;
            redis.EndPoint = IPEndPoint.Parse(ListeningOn().Match(line).Groups[1].Value);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    private string? Startup() => Output.FirstOrDefault(l => l.StartsWith("listening on"));

    /// <summary>The sample's dll.</summary>
    public static string Dll => SampleProcess.PathOf("Redis", "loop-redis");

    /// <summary>setpriv's arguments for running a command as nobody, with a HOME nobody can write.</summary>
    public static readonly string[] AsNobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp"];

    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Resident memory now, from /proc/PID/status (VmRSS).</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Process.Id}/status").Single(l => l.StartsWith("VmRSS:"));
        return long.Parse(Regex.Match(line, @"\d+").Value) * 1024;
    }

    /// <summary>connected_clients from INFO clients, asked on <paramref name="client"/>.</summary>
    public static async Task<int> ConnectedClientsAsync(RespSocket client) =>
        int.Parse(ConnectedClients().Match(await client.CommandAsync("INFO", "clients")).Groups[1].Value);

    /// <summary>Whether it exits within <paramref name="timeout"/>.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        try
        {
            await Process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Kill(Process.Id, SigTerm);
            if (!await ExitsWithinAsync(Timeouts.StartStop)) { Process.Kill(entireProcessTree: true); }
        }
        await Process.WaitForExitAsync();
        Process.Dispose();
        if (_ownsDirectory) { System.IO.Directory.Delete(Directory, recursive: true); }
    }

    [GeneratedRegex(@"^listening on (\S+) ")]
    private static partial Regex ListeningOn();

    [GeneratedRegex(@"connected_clients:(\d+)")]
    private static partial Regex ConnectedClients();

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chmod(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
