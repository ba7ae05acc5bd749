using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Loop.IntegrationTests.Infrastructure;
using Loop.IntegrationTests.Redis;

namespace Loop.IntegrationTests.Hardening;

/// <summary>
/// loop-redis as the process redis-server is, for the scripts and units that run Redis: its log in Redis's format in
/// logfile at loglevel, the pid file, systemd's notifications when supervised, and daemonize.
/// </summary>
public sealed partial class ServerProcessTests
{
    [Fact]
    public async Task The_log_is_redis_s_lines_in_logfile_at_the_loglevel_config_set_gives()
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--save", "", "--logfile", "server.log"]);
        var log = Path.Combine(redis.Directory, "server.log");
        var pid = redis.Process.Id;
        using (var client = new RespClient(await RespSocket.ConnectAsync(redis.EndPoint)))
        {
            Assert.Equal("OK", await client.CallAsync("SAVE"));
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "loglevel", "warning"));
            Assert.Equal("OK", await client.CallAsync("SAVE")); // not logged: "DB saved on disk" is a notice
            Assert.Equal("OK", await client.CallAsync("CONFIG", "SET", "loglevel", "notice"));
            Assert.Equal("Background saving started", await client.CallAsync("BGSAVE"));
            Assert.True(await Polling.Eventually(() => Lines(log).Any(l => l.EndsWith(" * Background saving terminated with success"))),
                $"no end of the BGSAVE in the log:\n{string.Join('\n', Lines(log))}");
            Assert.Equal("OK", await client.CallAsync("REPLICAOF", "127.0.0.1", "1"));
            Assert.Equal("OK", await client.CallAsync("REPLICAOF", "NO", "ONE"));
        }
        redis.Terminate();
        Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis did not exit on SIGTERM");

        var lines = Lines(log);
        Assert.All(lines, line => Assert.Matches(LogLine(), line));
        Assert.All(lines, line => Assert.StartsWith($"{pid}:", line));
        Assert.Equal(2, lines.Count(l => l.EndsWith(" * DB saved on disk"))); // the first SAVE's and the BGSAVE's
        Assert.StartsWith($"{pid}:S ", lines.Single(l => l.Contains(" * REPLICAOF 127.0.0.1:1 enabled")));
        Assert.StartsWith($"{pid}:M ", lines.Single(l => l.Contains(" * MASTER MODE enabled")));
        InOrder(lines, "# oO0OoO0OoO0Oo loop-redis is starting oO0OoO0OoO0Oo", "# Server initialized", "* Ready to accept connections",
            "# Received SIGTERM scheduling shutdown...", "# User requested shutdown...", "# Redis is now ready to exit, bye bye...");
        Assert.DoesNotContain(redis.Output, line => line.Contains("Ready to accept connections")); // the log is in the file alone
    }

    [Fact]
    public async Task Without_logfile_the_log_goes_to_standard_output()
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--save", ""]);
        Assert.True(await Polling.Eventually(() => redis.Output.Any(l => l.EndsWith(" * Ready to accept connections"))),
            $"no ready line on standard output:\n{string.Join('\n', redis.Output)}");
        Assert.Matches(LogLine(), redis.Output.First(l => l.Contains("Server initialized")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_log_file_that_cannot_be_opened_stops_the_start_as_in_redis(bool inConfigFile)
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-log-").FullName;
        var file = Path.Combine(directory, "redis.conf");
        await File.WriteAllTextAsync(file, "logfile /nonexistent/loop-redis/server.log\n");
        try
        {
            await using var redis = RedisProcess.Start(inConfigFile ? [file] : ["--logfile", "/nonexistent/loop-redis/server.log"]);
            Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis started without its log file");
            Assert.NotEqual(0, redis.Process.ExitCode);
            Assert.Contains("Can't open the log file: No such file or directory", redis.Errors);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_pid_file_holds_the_pid_while_the_server_runs_and_goes_at_exit()
    {
        await using var redis = await RedisProcess.StartServingAsync(["--port", "0", "--save", "", "--pidfile", "server.pid"]);
        var pidFile = Path.Combine(redis.Directory, "server.pid");
        Assert.Equal($"{redis.Process.Id}\n", await File.ReadAllTextAsync(pidFile));
        redis.Terminate();
        Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis did not exit on SIGTERM");
        Assert.False(File.Exists(pidFile), "the pid file outlived the server");
    }

    [Fact]
    public async Task A_start_that_fails_says_why_in_the_log_file_and_leaves_no_pid_file()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var redis = RedisProcess.Start(["--port", port.ToString(), "--save", "", "--logfile", "server.log", "--pidfile", "server.pid"]);
        Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis went on without its port");
        Assert.Equal(1, redis.Process.ExitCode);
        var lines = Lines(Path.Combine(redis.Directory, "server.log"));
        Assert.Contains(lines, l => l.EndsWith($" # address 127.0.0.1:{port} already in use"));
        Assert.DoesNotContain(lines, l => l.EndsWith(" * Ready to accept connections"));
        Assert.False(File.Exists(Path.Combine(redis.Directory, "server.pid")), "the pid file outlived the server");
    }

    [Fact]
    public async Task Supervised_by_systemd_it_notifies_ready_once_it_serves_and_stopping_at_shutdown()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-notify-").FullName;
        var socketPath = Path.Combine(directory, "notify");
        using var notifications = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifications.Bind(new UnixDomainSocketEndPoint(socketPath));
        try
        {
            await using var redis = RedisProcess.Start(["--port", "0", "--save", "", "--supervised", "systemd"],
                environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
            Assert.Equal("STATUS=Redis is loading...", await ReceiveAsync(notifications));
            Assert.Equal("STATUS=Ready to accept connections\nREADY=1", await ReceiveAsync(notifications));
            // READY=1 comes once the loops listen: a connection after it is served.
            Assert.True(await Polling.Eventually(() => redis.Output.Any(l => l.StartsWith("listening on"))), "no startup line");
            var port = int.Parse(ListeningPort().Match(redis.Output.First(l => l.StartsWith("listening on"))).Groups[1].Value);
            using var client = new RespClient(await RespSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.Equal("PONG", await client.CallAsync("PING"));
            await client.SendAsync("SHUTDOWN", "NOSAVE");
            Assert.Equal("STOPPING=1", await ReceiveAsync(notifications));
            Assert.True(await redis.ExitsWithinAsync(Timeouts.StartStop), "loop-redis did not exit on SHUTDOWN");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Daemonize_leaves_a_detached_server_that_writes_its_pid_file_and_log()
    {
        var directory = Directory.CreateTempSubdirectory("loop-redis-daemon-").FullName;
        var (pidFile, log) = (Path.Combine(directory, "server.pid"), Path.Combine(directory, "server.log"));
        var daemonPid = 0;
        try
        {
            await using (var parent = RedisProcess.Start(["--port", "0", "--save", "", "--daemonize", "yes", "--pidfile", pidFile, "--logfile", log],
                directory: directory))
            {
                Assert.True(await parent.ExitsWithinAsync(Timeouts.StartStop), "the process started did not exit, leaving the daemon");
                Assert.Equal(0, parent.Process.ExitCode);
                Assert.True(await Polling.Eventually(() => Lines(log).Any(l => l.EndsWith(" * Ready to accept connections")), Timeouts.StartStop),
                    $"the daemon did not start:\n{string.Join('\n', Lines(log))}");
                daemonPid = int.Parse(await File.ReadAllTextAsync(pidFile));
                Assert.NotEqual(parent.Process.Id, daemonPid);
            }
            // Its own session, and nothing of the terminal it was started from.
            var stat = await File.ReadAllTextAsync($"/proc/{daemonPid}/stat");
            Assert.Equal(daemonPid.ToString(), stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3]); // the session id
            Assert.Equal("/dev/null", new FileInfo($"/proc/{daemonPid}/fd/1").LinkTarget);

            var port = int.Parse(ListeningPort().Match(Lines(log).Single(l => l.Contains(" listening on "))).Groups[1].Value);
            using var client = new RespClient(await RespSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.Equal("PONG", await client.CallAsync("PING"));
            await client.SendAsync("SHUTDOWN", "NOSAVE");
            Assert.True(await Polling.Eventually(() => !Runs(daemonPid), Timeouts.StartStop), "the daemon did not exit on SHUTDOWN");
            daemonPid = 0;
            Assert.False(File.Exists(pidFile), "the pid file outlived the daemon");
        }
        finally
        {
            if (daemonPid != 0) { try { System.Diagnostics.Process.GetProcessById(daemonPid).Kill(); } catch (ArgumentException) { } }
            Directory.Delete(directory, recursive: true);
        }
    }

    // Whether the process exists and has not exited (an orphan's zombie waits for whoever reaps it).
    private static bool Runs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException) { return false; }
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    private static void InOrder(string[] lines, params string[] endings)
    {
        var at = -1;
        foreach (var ending in endings)
        {
            var next = Array.FindIndex(lines, at + 1, l => l.EndsWith(" " + ending));
            Assert.True(next > at, $"'{ending}' not after the previous line in:\n{string.Join('\n', lines)}");
            at = next;
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1024];
        var count = await socket.ReceiveAsync(buffer).WaitAsync(Timeouts.StartStop);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }

    // serverLogRaw's "PID:ROLE 28 Nov 2026 15:25:37.123 * message".
    [GeneratedRegex(@"^\d+:[MS] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] \S")]
    private static partial Regex LogLine();

    [GeneratedRegex(@"listening on [^:\s]+:(\d+) ")]
    private static partial Regex ListeningPort();
}
