namespace Loop.Samples.Redis.Server;

/// <summary>
/// The Redis version this server answers as (INFO's redis_version, HELLO, LOLWUT, the RDB file's redis-ver, the config
/// file's fatal errors): the one whose behaviour it follows.
/// </summary>
internal static class RedisVersion
{
    public const string Text = "7.0.15";

    /// <summary>INFO's redis_build_id: tells builds apart, as Redis's hash of its build does (here the module's id).</summary>
    public static readonly string BuildId = Convert.ToHexStringLower(typeof(RedisVersion).Module.ModuleVersionId.ToByteArray()[..8]);

    /// <summary>INFO's os, as Redis prints uname: system, release, machine.</summary>
    public static readonly string OperatingSystem = $"{(System.OperatingSystem.IsLinux() ? "Linux" : Environment.OSVersion.Platform.ToString())} {Release()} {Machine()}";

    private static string Release()
    {
        try { return File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return Environment.OSVersion.Version.ToString(); }
        catch (UnauthorizedAccessException) { return Environment.OSVersion.Version.ToString(); }
    }

    private static string Machine() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
