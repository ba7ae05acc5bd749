using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Loop.IntegrationTests.Deployment;

/// <summary>The parts of the repository's docker-compose.yml that the deployment tests check.</summary>
internal sealed class ComposeFile
{
    private ComposeFile(string directory, IReadOnlyList<ComposeService> services)
    {
        Directory = directory;
        Services = services;
    }

    /// <summary>The folder that relative paths in the file are relative to.</summary>
    public string Directory { get; }

    public IReadOnlyList<ComposeService> Services { get; }

    /// <summary>The Loop servers a plain <c>docker compose up</c> starts: those in no profile, built from this repository.</summary>
    public IEnumerable<ComposeService> Servers => Services.Where(s => s.Profiles.Count == 0 && s.Build is not null);

    public static ComposeFile Load()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docker-compose.yml");
        var stream = new YamlStream();
        // MergingParser resolves `<<: *anchor`, which compose files use to share settings between services.
        stream.Load(new MergingParser(new Parser(new StringReader(File.ReadAllText(path)))));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var services = ((YamlMappingNode)root.Children[new YamlScalarNode("services")]).Children
            .Select(s => new ComposeService(((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value))
            .ToList();
        return new ComposeFile(RepositoryRoot.Path, services);
    }

    /// <summary>A path as compose resolves it: relative to the compose file's folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.Combine(Directory, path));
}

/// <summary>One service of the compose file.</summary>
internal sealed class ComposeService(string name, YamlMappingNode node)
{
    public string Name { get; } = name;

    public string? Image => Scalar(node, "image");

    /// <summary>The build context and the Dockerfile within it, or null for a service that only names an image.</summary>
    public (string Context, string Dockerfile)? Build => Child(node, "build") switch
    {
        null => null,
        YamlScalarNode context => (context.Value!, "Dockerfile"),
        YamlMappingNode build => (Scalar(build, "context") ?? ".", Scalar(build, "dockerfile") ?? "Dockerfile"),
        var other => throw new InvalidDataException($"{Name}: unexpected build: {other}"),
    };

    /// <summary>The command as a list of words (a string command is split on white space).</summary>
    public IReadOnlyList<string> Command => Words(node, "command");

    public IReadOnlyList<string> SecurityOptions => Words(node, "security_opt");

    /// <summary>Port mappings as written, e.g. "6379:6379".</summary>
    public IReadOnlyList<string> Ports => Words(node, "ports");

    public IReadOnlyList<string> Profiles => Words(node, "profiles");

    /// <summary>Volume mounts as written, e.g. "./scripts/x.sql:/docker-entrypoint-initdb.d/x.sql:ro".</summary>
    public IReadOnlyList<string> Volumes => Words(node, "volumes");

    /// <summary>The healthcheck's test command (empty without one).</summary>
    public IReadOnlyList<string> Healthcheck => Child(node, "healthcheck") is YamlMappingNode check ? Words(check, "test") : [];

    /// <summary>The services this one waits for (list or mapping form of depends_on).</summary>
    public IReadOnlyList<string> DependsOn => Child(node, "depends_on") switch
    {
        YamlMappingNode map => map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList(),
        _ => Words(node, "depends_on"),
    };

    public override string ToString() => Name;

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    private static IReadOnlyList<string> Words(YamlMappingNode map, string key) => Child(map, key) switch
    {
        null => [],
        YamlScalarNode text => text.Value!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        YamlSequenceNode list => list.Children.Select(item => ((YamlScalarNode)item).Value!).ToList(),
        var other => throw new InvalidDataException($"{key}: expected a string or a list, got {other}"),
    };
}
