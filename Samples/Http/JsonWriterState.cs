using System.Text.Json;
using Loop.Protocols.Http;

namespace Loop.Samples.Http;

/// <summary>One JSON writer per loop, reused for every response.</summary>
internal sealed class JsonWriterState
{
    private Utf8JsonWriter? _writer;

    /// <summary>The loop's writer, writing into <paramref name="response"/>.</summary>
    public static Utf8JsonWriter For(HttpResponse response) =>
        response.Loop.GetState(static _ => new JsonWriterState()).WriterFor(response);

    private Utf8JsonWriter WriterFor(HttpResponse response)
    {
        _writer ??= new Utf8JsonWriter(response, new JsonWriterOptions { SkipValidation = true });
        _writer.Reset(response);
        return _writer;
    }
}
