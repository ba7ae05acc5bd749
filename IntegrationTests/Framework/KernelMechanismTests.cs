using System.Net.Sockets;
using System.Text.RegularExpressions;
using Loop.Protocols.Echo;

namespace Loop.IntegrationTests.Framework;

/// <summary>
/// Evidence from the kernel's side that the io_uring mechanisms are in use: the ring's
/// /proc/self/fdinfo entry lists its fixed files, registered buffers and armed poll-driven requests.
/// </summary>
public sealed class KernelMechanismTests
{
    private const int OpAccept = 13, OpRecv = 27;

    [Fact]
    public async Task Connections_are_fixed_files_with_one_armed_multishot_receive_each()
    {
        var options = new ServerOptions { LoopCount = 1, OutputChunkCount = 64, OutputChunkSize = 4096, MaxConnectionsPerLoop = 256 };
        await using var server = Server.Start(options, () => new EchoHandler());
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(server.EndPoint);
                clients.Add(client);
            }
            // An echo proves each connection is fully set up (its receive armed) before we look.
            foreach (var client in clients) { await EchoOnce(client); }

            var info = RingInfo(server);
            Assert.Equal(256, int.Parse(Field(info, "UserFiles")));
            Assert.Equal(5, Regex.Matches(info, @"^\s+\d+: socket:\[\d+\]$", RegexOptions.Multiline).Count);
            Assert.Equal("1", Field(info, "UserBufs"));
            Assert.Matches(@$"0: 0x[0-9a-f]+/{64 * 4096}", info);
            var polls = PollOps(info);
            Assert.Equal(5, polls.Count(op => op == OpRecv));
            Assert.Equal(1, polls.Count(op => op == OpAccept));
        }
        finally
        {
            foreach (var client in clients) { client.Dispose(); }
        }

        await Wait.Until(() => server.Loops[0].ConnectionCount == 0, "connections released");
        var after = RingInfo(server);
        Assert.Empty(Regex.Matches(after, @"^\s+\d+: socket:", RegexOptions.Multiline));
        Assert.DoesNotContain(OpRecv, PollOps(after));
    }

    private static async Task EchoOnce(Socket client)
    {
        await client.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < 4) { read += await client.ReceiveAsync(buffer.AsMemory(read), timeout.Token); }
    }

    private static string RingInfo(Server server)
    {
        var fd = ((Internal.IoUring.IoUringLoop)server.Loops[0]).RingFd;
        return File.ReadAllText($"/proc/self/fdinfo/{fd}");
    }

    private static string Field(string info, string name) =>
        Regex.Match(info, @$"^{name}:\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    private static List<int> PollOps(string info) =>
        Regex.Matches(info, @"^\s+op=(\d+)", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();
}
