using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.Samples.KeyValue;

namespace Loop.IntegrationTests.KeyValue;

/// <summary>The key-value sample of the "write your own protocol" guide, on every backend.</summary>
public sealed class KeyValueTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Commands_sent_together_are_answered_in_order(Backend backend)
    {
        await using var server = await StartAsync(backend);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("SET greeting hello world\r\nGET greeting\nDEL greeting\nGET greeting\nDEL greeting\nPING\n"u8.ToArray());
        Assert.Equal(
            "OK\nVALUE hello world\nDELETED\nNOT_FOUND\nNOT_FOUND\nERROR expected SET key value, GET key, DEL key or QUIT\n",
            await ReceiveLinesAsync(client, 6));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_value_set_on_one_connection_is_read_on_others_on_every_loop(Backend backend)
    {
        await using var server = await StartAsync(backend);
        using (var writer = await TestClient.ConnectAsync(server.EndPoint))
        {
            await writer.SendAsync("SET shared 42\n"u8.ToArray());
            Assert.Equal("OK\n", await ReceiveLinesAsync(writer, 1));
        }
        var readers = new List<TestClient>();
        try
        {
            // Enough connections that the kernel's SO_REUSEPORT spread reaches both loops.
            for (var i = 0; i < 8; i++) { readers.Add(await TestClient.ConnectAsync(server.EndPoint)); }
            foreach (var reader in readers)
            {
                await reader.SendAsync("GET shared\n"u8.ToArray());
                Assert.Equal("VALUE 42\n", await ReceiveLinesAsync(reader, 1));
            }
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_command_split_across_sends_is_answered_once_its_line_is_complete(Backend backend)
    {
        await using var server = await StartAsync(backend);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        foreach (var part in new[] { "SE", "T k ", "v", "\r", "\nGET", " k", "\n" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(part));
        }
        Assert.Equal("OK\nVALUE v\n", await ReceiveLinesAsync(client, 2));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task QUIT_answers_BYE_and_closes_ignoring_what_follows(Backend backend)
    {
        await using var server = await StartAsync(backend);
        using var client = await TestClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("SET a 1\nQUIT\nGET a\n"u8.ToArray());
        Assert.Equal("OK\nBYE\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_sample_program_serves_on_the_backend_asked_for(Backend backend)
    {
        using var sample = SampleProcess.Start("KeyValue", "loop-kv", new Dictionary<string, string>(),
            "--port", "0", "--loops", "1", "--backend", backend.ToString().ToLowerInvariant());
        try
        {
            var line = await SampleProcess.StartupLineAsync(sample);
            var match = System.Text.RegularExpressions.Regex.Match(line, $@"^listening on 127\.0\.0\.1:(\d+) backend={backend.ToString().ToLowerInvariant()} loops=1$");
            Assert.True(match.Success, line);
            using var client = await TestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups[1].Value)));
            await client.SendAsync("SET lang C#\nGET lang\n"u8.ToArray());
            Assert.Equal("OK\nVALUE C#\n", await ReceiveLinesAsync(client, 2));
        }
        finally
        {
            sample.Kill();
        }
    }

    private static async Task<Server> StartAsync(Backend backend)
    {
        var store = new ConcurrentDictionary<string, string>();
        var options = new ServerOptions { BindAddress = IPAddress.Loopback, Port = 0, LoopCount = 2, Backend = backend };
        return await Task.Run(() => Server.Start(options, () => new KeyValueHandler(store))).WaitAsync(Timeouts.StartStop);
    }

    /// <summary>Receives until <paramref name="count"/> replies (lines) have arrived.</summary>
    private static async Task<string> ReceiveLinesAsync(TestClient client, int count)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (received.ToString().Count(c => c == '\n') < count)
        {
            var n = await client.Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, client.Timeout);
            if (n == 0) { throw new EndOfStreamException($"closed after: {received}"); }
            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return received.ToString();
    }
}
