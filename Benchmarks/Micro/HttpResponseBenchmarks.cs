using BenchmarkDotNet.Attributes;
using Loop.Protocols.Http;

namespace Loop.Benchmarks.Micro;

/// <summary>
/// The response writer as the handler uses it for TechEmpower's /plaintext: begin, one header, the body, complete
/// (status line, Server, Date, Content-Length composed into the connection's output).
/// </summary>
[MemoryDiagnoser]
public class HttpResponseBenchmarks
{
    private readonly HttpOptions _options = new();
    private readonly HttpResponse _response = new(new HttpDate());
    private readonly Connection _connection = DetachedConnection.Create();

    [Benchmark]
    public long PlaintextResponse()
    {
        _response.Begin(_connection, _options, HttpProtocolVersion.Http11, isHead: false, keepAlive: true);
        _response.AddHeader("Content-Type"u8, "text/plain"u8);
        _response.Write("Hello, World!"u8);
        _response.Complete();
        var written = DetachedConnection.Length(_connection);
        DetachedConnection.Clear(_connection);
        return written;
    }
}
