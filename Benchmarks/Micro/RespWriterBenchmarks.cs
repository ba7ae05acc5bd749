using System.Buffers;
using BenchmarkDotNet.Attributes;
using Loop.Protocols.Resp;

namespace Loop.Benchmarks.Micro;

/// <summary>The RESP reply writer on the commonest replies: a bulk string (GET), an integer (INCR), an array header.</summary>
[MemoryDiagnoser]
public class RespWriterBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly RespWriter _writer;

    public RespWriterBenchmarks() => _writer = new RespWriter(_output);

    [Benchmark]
    public int BulkString16Bytes()
    {
        _output.ResetWrittenCount();
        _writer.Bulk("value:0000012345"u8);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Integer()
    {
        _output.ResetWrittenCount();
        _writer.Integer(1234567);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int ArrayHeader()
    {
        _output.ResetWrittenCount();
        _writer.Array(100);
        return _output.WrittenCount;
    }
}
