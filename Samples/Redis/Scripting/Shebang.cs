using System.Text;

namespace Loop.Samples.Redis.Scripting;

/// <summary>What a script's or a library's <c>#!lua</c> line declares.</summary>
[Flags]
internal enum ScriptFlags
{
    None = 0,
    NoWrites = 1,
    AllowOom = 2,
    AllowStale = 4,
    NoCluster = 8,
    AllowCrossSlotKeys = 16,
}

/// <summary>Reads the first line of EVAL scripts (<c>#!lua flags=no-writes</c>) and of function libraries (<c>#!lua name=lib</c>).</summary>
internal static class Shebang
{
    private static readonly (string Name, ScriptFlags Flag)[] FlagNames =
        [("no-writes", ScriptFlags.NoWrites), ("allow-oom", ScriptFlags.AllowOom), ("allow-stale", ScriptFlags.AllowStale),
         ("no-cluster", ScriptFlags.NoCluster), ("allow-cross-slot-keys", ScriptFlags.AllowCrossSlotKeys)];

    public static bool Has(ReadOnlySpan<byte> body) => body.StartsWith("#!"u8);

    /// <summary>The flags of <paramref name="flags"/> ("no-writes,allow-oom"), or null with the first unknown one.</summary>
    public static ScriptFlags? ParseFlags(string flags, out string unknown)
    {
        var result = ScriptFlags.None;
        unknown = "";
        foreach (var name in flags.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var known = Array.FindIndex(FlagNames, f => f.Name == name);
            if (known < 0) { unknown = name; return null; }
            result |= FlagNames[known].Flag;
        }
        return result;
    }

    /// <summary>Names of the flags set, as FUNCTION LIST shows them.</summary>
    public static IEnumerable<string> Names(ScriptFlags flags) => FlagNames.Where(f => (flags & f.Flag) != 0).Select(f => f.Name);

    /// <summary>An EVAL script's flags, or Redis's error for its shebang. Without one: none, and writes allowed (compatibility mode).</summary>
    public static string? ReadScriptFlags(ReadOnlySpan<byte> body, out ScriptFlags flags)
    {
        flags = ScriptFlags.None;
        if (!Has(body)) { return null; }
        var parts = FirstLine(body).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts[0] != "#!lua") { return $"ERR Unexpected engine in script shebang: {FirstLine(body)}"; }
        foreach (var part in parts.Skip(1))
        {
            if (!part.StartsWith("flags=", StringComparison.Ordinal)) { return $"ERR Unknown lua shebang option: {part}"; }
            if (ParseFlags(part["flags=".Length..], out var unknown) is not { } parsed) { return $"ERR Unexpected flag in script shebang: {unknown}"; }
            flags |= parsed;
        }
        return null;
    }

    /// <summary>
    /// A library's name from its first line, or Redis's error (FUNCTION LOAD), checked in functionsCreateWithLibraryCtx's
    /// order: the metadata (split as sdssplitargs splits, name= in any case, once), the name, then the engine (in any case).
    /// </summary>
    public static string? ReadLibraryName(ReadOnlySpan<byte> code, out string name)
    {
        name = "";
        if (!Has(code)) { return "ERR Missing library metadata"; }
        if (code.IndexOf((byte)'\n') < 0 || Server.ConfigArgs.Split(FirstLine(code)) is not { Count: > 0 } parts) { return "ERR Invalid library metadata"; }
        string? given = null;
        foreach (var part in parts.Skip(1))
        {
            if (!part.StartsWith("name=", StringComparison.OrdinalIgnoreCase)) { return $"ERR Invalid metadata value given: {part}"; }
            if (given is not null) { return "ERR Invalid metadata value, name argument was given multiple times"; }
            given = part["name=".Length..];
        }
        if (given is null) { return "ERR Library name was not given"; }
        name = given;
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
        }
        var engine = parts[0][2..];
        return engine.Equals("lua", StringComparison.OrdinalIgnoreCase) ? null : $"ERR Engine '{engine}' not found";
    }

    /// <summary>The code Lua compiles: the shebang turned into a comment, so line numbers stay Redis's.</summary>
    public static byte[] AsComment(ReadOnlySpan<byte> body) => Has(body) ? [.. "--"u8, .. body] : body.ToArray();

    private static string FirstLine(ReadOnlySpan<byte> body)
    {
        var end = body.IndexOf((byte)'\n');
        return Encoding.UTF8.GetString(end < 0 ? body : body[..end]);
    }
}
