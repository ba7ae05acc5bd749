using Loop.Internal.Output;

namespace Loop.UnitTests.Framework;

public sealed class OutputBufferTests : IDisposable
{
    private readonly ChunkPool _pool = new(chunkCount: 2, chunkSize: 256);

    [Fact]
    public void Writes_span_chunks_and_read_back_in_order()
    {
        var output = new OutputBuffer(_pool);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        output.Write(data);
        Assert.Equal(1000, output.Length);
        Assert.Equal(data, Drain(output, sendSize: 100));
        Assert.Equal(0, output.Length);
        Assert.Null(output.Head);
    }

    [Fact]
    public void Registered_chunks_come_first_then_heap_chunks()
    {
        var output = new OutputBuffer(_pool);
        output.Write(new byte[256 * 3]);
        var chunks = new List<OutputChunk>();
        for (var c = output.Head; c is not null; c = c.Next) { chunks.Add(c); }
        Assert.Equal([true, true, false], chunks.Select(c => c.Registered));
    }

    [Fact]
    public void A_size_hint_larger_than_a_chunk_gets_a_span_that_large()
    {
        var output = new OutputBuffer(_pool);
        Assert.True(output.GetSpan(1000).Length >= 1000);
        output.Advance(1000);
        Assert.Equal(1000, output.Length);
    }

    [Fact]
    public void Advance_past_the_span_is_refused()
    {
        var output = new OutputBuffer(_pool);
        var length = output.GetSpan(10).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Advance(length + 1));
    }

    [Fact]
    public void Sent_chunks_go_back_to_the_pool()
    {
        var output = new OutputBuffer(_pool);
        output.Write(new byte[512]);
        Drain(output, sendSize: 512);
        var again = new OutputBuffer(_pool);
        again.Write(new byte[512]);
        Assert.True(again.Head!.Registered && again.Head.Next!.Registered);
    }

    // Consumes the buffer the way a sender does: from the head chunk, at most sendSize bytes at a time.
    private static unsafe byte[] Drain(OutputBuffer output, int sendSize)
    {
        var result = new List<byte>();
        while (output.Head is { } head)
        {
            var n = Math.Min(sendSize, head.Unsent);
            result.AddRange(new ReadOnlySpan<byte>(head.Pointer + head.Start, n).ToArray());
            output.Consume(n);
        }
        return result.ToArray();
    }

    public void Dispose() => _pool.Dispose();
}
