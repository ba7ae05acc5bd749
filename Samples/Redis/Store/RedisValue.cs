namespace Loop.Samples.Redis.Store;

/// <summary>
/// A value that is not a string. Strings are plain <c>byte[]</c>, the common case kept lean; every other
/// type (list, hash, set, sorted set, stream) implements this.
/// </summary>
internal interface IRedisCollection
{
    /// <summary>The name TYPE answers: list, hash, set, zset, stream.</summary>
    string TypeName { get; }

    /// <summary>True when the last element is gone: Redis deletes empty collections.</summary>
    bool IsEmpty { get; }

    /// <summary>A deep copy, for COPY.</summary>
    IRedisCollection Clone();
}

internal static class RedisValue
{
    public static string TypeName(object value) => value is byte[] ? "string" : ((IRedisCollection)value).TypeName;

    public static object Clone(object value) => value is byte[] bytes ? bytes.AsSpan().ToArray() : ((IRedisCollection)value).Clone();
}
