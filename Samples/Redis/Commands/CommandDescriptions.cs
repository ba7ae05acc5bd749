namespace Loop.Samples.Redis.Commands;

/// <summary>
/// What COMMAND INFO tells of a command beyond the table's flags and key positions, as Redis 7.0 tells it: its ACL
/// categories and its key specs. Given for the commands whose keys follow a count (LMPOP, BLMPOP, ZMPOP, BZMPOP,
/// SINTERCARD, ZINTERCARD), whose first/last/step of 0 say nothing to a client routing by key; other commands list none.
/// </summary>
internal static class CommandDescriptions
{
    /// <summary>A command's ACL categories, and the flags of its one key spec (found after the key count its KeySpec names).</summary>
    public sealed record Description(string[] AclCategories, string[] KeyFlags);

    private static readonly string[] Popping = ["RW", "access", "delete"], Reading = ["RO", "access"];

    private static readonly Dictionary<string, Description> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lmpop"] = new(["@write", "@list", "@slow"], Popping),
        ["blmpop"] = new(["@write", "@list", "@slow", "@blocking"], Popping),
        ["zmpop"] = new(["@write", "@sortedset", "@slow"], Popping),
        ["bzmpop"] = new(["@write", "@sortedset", "@slow", "@blocking"], Popping),
        ["sintercard"] = new(["@read", "@set", "@slow"], Reading),
        ["zintercard"] = new(["@read", "@sortedset", "@slow"], Reading),
    };

    public static Description? Of(string name) => ByName.GetValueOrDefault(name);
}
