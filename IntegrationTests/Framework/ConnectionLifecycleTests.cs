using System.Net;
using System.Net.Sockets;
using System.Text;
using Loop.IntegrationTests.Infrastructure;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Framework;

public sealed class ConnectionLifecycleTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unconsumed_bytes_are_presented_again_with_the_next_data(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new LineHandler());
        using var client = await Connect(server);
        await client.SendAsync("hel"u8.ToArray());
        await client.SendAsync("lo\nwor"u8.ToArray());
        await client.SendAsync("ld\n"u8.ToArray());
        Assert.Equal("hello\nworld\n", await ReadText(client, 12));
    }

    public static TheoryData<Backend, string> BackendsAndLoopbacks()
    {
        var data = new TheoryData<Backend, string>();
        foreach (var backend in Backends.Concrete) { data.Add(backend, "127.0.0.1"); data.Add(backend, "::1"); }
        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndLoopbacks))]
    public async Task The_handler_knows_the_peers_address_from_OnOpen(Backend backend, string loopback)
    {
        var address = IPAddress.Parse(loopback);
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1, BindAddress = address }, () => new PeerGreetingHandler());
        using var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoint).WaitAsync(Timeouts.StartStop);
        var expected = $"{client.LocalEndPoint}\n";
        Assert.Equal(expected, await ReadText(client, expected.Length));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Close_flushes_what_the_handler_wrote_then_ends_the_stream(Backend backend)
    {
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1 }, () => new LineHandler());
        using var client = await Connect(server);
        await client.SendAsync("one\nbye\nignored\n"u8.ToArray());
        Assert.Equal("one\nciao\n", await ReadText(client, 9));
        Assert.Equal(0, await client.ReceiveAsync(new byte[16]).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failing_handler_closes_only_its_connection_and_is_logged(Backend backend)
    {
        var log = new CapturingLogger();
        await using var server = Server.Start(new ServerOptions { Backend = backend, LoopCount = 1, LoggerFactory = log }, () => new ThrowingHandler());
        using var victim = await Connect(server);
        using var bystander = await Connect(server);
        await victim.SendAsync("boom"u8.ToArray());
        Assert.Equal(0, await victim.ReceiveAsync(new byte[16]).WaitAsync(TimeSpan.FromSeconds(10)));
        await bystander.SendAsync("still here"u8.ToArray());
        Assert.Equal("still here", await ReadText(bystander, 10));
        Assert.Contains(log.Lines, l => l.StartsWith("Error: Handler failed on connection"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Output_past_the_limit_closes_the_connection_with_a_log_line(Backend backend)
    {
        var log = new CapturingLogger();
        var options = new ServerOptions { Backend = backend, LoopCount = 1, LoggerFactory = log, OutputPauseBytes = 64 * 1024, MaxOutputBytes = 1024 * 1024 };
        await using var server = Server.Start(options, () => new FloodHandler(bytesPerByte: 2 * 1024 * 1024));
        using var client = await Connect(server);
        await client.SendAsync("x"u8.ToArray());
        await Wait.Until(() => log.Lines.Any(l => l.Contains("passed MaxOutputBytes")), "the limit to be logged");
        Assert.True(await ReadsToEndOrReset(client), "the connection stayed open");
        await Wait.Until(() => server.Loops[0].ConnectionCount == 0, "the flooding connection to be released");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_peer_that_does_not_read_pauses_receiving_instead_of_growing_output(Backend backend)
    {
        // Far more than fits in the socket buffers: the server must stop reading while output is backed up.
        const int total = 24 * 1024 * 1024;
        var options = new ServerOptions { Backend = backend, LoopCount = 1, OutputPauseBytes = 256 * 1024, MaxOutputBytes = 4 * 1024 * 1024 };
        await using var server = Server.Start(options, () => new EchoHandler());
        using var client = await Connect(server);
        var payload = new byte[total];
        new Random(7).NextBytes(payload);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var writing = client.SendAsync(payload, SocketFlags.None, timeout.Token).AsTask();
        await Wait.Until(() => server.Loops[0].Counters.ReceivePauses > 0, "receive paused");

        var echoed = new byte[total];
        for (var read = 0; read < total;)
        {
            read += await client.ReceiveAsync(echoed.AsMemory(read), SocketFlags.None, timeout.Token);
        }
        await writing;
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "echoed stream differs");
        Assert.Equal(1, server.Loops[0].ConnectionCount);
    }

    // True once the server has closed the connection (EOF or reset), reading whatever it sent first.
    private static async Task<bool> ReadsToEndOrReset(Socket client)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await client.ReceiveAsync(buffer, timeout.Token) > 0) { }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<Socket> Connect(Server server)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    private static async Task<string> ReadText(Socket client, int length)
    {
        var buffer = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var read = 0; read < length;)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0) { break; }
            read += n;
        }
        return Encoding.ASCII.GetString(buffer);
    }
}
