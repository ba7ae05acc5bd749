using System.Runtime.InteropServices;

namespace Loop.Internal.Interop;

/// <summary>struct rlimit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    public ulong Current, Max;
}

/// <summary>
/// The process limits that decide how much the kernel lets a loop hold: open files (the fixed-file table, and
/// every socket on epoll) and locked memory (registered buffers, for a process without CAP_IPC_LOCK).
/// </summary>
internal static unsafe class ResourceLimits
{
    private const int RlimitNofile = 7, RlimitMemlock = 8, CapIpcLock = 14;
    private const ulong Infinity = ulong.MaxValue;

    /// <summary>Raises the soft open-files and locked-memory limits to their hard limits, as far as allowed.</summary>
    public static void RaiseSoftLimits()
    {
        Raise(RlimitNofile);
        Raise(RlimitMemlock);
    }

    /// <summary>The soft limit on open files.</summary>
    public static long OpenFiles => Soft(RlimitNofile);

    /// <summary>Bytes this process may lock (pin), or null when it is not limited (unlimited, or CAP_IPC_LOCK).</summary>
    public static long? LockableBytes => Soft(RlimitMemlock) is var bytes && bytes != long.MaxValue && !HasIpcLock() ? bytes : null;

    private static void Raise(int resource)
    {
        RLimit limit;
        if (Libc.GetRLimit(resource, &limit) != 0 || limit.Current >= limit.Max) { return; }
        limit.Current = limit.Max;
        Libc.SetRLimit(resource, &limit);
    }

    private static long Soft(int resource)
    {
        RLimit limit;
        if (Libc.GetRLimit(resource, &limit) != 0 || limit.Current == Infinity) { return long.MaxValue; }
        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    private static bool HasIpcLock()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return (Convert.ToUInt64(line[7..].Trim(), 16) >> CapIpcLock & 1) != 0;
            }
        }
        return false;
    }
}
