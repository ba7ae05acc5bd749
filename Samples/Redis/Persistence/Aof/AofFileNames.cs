namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Redis 7.0's names for the files of a multi-part append-only file, all inside the <c>appenddirname</c> directory and
/// all starting with <c>appendfilename</c>: the manifest, the base (an RDB preamble or commands) and the incr files.
/// </summary>
internal static class AofFileNames
{
    /// <summary>Redis's default <c>appenddirname</c>.</summary>
    public const string DefaultDirectoryName = "appendonlydir";

    /// <summary>Redis's default <c>appendfilename</c>; also the old-style single file in <c>dir</c> that Redis 7.0 upgrades.</summary>
    public const string DefaultFileName = "appendonly.aof";

    /// <summary><c>appendonly.aof.manifest</c>.</summary>
    public static string Manifest(string appendFileName) => $"{appendFileName}.manifest";

    /// <summary><c>appendonly.aof.1.base.rdb</c> (with an RDB preamble, Redis's default) or <c>appendonly.aof.1.base.aof</c> (commands).</summary>
    public static string Base(string appendFileName, long sequence, bool rdbPreamble) =>
        $"{appendFileName}.{sequence}.base.{(rdbPreamble ? "rdb" : "aof")}";

    /// <summary><c>appendonly.aof.1.incr.aof</c>.</summary>
    public static string Incr(string appendFileName, long sequence) => $"{appendFileName}.{sequence}.incr.aof";
}
