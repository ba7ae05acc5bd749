using System.Runtime.InteropServices;

namespace Loop.Benchmarks.EchoLoad;

/// <summary>CPU time so far, from /proc: used by one process (all threads), idle on the whole machine.</summary>
internal static partial class CpuTime
{
    private const int ScClkTck = 2;
    private static readonly double s_ticksPerSecond = Sysconf(ScClkTck);

    /// <summary>utime + stime of a process; with tick accounting this includes softirq work run in its context.</summary>
    public static double OfProcess(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after it start with state (field 3).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[14 - 3]) + long.Parse(fields[15 - 3])) / s_ticksPerSecond;
    }

    /// <summary>
    /// Idle (and iowait) time summed over all CPUs. Unlike the busy fields of /proc/stat, which are
    /// sampled at ticks and undercount bursty work, idle time is measured exactly on tickless kernels.
    /// </summary>
    public static double IdleOfMachine()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[4]) + long.Parse(fields[5])) / s_ticksPerSecond;
    }

    /// <summary>CPUs of the machine, not just the ones this process may run on.</summary>
    public static int MachineCpus() => File.ReadLines("/proc/stat").Count(l => l.StartsWith("cpu") && char.IsAsciiDigit(l[3]));

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}
