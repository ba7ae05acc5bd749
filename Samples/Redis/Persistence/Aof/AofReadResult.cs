namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// How a command file ended. <paramref name="ValidUpTo"/>: the offset where its last complete command (or transaction)
/// ends. <paramref name="Truncated"/>: bytes follow it that are not a complete one (a command cut short, a MULTI
/// without its EXEC); the caller warns and truncates the file there, as Redis does with <c>aof-load-truncated yes</c>.
/// </summary>
internal readonly record struct AofReadResult(long ValidUpTo, bool Truncated);
