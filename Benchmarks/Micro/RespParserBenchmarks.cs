using System.Text;
using BenchmarkDotNet.Attributes;
using Loop.Protocols.Resp;

namespace Loop.Benchmarks.Micro;

/// <summary>The RESP request parser on what redis-benchmark sends: SET as a multibulk, 16 of them pipelined, inline PING.</summary>
[MemoryDiagnoser]
public class RespParserBenchmarks
{
    private const int Depth = 16;
    private static readonly byte[] s_set = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$3\r\nxxx\r\n");
    private static readonly byte[] s_pipelined = [.. Enumerable.Repeat(s_set, Depth).SelectMany(command => command)];
    private static readonly byte[] s_ping = Encoding.ASCII.GetBytes("PING\r\n");

    private readonly RespLimits _limits = new();
    // Sized as a connection's would be after its first commands: growth is not what is measured.
    private RespArgument[] _arguments = new RespArgument[16];
    private byte[] _scratch = new byte[64];
    private RespParseProgress _progress;

    [Benchmark]
    public int SetMultibulk() => ParseAll(s_set);

    [Benchmark(OperationsPerInvoke = Depth)]
    public int PipelinedSets16PerCommand() => ParseAll(s_pipelined);

    [Benchmark]
    public int InlinePing() => ParseAll(s_ping);

    // Parses every command in input; returns the summed argument counts so that nothing is optimized away.
    private int ParseAll(ReadOnlySpan<byte> input)
    {
        var sum = 0;
        while (!input.IsEmpty)
        {
            var status = RespParser.TryParse(input, _limits, ref _progress, ref _arguments, ref _scratch, out var count, out var consumed, out var error);
            if (status != RespParseStatus.Complete) { throw new InvalidOperationException($"{status} {error}"); }
            sum += count;
            input = input[consumed..];
        }
        return sum;
    }
}
