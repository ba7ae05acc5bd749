namespace Loop.IntegrationTests.Deployment;

/// <summary>
/// The Dockerfiles docker-compose.yml builds, checked without Docker: what they copy exists and reaches the
/// build, every project they build exists with what it needs, and the image holds the four programs.
/// </summary>
public sealed class DockerfileTests
{
    private readonly ComposeFile _compose = ComposeFile.Load();

    private IReadOnlyList<Dockerfile> Built => _compose.Services
        .Where(s => s.Build is not null)
        .Select(s => s.Build!.Value)
        .Distinct()
        .Select(b => Dockerfile.Load(_compose.Resolve(b.Context), b.Dockerfile))
        .ToList();

    [Fact]
    public void Every_COPY_from_the_build_context_names_a_path_that_exists_and_is_not_dockerignored()
    {
        var problems = new List<string>();
        var checkedSources = 0;
        foreach (var dockerfile in Built)
        {
            foreach (var copy in dockerfile.Instructions.Where(i => i.CopiesFromContext))
            {
                foreach (var source in copy.Sources)
                {
                    checkedSources++;
                    var path = Path.Combine(dockerfile.Context, source);
                    if (!File.Exists(path) && !Directory.Exists(path)) { problems.Add($"{dockerfile.Path}: {copy.Text}: no {source} in the build context"); }
                    else if (dockerfile.IsIgnored(source)) { problems.Add($"{dockerfile.Path}: {copy.Text}: .dockerignore excludes {source}"); }
                }
            }
        }
        Assert.True(checkedSources > 0, "no COPY from the build context found");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_COPY_from_a_stage_names_an_earlier_stage()
    {
        foreach (var dockerfile in Built)
        {
            foreach (var copy in dockerfile.Instructions.Where(i => i.Keyword is "COPY" && !i.CopiesFromContext))
            {
                var from = copy.Flags.Single(f => f.StartsWith("--from="))["--from=".Length..];
                var earlier = dockerfile.StageNames.Any(s => s.Name == from && s.Stage < copy.Stage)
                    || (int.TryParse(from, out var stage) && stage < copy.Stage);
                Assert.True(earlier, $"{dockerfile.Path}: {copy.Text}: no earlier stage named {from}");
            }
        }
    }

    [Fact]
    public void Every_project_it_builds_exists_and_is_copied_before_with_its_references_and_the_props_it_imports()
    {
        var problems = new List<string>();
        var commands = Built.SelectMany(d => d.DotnetCommands.Select(c => (Dockerfile: d, Command: c))).ToList();
        Assert.NotEmpty(commands);
        foreach (var (dockerfile, command) in commands)
        {
            var where = $"{dockerfile.Path}: dotnet {command.Verb} {command.Project}";
            var project = command.Project is null ? null : ProjectFile.Find(Path.Combine(dockerfile.Context, command.Project));
            if (project is null) { problems.Add($"{where}: no such project in the build context"); continue; }

            // The COPYs that ran before this command in its stage; they must lay the sources out as in the repository.
            var copies = dockerfile.Instructions
                .Where(i => i.Stage == command.Run.Stage && i.Index < command.Run.Index && i.CopiesFromContext)
                .ToList();
            problems.AddRange(copies.Where(c => !MirrorsTheRepository(dockerfile, c))
                .Select(c => $"{dockerfile.Path}: {c.Text}: the build stage must mirror the repository's layout"));
            var copied = copies.SelectMany(c => c.Sources).Select(s => Path.GetFullPath(Path.Combine(dockerfile.Context, s)).TrimEnd('/')).ToList();

            foreach (var needed in Needs(dockerfile.Context, project, command.Verb == "restore"))
            {
                var relative = Path.GetRelativePath(dockerfile.Context, needed);
                if (!copied.Any(c => needed == c || needed.StartsWith(c + "/"))) { problems.Add($"{where}: needs {relative}, not copied before it"); }
                else if (dockerfile.IsIgnored(relative)) { problems.Add($"{where}: needs {relative}, which .dockerignore excludes"); }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_image_holds_the_three_samples_and_echo_load_on_its_PATH()
    {
        var dockerfile = Dockerfile.Load(RepositoryRoot.Path, "Dockerfile");
        var published = dockerfile.PublishedAssemblyNames.ToList();
        Assert.DoesNotContain(null, published);
        Assert.Subset(published.ToHashSet(), new HashSet<string?> { "loop-echo", "loop-http", "loop-redis", "echo-load" });

        // Each publish output is copied from its stage into the last one, into a folder on PATH.
        var last = dockerfile.Instructions.Where(i => i.Stage == dockerfile.LastStage).ToList();
        var workdir = last.LastOrDefault(i => i.Keyword == "WORKDIR")?.Args[0] ?? "/";
        var path = last.Where(i => i.Keyword == "ENV" && i.Text.StartsWith("PATH="))
            .SelectMany(i => i.Text["PATH=".Length..].Trim('"').Split(':'))
            .ToList();
        foreach (var publish in dockerfile.DotnetCommands.Where(c => c.Verb == "publish"))
        {
            Assert.NotNull(publish.Output);
            var stage = dockerfile.StageNames.Where(s => s.Stage == publish.Run.Stage).Select(s => s.Name).SingleOrDefault();
            var copy = last.FirstOrDefault(i => i.Keyword == "COPY"
                && i.Flags.Contains($"--from={stage ?? publish.Run.Stage.ToString()}")
                && i.Sources.Any(s => s.TrimEnd('/') == publish.Output.TrimEnd('/')));
            Assert.True(copy is not null, $"{publish.Output} (dotnet publish {publish.Project}) is not copied into the last stage");
            var destination = Path.GetFullPath(Path.Combine(workdir, copy.Destination)).TrimEnd('/');
            Assert.True(path.Contains(destination), $"{destination} is not on PATH ({string.Join(':', path)})");
        }
    }

    /// <summary>A COPY that puts each source at its own repository path under WORKDIR (a file into its folder).</summary>
    private static bool MirrorsTheRepository(Dockerfile dockerfile, DockerInstruction copy)
    {
        var destination = copy.Destination.TrimEnd('/') is "." or "" ? "" : copy.Destination.TrimEnd('/');
        return copy.Sources.All(source =>
        {
            var isFile = File.Exists(Path.Combine(dockerfile.Context, source));
            var expected = isFile ? Path.GetDirectoryName(source.TrimEnd('/'))! : source.TrimEnd('/');
            return expected == destination;
        });
    }

    /// <summary>
    /// What a restore (project files) or a build (project folders) of <paramref name="project"/> reads: its
    /// projects, the folders their items reach into, the Directory.*.props/targets above them, and global.json.
    /// </summary>
    private static IEnumerable<string> Needs(string context, ProjectFile project, bool restoreOnly)
    {
        var root = Path.GetFullPath(context);
        var needs = new HashSet<string>();
        foreach (var p in project.WithReferences())
        {
            needs.Add(restoreOnly ? p.Path : p.Directory);
            if (!restoreOnly) { needs.UnionWith(p.OutsideFolders()); }
            for (var dir = new DirectoryInfo(p.Directory); dir is not null && (dir.FullName == root || dir.FullName.StartsWith(root + "/")); dir = dir.Parent)
            {
                needs.UnionWith(new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" }
                    .Select(name => Path.Combine(dir.FullName, name))
                    .Where(File.Exists));
            }
        }
        var globalJson = Path.Combine(root, "global.json");
        if (File.Exists(globalJson)) { needs.Add(globalJson); }
        return needs;
    }
}
