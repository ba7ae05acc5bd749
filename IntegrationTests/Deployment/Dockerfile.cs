using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Loop.IntegrationTests.Deployment;

/// <summary>One instruction of a Dockerfile: its position, its stage, its keyword, its --flags and its arguments.</summary>
internal sealed record DockerInstruction(int Index, int Stage, string Keyword, IReadOnlyList<string> Flags, IReadOnlyList<string> Args, string Text)
{
    /// <summary>COPY or ADD from the build context (no --from).</summary>
    public bool CopiesFromContext => Keyword is "COPY" or "ADD" && !Flags.Any(f => f.StartsWith("--from="));

    public IEnumerable<string> Sources => Args.SkipLast(1);

    public string Destination => Args[^1];
}

/// <summary>A `dotnet restore|build|publish` in a RUN: the project (null for the working folder) and -o.</summary>
internal sealed record DotnetCommand(DockerInstruction Run, string Verb, string? Project, string? Output);

/// <summary>A Dockerfile read the way Docker reads it, as far as the deployment tests need, with its build context.</summary>
internal sealed partial class Dockerfile
{
    private readonly List<(Regex Pattern, bool Include)> _ignore;

    private Dockerfile(string context, string path, List<DockerInstruction> instructions, List<(Regex, bool)> ignore)
    {
        Context = context;
        Path = path;
        Instructions = instructions;
        _ignore = ignore;
    }

    public string Context { get; }

    public string Path { get; }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The names given by FROM ... AS NAME, by stage.</summary>
    public IEnumerable<(int Stage, string Name)> StageNames => Instructions
        .Where(i => i.Keyword == "FROM" && i.Args.Count == 3 && i.Args[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
        .Select(i => (i.Stage, i.Args[2]));

    public int LastStage => Instructions.Max(i => i.Stage);

    public IEnumerable<DotnetCommand> DotnetCommands => Instructions
        .Where(i => i.Keyword == "RUN")
        .SelectMany(i => DotnetPattern().Matches(i.Text).Select(m => ParseDotnet(i, m.Groups[1].Value, m.Groups[2].Value)));

    /// <summary>The assembly names of the projects the Dockerfile publishes (null where a project is missing).</summary>
    public IEnumerable<string?> PublishedAssemblyNames => DotnetCommands
        .Where(c => c.Verb == "publish")
        .Select(c => c.Project is null ? null : ProjectFile.Find(System.IO.Path.Combine(Context, c.Project))?.AssemblyName);

    public static Dockerfile Load(string context, string dockerfile)
    {
        var path = System.IO.Path.Combine(context, dockerfile);
        var ignoreFile = System.IO.Path.Combine(context, ".dockerignore");
        var ignore = File.Exists(ignoreFile) ? ReadIgnore(File.ReadAllLines(ignoreFile)) : [];
        return new Dockerfile(context, path, Parse(File.ReadAllText(path)), ignore);
    }

    /// <summary>Whether .dockerignore keeps a context-relative path out of the build (the last matching line wins).</summary>
    public bool IsIgnored(string relativePath)
    {
        var path = relativePath.Trim('/');
        var ignored = false;
        foreach (var (pattern, include) in _ignore)
        {
            // A pattern that matches a folder also excludes everything below it.
            for (var prefix = path; prefix.Length > 0; prefix = System.IO.Path.GetDirectoryName(prefix) ?? "")
            {
                if (pattern.IsMatch(prefix)) { ignored = !include; break; }
            }
        }
        return ignored;
    }

    private static List<DockerInstruction> Parse(string text)
    {
        var instructions = new List<DockerInstruction>();
        var stage = -1;
        foreach (var line in LogicalLines(text))
        {
            var split = line.IndexOfAny([' ', '\t']);
            var keyword = (split < 0 ? line : line[..split]).ToUpperInvariant();
            var rest = split < 0 ? "" : line[(split + 1)..].Trim();
            var words = rest.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(rest)! : rest.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var flagCount = keyword is "FROM" or "COPY" or "ADD" or "RUN" ? words.TakeWhile(w => w.StartsWith("--")).Count() : 0;
            if (keyword == "FROM") { stage++; }
            instructions.Add(new DockerInstruction(instructions.Count, stage, keyword, words[..flagCount], words[flagCount..], rest));
        }
        return instructions;
    }

    /// <summary>Instructions with their `\` continuations joined, without comments and blank lines.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith('#') || (current.Length == 0 && line.Length == 0)) { continue; }
            if (line.EndsWith('\\')) { current.Append(line[..^1]).Append(' '); continue; }
            yield return current.Append(line).ToString().Trim();
            current.Clear();
        }
        if (current.Length > 0) { yield return current.ToString().Trim(); }
    }

    private static DotnetCommand ParseDotnet(DockerInstruction run, string verb, string arguments)
    {
        var words = arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var project = words.Length > 0 && !words[0].StartsWith('-') ? words[0] : null;
        var o = Array.FindIndex(words, w => w is "-o" or "--output");
        return new DotnetCommand(run, verb, project, o >= 0 && o + 1 < words.Length ? words[o + 1] : null);
    }

    /// <summary>.dockerignore lines as regular expressions over context-relative paths (`**/` may match nothing).</summary>
    private static List<(Regex, bool)> ReadIgnore(string[] lines) => lines
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l =>
        {
            var include = l.StartsWith('!');
            var glob = l.TrimStart('!').Trim('/');
            var regex = Regex.Escape(glob).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]");
            return (new Regex($"^{regex}$"), include);
        })
        .ToList();

    [GeneratedRegex(@"dotnet\s+(restore|build|publish)\b([^&;|]*)")]
    private static partial Regex DotnetPattern();
}
