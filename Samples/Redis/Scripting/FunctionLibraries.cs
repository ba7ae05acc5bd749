namespace Loop.Samples.Redis.Scripting;

/// <summary>A function a library registered.</summary>
internal sealed record FunctionInfo(string Name, string? Description, ScriptFlags Flags, string Library);

/// <summary>A library of functions: its name, its code as loaded, and what it registered.</summary>
internal sealed record FunctionLibrary(string Name, byte[] Code, FunctionInfo[] Functions);

/// <summary>
/// The server's libraries (FUNCTION LOAD, DELETE, FLUSH, RESTORE). Changed only while the keyspace is held exclusively
/// (those commands, and FCALL, hold it), each change a new immutable set with a new <see cref="Version"/>, which each
/// loop's engine compares before running a function and reloads from when it moved.
/// </summary>
internal sealed class FunctionLibraries
{
    // Libraries by name; functions by name in any case, as Redis's functionDictType finds them (FCALL TEST calls test).
    private static readonly StringComparer FunctionNames = StringComparer.OrdinalIgnoreCase;

    private volatile Snapshot _current = new(new(StringComparer.Ordinal), new(FunctionNames), 0);

    private sealed record Snapshot(SortedDictionary<string, FunctionLibrary> Libraries, Dictionary<string, FunctionInfo> Functions, long Version);

    public long Version => _current.Version;

    public IReadOnlyCollection<FunctionLibrary> Libraries => _current.Libraries.Values;

    public int FunctionCount => _current.Functions.Count;

    /// <summary>Every library's code, as a snapshot saves them.</summary>
    public byte[][] Codes => [.. _current.Libraries.Values.Select(l => l.Code)];

    public FunctionInfo? Find(string name) => _current.Functions.GetValueOrDefault(name);

    public FunctionLibrary? Library(string name) => _current.Libraries.GetValueOrDefault(name);

    /// <summary>Adds the libraries (replacing those of the same name with <paramref name="replace"/>); null, or Redis's error and nothing changed.</summary>
    public string? Add(IEnumerable<FunctionLibrary> added, bool replace)
    {
        var libraries = new SortedDictionary<string, FunctionLibrary>(_current.Libraries, StringComparer.Ordinal);
        var adding = added.ToList();
        foreach (var library in adding)
        {
            // libraryJoin's wording (FUNCTION RESTORE); FUNCTION LOAD checks first, with its own.
            if (libraries.ContainsKey(library.Name) && !replace) { return $"ERR Library {library.Name} already exists"; }
            libraries[library.Name] = library;
        }
        // The libraries kept first, so a clash names the added function, as Redis's does.
        var functions = new Dictionary<string, FunctionInfo>(FunctionNames);
        foreach (var function in libraries.Values.Except(adding).Concat(adding).SelectMany(l => l.Functions))
        {
            if (!functions.TryAdd(function.Name, function)) { return $"ERR Function {function.Name} already exists"; }
        }
        _current = new Snapshot(libraries, functions, _current.Version + 1);
        return null;
    }

    public bool Delete(string name)
    {
        var libraries = new SortedDictionary<string, FunctionLibrary>(_current.Libraries, StringComparer.Ordinal);
        if (!libraries.Remove(name)) { return false; }
        var functions = libraries.Values.SelectMany(l => l.Functions).ToDictionary(f => f.Name, FunctionNames);
        _current = new Snapshot(libraries, functions, _current.Version + 1);
        return true;
    }

    public void Flush() => _current = new Snapshot(new(StringComparer.Ordinal), new(FunctionNames), _current.Version + 1);
}
