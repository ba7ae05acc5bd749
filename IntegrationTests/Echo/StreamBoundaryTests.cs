using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Echo;

/// <summary>TCP is a byte stream: how the client cuts or batches its writes must not change what comes back.</summary>
public sealed class StreamBoundaryTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task WritesSplitAtOddBoundariesEchoExactly(Backend backend)
    {
        int[] pieceSizes = [1, 3, 7, 13, 1021];
        await using var server = await TestServer.StartEchoAsync(backend);
        var client = await server.ConnectAsync();
        var payload = Payloads.Random(64 * 1024, seed: 17);

        var receiving = client.ReceiveExactlyAsync(payload.Length);
        // One send per piece, each its own segment (no Nagle): the server receives the stream cut at these boundaries.
        for (int offset = 0, i = 0; offset < payload.Length; i++)
        {
            var size = Math.Min(pieceSizes[i % pieceSizes.Length], payload.Length - offset);
            await client.SendAsync(payload.AsMemory(offset, size));
            offset += size;
        }

        Assert.Equal(payload, await receiving);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task PipelinedBurstEchoesInOrder(Backend backend)
    {
        await using var server = await TestServer.StartEchoAsync(backend);
        var client = await server.ConnectAsync();
        // Small enough in total (about 60 KiB) to sit in socket buffers while nothing reads the replies.
        var messages = Enumerable.Range(0, 2000).Select(i => Payloads.Random(1 + i % 61, seed: i)).ToArray();

        foreach (var message in messages) { await client.SendAsync(message); }
        var expected = messages.SelectMany(m => m).ToArray();

        Assert.Equal(expected, await client.ReceiveExactlyAsync(expected.Length));
    }
}
