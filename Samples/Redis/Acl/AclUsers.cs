using Loop.Samples.Redis.Commands;

namespace Loop.Samples.Redis.Acl;

/// <summary>An ACL user: its name and its rules, replaced whole by ACL SETUSER so every connection of it sees the change at its next command.</summary>
internal sealed class AclUser(string name, AclRules rules)
{
    public string Name { get; } = name;

    private volatile AclRules _rules = rules;

    public AclRules Rules
    {
        get => _rules;
        set => _rules = value;
    }

    /// <summary>The user as ACL LIST, ACL SAVE and CONFIG REWRITE write it: <c>user name rules...</c>.</summary>
    public string Line => $"user {Name} {Rules.Describe()}";
}

/// <summary>
/// The users (Redis's Users radix tree, and its default user) and the ACL log. A small lock around the table: it changes
/// only by ACL SETUSER and DELUSER, and is read by AUTH; a command's check reads only its session's user.
/// </summary>
internal sealed class AclUsers
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, AclUser> _users = new(StringComparer.Ordinal);
    private readonly CommandTable _commands;

    public AclUsers(CommandTable commands)
    {
        _commands = commands;
        Default = new AclUser("default", DefaultRules());
        _users["default"] = Default;
    }

    /// <summary>The user a connection starts as, whose password requirepass sets.</summary>
    public AclUser Default { get; }

    public AclUser? Find(string name)
    {
        lock (_gate) { return _users.GetValueOrDefault(name); }
    }

    /// <summary>Every user, by name.</summary>
    public List<AclUser> All
    {
        get { lock (_gate) { return [.. _users.Values]; } }
    }

    /// <summary>
    /// ACL SETUSER: applies the rules in turn to a copy of the user's (a new user's start from nothing: off, no password,
    /// no command, key or channel); all are applied or none. Null, with the user as it is now, or the error to answer.
    /// </summary>
    public string? Set(string name, IReadOnlyList<string> ops, out AclUser? user)
    {
        lock (_gate)
        {
            var existing = _users.GetValueOrDefault(name);
            var rules = existing?.Rules.Copy() ?? new AclRules(_commands);
            user = existing;
            foreach (var op in ops)
            {
                if (rules.Apply(op) is { } error) { return $"ERR Error in ACL SETUSER modifier '{op}': {error}"; }
            }
            rules.Publish();
            if (existing is null) { _users[name] = user = new AclUser(name, rules); } else { existing.Rules = rules; }
            return null;
        }
    }

    /// <summary>ACL DELUSER: the users removed (default never is; the caller checks).</summary>
    public List<AclUser> Delete(IEnumerable<string> names)
    {
        lock (_gate)
        {
            var deleted = new List<AclUser>();
            foreach (var name in names)
            {
                if (_users.Remove(name, out var user)) { deleted.Add(user); }
            }
            return deleted;
        }
    }

    /// <summary>
    /// Replaces every user with an ACL file's (Redis's ACLLoadFromFile): lines of <c>user name rules...</c>, as ACL LIST and
    /// <see cref="Save"/> write them; a default user the file leaves out starts over (on, nopass, everything). All or
    /// nothing: the errors (path:line: why) come back and nothing changes. The users that are gone come back in
    /// <paramref name="removed"/>, their connections to be closed.
    /// </summary>
    public string? Load(string path, out List<AclUser> removed)
    {
        removed = [];
        string[] lines;
        try { lines = File.ReadAllText(path).Split('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"Error loading ACLs, opening file '{path}': {e.Message}"; }
        var loaded = new Dictionary<string, AclRules>(StringComparer.Ordinal);
        var errors = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim(' ', '\t', '\r');
            if (line.Length == 0) { continue; }
            var error = LoadLine(line, loaded);
            if (error is not null) { errors.Add($"{path}:{i + 1}: {error}. "); }
        }
        if (errors.Count > 0) { return string.Concat(errors).TrimEnd(); }
        lock (_gate)
        {
            if (!loaded.ContainsKey("default")) { loaded["default"] = DefaultRules(); }
            foreach (var (name, user) in _users)
            {
                if (!loaded.ContainsKey(name)) { removed.Add(user); }
            }
            foreach (var name in removed.Select(user => user.Name)) { _users.Remove(name); }
            foreach (var (name, rules) in loaded)
            {
                if (_users.TryGetValue(name, out var user)) { user.Rules = rules; } else { _users[name] = new AclUser(name, rules); }
            }
        }
        return null;
    }

    private string? LoadLine(string line, Dictionary<string, AclRules> loaded)
    {
        if (Server.ConfigArgs.Split(line) is not { } args) { return "Unbalanced quotes in configuration line"; }
        if (args[0] != "user" || args.Count < 2) { return "line should start with user keyword"; }
        if (args[1].Any(c => c is ' ' or '\0')) { return "Usernames can't contain spaces or null characters"; }
        if (loaded.ContainsKey(args[1])) { return $"Duplicate user '{args[1]}' found"; }
        var rules = new AclRules(_commands);
        foreach (var op in args.Skip(2))
        {
            if (rules.Apply(op) is { } error) { return $"Error in user declaration '{args[1]}': {error}"; }
        }
        loaded[args[1]] = rules.Publish();
        return null;
    }

    /// <summary>ACL SAVE: every user as a line of ACL LIST, written to a new file that then takes the old one's place.</summary>
    public void Save(string path) => Server.ConfigRewriter.ReplaceFile(path, string.Concat(All.Select(user => user.Line + "\n")));

    private AclRules DefaultRules()
    {
        var rules = new AclRules(_commands);
        foreach (var step in (string[])["+@all", "~*", "&*", "on", "nopass"]) { rules.Apply(step); }
        return rules.Publish();
    }

    /// <summary>requirepass: the default user's one password, or nopass without it (Redis's ACLUpdateDefaultUserPassword).</summary>
    public void SetDefaultPassword(string? password)
    {
        lock (_gate)
        {
            var rules = Default.Rules.Copy();
            rules.Apply("resetpass");
            rules.Apply(password is null ? "nopass" : ">" + password);
            Default.Rules = rules.Publish();
        }
    }

    /// <summary>The user these credentials open, if it exists, is on and the password matches (or it has nopass).</summary>
    public AclUser? Authenticate(string name, string password) =>
        Find(name) is { } user && user.Rules is { Enabled: true } rules && rules.Opens(password) ? user : null;

    /// <summary>Denials and failed AUTHs, newest first (ACL LOG).</summary>
    public AclLog Log { get; } = new();
}
