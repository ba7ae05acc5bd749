using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Loop.IntegrationTests.Packaging;

/// <summary>
/// SLOW (about a minute): packs Loop.Framework and Loop.Protocols into a temp folder and builds a small server
/// project against those packages only, proving the public API is enough to write one (anything internal it
/// needs fails the build). It builds and does not run: the servers themselves are tested elsewhere.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Directory.CreateTempSubdirectory("loop-packaging-").FullName;
    // A version no earlier run used, so restore cannot take a stale copy from the global package folder.
    private readonly string _version = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

    [Fact]
    public async Task The_packed_packages_carry_their_metadata_and_are_enough_to_build_a_server()
    {
        var packages = Path.Combine(_root, "packages");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // bin/<configuration>/net10.0
        foreach (var project in new[] { "Framework", "Protocols" })
        {
            // Packs what the test build already built (no concurrent build of the same projects).
            await DotnetAsync(RepositoryRoot, "pack", Path.Combine(RepositoryRoot, project), "-c", configuration, "--no-build",
                "-o", packages, $"-p:PackageVersion={_version}");
        }
        AssertPackage(Path.Combine(packages, $"Loop.Framework.{_version}.nupkg"), "Loop.Framework");
        AssertPackage(Path.Combine(packages, $"Loop.Protocols.{_version}.nupkg"), "Loop.Protocols");

        var consumer = Path.Combine(_root, "consumer");
        Directory.CreateDirectory(consumer);
        await File.WriteAllTextAsync(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Loop.Framework" Version="{_version}" />
                <PackageReference Include="Loop.Protocols" Version="{_version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
        await DotnetAsync(consumer, "build", consumer, "-c", "Release");
        Assert.True(File.Exists(Path.Combine(consumer, "bin/Release/net10.0/Consumer.dll")));
    }

    // A line-echo server on its own and, beside an echo endpoint from Loop.Protocols, in a generic host.
    private const string ConsumerProgram = """
        using Loop;
        using Loop.Hosting;
        using Loop.Protocols.Echo;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;

        var options = new ServerOptions { Port = 0, LoopCount = 1 };
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Loop").BindServerOptions(options).Validate();
        await using (var server = Server.Start(options, () => new LineEcho()))
        {
            Console.WriteLine($"listening on {server.EndPoint} backend={server.BackendName} loops={server.Loops.Count}");
            Console.WriteLine(server.Statistics.Connections);
        }

        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddLoopServer(loop => loop
            .Listen("lines", 7001, () => new LineEcho(), o => o.ShutdownTimeout = TimeSpan.FromSeconds(1))
            .Listen("echo", builder.Configuration.GetSection("Loop"), () => new EchoHandler()));
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine(host.Services.GetRequiredService<LoopHostedService>().Servers["lines"].EndPoint);
        await host.StopAsync();

        sealed class LineEcho : IConnectionHandler
        {
            public void OnOpen(Connection connection) => connection.Write("hello\n"u8);

            public int OnReceive(Connection connection, ReadOnlySpan<byte> data)
            {
                var end = data.LastIndexOf((byte)'\n') + 1;
                connection.Write(data[..end]);
                if (data[..end].IndexOf("quit\n"u8) >= 0) { connection.Close(); }
                return end;
            }
        }
        """;

    private static void AssertPackage(string path, string id)
    {
        using var package = ZipFile.OpenRead(path);
        var entries = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("README.md", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);   // XML docs
        using var nuspec = new StreamReader(package.GetEntry($"{id}.nuspec")!.Open());
        var metadata = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", metadata);
        Assert.Contains("<readme>README.md</readme>", metadata);
        Assert.Contains("<repository type=\"git\"", metadata);
        Assert.Contains("<description>", metadata);
    }

    private static async Task DotnetAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)   // the dotnet host running the tests
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) { info.ArgumentList.Add(arg); }
        // No build servers left behind holding our output open; no MSBuild settings inherited from the test run.
        info.ArgumentList.Add("--disable-build-servers");
        info.ArgumentList.Add("-nologo");
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(
            Task.Run(async () => output.Append(await process.StandardOutput.ReadToEndAsync())),
            Task.Run(async () => output.Append(await process.StandardError.ReadToEndAsync())));
        try
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
            await reading.WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} took more than {CommandTimeout.TotalMinutes} min");
        }
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{output}");
    }

    private static string RepositoryRoot =>
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.FullName;   // IntegrationTests/bin/<configuration>/net10.0/

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        // The restore copied the packages into the global package folder; this run's version is of no use again.
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "loop.framework", "loop.protocols" })
        {
            var folder = Path.Combine(global, id, _version);
            if (Directory.Exists(folder)) { Directory.Delete(folder, recursive: true); }
        }
    }
}
