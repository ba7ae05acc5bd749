using System.Text.Json;

namespace Loop.IntegrationTests.Deployment;

/// <summary>
/// docker-compose.yml checked without Docker: it parses, what it builds exists, the servers run samples the
/// image holds under the io_uring seccomp profile, and the load generators stay behind the `load` profile.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] IoUringSyscalls = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

    private readonly ComposeFile _compose = ComposeFile.Load();

    [Fact]
    public void Every_service_has_an_image_or_a_build_whose_context_and_Dockerfile_exist()
    {
        Assert.NotEmpty(_compose.Services);
        foreach (var service in _compose.Services)
        {
            Assert.True(service.Image is not null || service.Build is not null, $"{service}: neither image nor build");
            if (service.Build is not { } build) { continue; }
            var context = _compose.Resolve(build.Context);
            Assert.True(Directory.Exists(context), $"{service}: no build context {context}");
            Assert.True(File.Exists(Path.Combine(context, build.Dockerfile)), $"{service}: no {build.Dockerfile} in {context}");
        }
    }

    [Fact]
    public void The_servers_run_samples_the_image_holds_on_all_interfaces_on_the_ports_they_publish()
    {
        Assert.Equal(["echo", "http", "redis"], _compose.Servers.Select(s => s.Name).Order());
        foreach (var server in _compose.Servers)
        {
            var published = DockerfileOf(server).PublishedAssemblyNames.ToList();
            var command = server.Command;
            Assert.True(command.Count > 0 && published.Contains(command[0]),
                $"{server}: command '{string.Join(' ', command)}' runs none of {string.Join(", ", published)}");
            Assert.Equal("0.0.0.0", ValueOf(command, "--bind"));
            var port = ValueOf(command, "--port");
            Assert.NotEmpty(server.Ports);
            // "HOST:CONTAINER", "IP:HOST:CONTAINER" or "CONTAINER", optionally "/tcp": the server listens on CONTAINER.
            Assert.All(server.Ports, mapping => Assert.Equal(port, mapping.Split('/')[0].Split(':')[^1]));
            // The load generators wait for this check, so it must probe the server's own port.
            Assert.EndsWith($"/{port}", string.Join(' ', server.Healthcheck));
        }
    }

    [Fact]
    public void The_servers_run_under_a_seccomp_profile_that_allows_io_uring_and_denies_by_default()
    {
        foreach (var server in _compose.Servers)
        {
            Assert.Contains(server.SecurityOptions, o => o.StartsWith("seccomp=") || o.StartsWith("seccomp:"));
        }
        var profiles = _compose.Services
            .SelectMany(s => s.SecurityOptions.Where(o => o.StartsWith("seccomp=") || o.StartsWith("seccomp:")).Select(o => (Service: s, Path: o[8..])))
            .Where(p => p.Path is not ("unconfined" or "builtin"));
        foreach (var (service, path) in profiles)
        {
            var file = _compose.Resolve(path);
            Assert.True(File.Exists(file), $"{service}: no seccomp profile {file}");
            using var profile = JsonDocument.Parse(File.ReadAllText(file));
            var root = profile.RootElement;
            Assert.Equal("SCMP_ACT_ERRNO", root.GetProperty("defaultAction").GetString());
            // Allowed whatever the architecture, capabilities, kernel or arguments: a group without conditions.
            var allowed = root.GetProperty("syscalls").EnumerateArray()
                .Where(g => g.GetProperty("action").GetString() == "SCMP_ACT_ALLOW"
                    && !g.TryGetProperty("args", out _) && !g.TryGetProperty("includes", out _) && !g.TryGetProperty("excludes", out _))
                .SelectMany(g => g.GetProperty("names").EnumerateArray().Select(n => n.GetString()))
                .ToHashSet();
            Assert.All(IoUringSyscalls, name => Assert.Contains(name, allowed));
        }
    }

    [Fact]
    public void The_load_generators_start_only_with_the_load_profile_and_wait_for_a_server()
    {
        var load = _compose.Services.Where(s => s.Profiles.Count > 0).ToList();
        Assert.Equal(["echo-load", "redis-benchmark", "wrk"], load.Select(s => s.Name).Order());
        var servers = _compose.Servers.Select(s => s.Name).ToHashSet();
        foreach (var service in load)
        {
            Assert.Equal(["load"], service.Profiles);
            Assert.NotEmpty(service.DependsOn);
            Assert.All(service.DependsOn, dependency => Assert.Contains(dependency, servers));
        }
    }

    [Fact]
    public void The_http_server_waits_for_a_postgres_service_that_loads_the_hello_world_database()
    {
        var http = _compose.Services.Single(s => s.Name == "http");
        var postgres = _compose.Services.Single(s => s.Name == "postgres");
        Assert.Contains("postgres", http.DependsOn);
        Assert.Contains("Host=postgres;", ValueOf(http.Command, "--database"));
        var schema = Assert.Single(postgres.Volumes, v => v.Contains("/docker-entrypoint-initdb.d/"));
        Assert.True(File.Exists(_compose.Resolve(schema.Split(':')[0])), $"postgres: no {schema.Split(':')[0]}");
        Assert.NotEmpty(postgres.Healthcheck);
    }

    /// <summary>The Dockerfile that makes a service's image: its own build, or the build of a service tagging that image.</summary>
    private Dockerfile DockerfileOf(ComposeService service)
    {
        var build = service.Build ?? _compose.Services.FirstOrDefault(s => s.Build is not null && s.Image == service.Image)?.Build;
        Assert.True(build is not null, $"{service}: image {service.Image} is built by no service");
        return Dockerfile.Load(_compose.Resolve(build.Value.Context), build.Value.Dockerfile);
    }

    private static string? ValueOf(IReadOnlyList<string> command, string flag)
    {
        var i = command.ToList().IndexOf(flag);
        return i >= 0 && i + 1 < command.Count ? command[i + 1] : null;
    }
}
