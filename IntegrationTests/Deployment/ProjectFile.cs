using System.Xml.Linq;

namespace Loop.IntegrationTests.Deployment;

/// <summary>An SDK-style .csproj, read for what a Docker build of it needs: its name and the files outside it.</summary>
internal sealed class ProjectFile
{
    private readonly XDocument _xml;

    private ProjectFile(string path)
    {
        Path = path;
        _xml = XDocument.Load(path);
    }

    public string Path { get; }

    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>The AssemblyName property, or the file name as MSBuild defaults it.</summary>
    public string AssemblyName =>
        _xml.Descendants("AssemblyName").LastOrDefault()?.Value ?? System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>
    /// Loads the project at <paramref name="path"/>: a .csproj, or a folder holding exactly one (as dotnet takes
    /// it); null when there is none.
    /// </summary>
    public static ProjectFile? Find(string path)
    {
        if (File.Exists(path)) { return new ProjectFile(System.IO.Path.GetFullPath(path)); }
        if (!System.IO.Directory.Exists(path)) { return null; }
        var projects = System.IO.Directory.GetFiles(path, "*.csproj");
        return projects.Length == 1 ? new ProjectFile(projects[0]) : null;
    }

    /// <summary>This project and every project it references, directly or not.</summary>
    public IEnumerable<ProjectFile> WithReferences()
    {
        var seen = new Dictionary<string, ProjectFile>();
        var pending = new Stack<ProjectFile>([this]);
        while (pending.TryPop(out var project))
        {
            if (!seen.TryAdd(project.Path, project)) { continue; }
            foreach (var reference in project.Includes("ProjectReference"))
            {
                pending.Push(new ProjectFile(System.IO.Path.GetFullPath(System.IO.Path.Combine(project.Directory, reference))));
            }
        }
        return seen.Values;
    }

    /// <summary>Folders outside the project's own that its items take files from (e.g. ../Shared/*.cs).</summary>
    public IEnumerable<string> OutsideFolders() => _xml.Descendants()
        .Where(e => e.Name.LocalName != "ProjectReference")
        .Select(e => e.Attribute("Include")?.Value.Replace('\\', '/'))
        .OfType<string>()
        .Where(include => include.StartsWith(".."))
        .Select(include => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, System.IO.Path.GetDirectoryName(include)!)));

    private IEnumerable<string> Includes(string item) =>
        _xml.Descendants(item).Select(e => e.Attribute("Include")?.Value.Replace('\\', '/')).OfType<string>();
}
