namespace Loop.IntegrationTests.Deployment;

/// <summary>The checkout the tests run from: the nearest folder above the test binaries that holds Loop.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Loop.sln"))) { return dir.FullName; }
        }
        throw new DirectoryNotFoundException($"no Loop.sln above {AppContext.BaseDirectory}");
    }
}
