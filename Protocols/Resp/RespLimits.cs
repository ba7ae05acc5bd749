namespace Loop.Protocols.Resp;

/// <summary>How large a request may be before it is a protocol error (Redis's defaults).</summary>
public sealed class RespLimits
{
    /// <summary>Largest bulk string (Redis's proto-max-bulk-len): 512 MB.</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most arguments in one command.</summary>
    public int MaxArrayLength { get; init; } = 1024 * 1024;

    /// <summary>Longest inline command or header line without its terminator.</summary>
    public int MaxInlineLength { get; init; } = 64 * 1024;
}
