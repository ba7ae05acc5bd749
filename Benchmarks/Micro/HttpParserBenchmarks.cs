using System.Text;
using BenchmarkDotNet.Attributes;
using Loop.Protocols.Http;

namespace Loop.Benchmarks.Micro;

/// <summary>
/// The request reader as the HTTP handler drives it (read, take the request, end it): one typical GET, and a
/// pipelined batch of 16 of them in one buffer as wrk's /plaintext test sends them.
/// </summary>
[MemoryDiagnoser]
public class HttpParserBenchmarks
{
    private const int Depth = 16;
    private static readonly byte[] s_get = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\n" +
        "Host: localhost:8080\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n" +
        "Accept-Encoding: gzip, deflate\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n");
    private static readonly byte[] s_pipelined = [.. Enumerable.Repeat(s_get, Depth).SelectMany(request => request)];

    private readonly HttpRequestReader _reader = new(new HttpOptions());

    [Benchmark]
    public int GetWith5Headers() => ReadAll(s_get);

    [Benchmark(OperationsPerInvoke = Depth)]
    public int PipelinedGets16PerRequest() => ReadAll(s_pipelined);

    // Reads every request in data; returns the summed path lengths so that nothing is optimized away.
    private int ReadAll(ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        var sum = 0;
        while (true)
        {
            var rest = data[consumed..];
            var step = _reader.Read(rest, out var used);
            consumed += used;
            if (step == ReadStep.Request)
            {
                sum += _reader.Request(rest, connection: null).Path.Length;
                _reader.EndRequest();
            }
            else if (step != ReadStep.Progress) { return step == ReadStep.NeedMore ? sum : throw new InvalidOperationException($"{step}"); }
        }
    }
}
