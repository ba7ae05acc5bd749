using System.Diagnostics;

namespace Loop.IntegrationTests.Infrastructure;

/// <summary>A sample (loop-echo, loop-kv, ...) run as a user runs it: its own process, output redirected.</summary>
internal static class SampleProcess
{
    /// <summary>Starts Samples/<paramref name="folder"/>'s <paramref name="assembly"/>.dll, as built for these tests.</summary>
    public static Process Start(string folder, string assembly, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(PathOf(folder, assembly));
        foreach (var arg in args) { info.ArgumentList.Add(arg); }
        foreach (var (name, value) in environment) { info.Environment[name] = value; }
        return Process.Start(info)!;
    }

    /// <summary>The path of Samples/<paramref name="folder"/>'s <paramref name="assembly"/>.dll, as built for these tests.</summary>
    public static string PathOf(string folder, string assembly)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory);          // IntegrationTests/bin/<config>/net10.0/
        var root = bin.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "Samples", folder, "bin", bin.Parent.Name, "net10.0", assembly + ".dll");
    }

    /// <summary>Reads the output up to the line "listening on ADDRESS:PORT backend=NAME loops=N" and returns it.</summary>
    public static async Task<string> StartupLineAsync(Process process)
    {
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.StartStop)) is not null)
        {
            if (line.StartsWith("listening on")) { return line; }
        }
        throw new EndOfStreamException($"the sample exited without a startup line: {await process.StandardError.ReadToEndAsync()}");
    }
}
