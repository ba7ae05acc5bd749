using System.Text.Json.Serialization;

namespace Loop.Samples.Http;

/// <summary>The TechEmpower json test's message.</summary>
public struct JsonMessage
{
    /// <summary>Always "Hello, World!".</summary>
    public string Message { get; set; }
}

/// <summary>Source-generated serialization of <see cref="JsonMessage"/>: no reflection, no allocation.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
