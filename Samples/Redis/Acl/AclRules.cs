using System.Security.Cryptography;
using System.Text;
using Loop.Samples.Redis.Commands;
using Loop.Samples.Redis.Store;

namespace Loop.Samples.Redis.Acl;

/// <summary>
/// What one ACL user may do, as Redis 7.0's user and root selector hold it (acl.c): on or off, passwords (SHA-256, hex)
/// or nopass, the commands allowed (a bit per command and subcommand of the table, and whether commands to come are
/// allowed: +@all), key patterns with their read/write permissions, channel patterns. Built by <see cref="Apply"/> on
/// a copy, then published whole (<see cref="AclUser.Rules"/>) and never changed again, so a check reads one object.
/// </summary>
internal sealed class AclRules
{
    /// <summary>Redis's categories, in its order (ACL CAT lists them so, and descriptions try them so).</summary>
    public static readonly string[] Categories = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
        "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting"];

    private readonly CommandTable _commands;

    public AclRules(CommandTable commands) => (_commands, Allowed) = (commands, new bool[commands.Counted.Count]);

    public bool Enabled { get; private set; }
    public bool NoPass { get; private set; }

    /// <summary>The sanitize-payload flags Redis shows (DUMP payloads are always checked here).</summary>
    public string? Sanitize { get; private set; }

    public List<string> Passwords { get; private set; } = [];
    public bool[] Allowed { get; private set; }

    /// <summary>+@all: every command, those added later included.</summary>
    public bool AllCommands { get; private set; }

    public bool AllKeys { get; private set; }
    public List<KeyPattern> Keys { get; private set; } = [];
    public bool AllChannels { get; private set; }
    public List<string> Channels { get; private set; } = [];

    /// <summary>Anything goes: the check a command of such a user makes is this one field.</summary>
    public bool Unrestricted { get; private set; }

    /// <summary>A key pattern and what it allows (~: both; %R~, %W~, %RW~).</summary>
    public sealed record KeyPattern(string Pattern, bool Read, bool Write)
    {
        public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(Pattern);

        public override string ToString() => (Read, Write) switch { (true, true) => "~", (true, false) => "%R~", _ => "%W~" } + Pattern;
    }

    public AclRules Copy()
    {
        var copy = (AclRules)MemberwiseClone();
        (copy.Passwords, copy.Allowed, copy.Keys, copy.Channels) = ([.. Passwords], (bool[])Allowed.Clone(), [.. Keys], [.. Channels]);
        return copy;
    }

    /// <summary>Marks the rules complete: what <see cref="Unrestricted"/> says is worked out once.</summary>
    public AclRules Publish()
    {
        Unrestricted = AllCommands && AllKeys && AllChannels && Array.TrueForAll(Allowed, allowed => allowed);
        return this;
    }

    public static string Hash(string password) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    /// <summary>Whether <paramref name="password"/> opens this user (nopass: any), comparing hashes in constant time.</summary>
    public bool Opens(string password)
    {
        if (NoPass) { return true; }
        var hash = Encoding.ASCII.GetBytes(Hash(password));
        var matched = false;
        foreach (var stored in Passwords) { matched |= CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(stored)); }
        return matched;
    }

    /// <summary>Applies one ACL SETUSER rule; null, or why it is refused (ACLSetUserStringError's wording).</summary>
    public string? Apply(string op)
    {
        if (op.Length == 0) { return null; }
        switch (op.ToLowerInvariant())
        {
            case "on": Enabled = true; return null;
            case "off": Enabled = false; return null;
            case "skip-sanitize-payload": Sanitize = "skip-sanitize-payload"; return null;
            case "sanitize-payload": Sanitize = "sanitize-payload"; return null;
            case "nopass": (NoPass, Passwords) = (true, []); return null;
            case "resetpass": (NoPass, Passwords) = (false, []); return null;
            case "allkeys" or "~*": (AllKeys, Keys) = (true, []); return null;
            case "resetkeys": (AllKeys, Keys) = (false, []); return null;
            case "allchannels" or "&*": (AllChannels, Channels) = (true, []); return null;
            case "resetchannels": (AllChannels, Channels) = (false, []); return null;
            case "allcommands" or "+@all":
                AllCommands = true;
                Array.Fill(Allowed, true);
                return null;
            case "nocommands" or "-@all":
                AllCommands = false;
                Array.Fill(Allowed, false);
                return null;
            case "reset":
                foreach (var step in (string[])["resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "-@all"]) { Apply(step); }
                return null;
            case "clearselectors": return null;
        }
        return op[0] switch
        {
            '>' or '#' => AddPassword(op),
            '<' or '!' => RemovePassword(op),
            '~' or '%' => AddKeyPattern(op),
            '&' => AddChannel(op),
            '+' or '-' when op.Length > 1 && op[1] == '@' => SetCategory(op[2..], op[0] == '+'),
            '+' or '-' => SetCommand(op[1..], op[0] == '+'),
            '(' => "Selectors are not supported by this server",
            _ => SyntaxError,
        };
    }

    private const string SyntaxError = "Syntax error";
    private const string UnknownCommand = "Unknown command or category name in ACL";
    private const string BadHash = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";

    private string? AddPassword(string op)
    {
        var hash = op[0] == '>' ? Hash(op[1..]) : op[1..];
        if (op[0] == '#' && !IsHash(hash)) { return BadHash; }
        if (!Passwords.Contains(hash)) { Passwords.Add(hash); }
        NoPass = false;
        return null;
    }

    private string? RemovePassword(string op)
    {
        var hash = op[0] == '<' ? Hash(op[1..]) : op[1..];
        if (op[0] == '!' && !IsHash(hash)) { return BadHash; }
        return Passwords.Remove(hash) ? null : "The password you are trying to remove from the user does not exist";
    }

    private static bool IsHash(string hash) => hash.Length == 64 && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private string? AddKeyPattern(string op)
    {
        if (AllKeys) { return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"; }
        var (read, write, at) = (op[0] == '~', op[0] == '~', 1);
        if (op[0] == '%')
        {
            for (; at < op.Length; at++)
            {
                if (char.ToUpperInvariant(op[at]) == 'R' && !read) { read = true; }
                else if (char.ToUpperInvariant(op[at]) == 'W' && !write) { write = true; }
                else if (op[at] == '~') { at++; break; }
                else { return SyntaxError; }
            }
        }
        var pattern = op[at..];
        if (pattern.Any(c => c is ' ' or '\0')) { return SyntaxError; }
        var index = Keys.FindIndex(key => key.Pattern == pattern);
        if (index < 0) { Keys.Add(new KeyPattern(pattern, read, write)); }
        else { Keys[index] = Keys[index] with { Read = Keys[index].Read || read, Write = Keys[index].Write || write }; }
        return null;
    }

    private string? AddChannel(string op)
    {
        if (AllChannels) { return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"; }
        var pattern = op[1..];
        if (pattern.Any(c => c is ' ' or '\0')) { return SyntaxError; }
        if (!Channels.Contains(pattern)) { Channels.Add(pattern); }
        return null;
    }

    private string? SetCategory(string category, bool allow)
    {
        if (!Categories.Contains(category, StringComparer.OrdinalIgnoreCase)) { return UnknownCommand; }
        var inCategory = CommandInfo.InCategory(category);
        foreach (var spec in _commands.Counted) { if (inCategory(spec.Recorded)) { Allowed[spec.Id] = allow; } }
        return null;
    }

    // +cmd, -cmd (a container with all its subcommands), +container|sub, -container|sub. A first argument of a command
    // that is not a container (+select|0, deprecated in Redis) is not supported.
    private string? SetCommand(string name, bool allow)
    {
        var bar = name.IndexOf('|');
        if (bar >= 0 && _commands.Find(Encoding.UTF8.GetBytes(name[..bar])) is { Subcommands: null }) { return UnknownCommand; }
        if (bar >= 0 && name.Length == bar + 1) { return SyntaxError; }
        if (_commands.FindCounted(Encoding.UTF8.GetBytes(name)) is not { } spec) { return UnknownCommand; }
        Allowed[spec.Id] = allow;
        foreach (var sub in spec.Subcommands ?? []) { Allowed[sub.Id] = allow; }
        return null;
    }

    /// <summary>
    /// The command rules as ACL GETUSER and LIST show them (ACLDescribeSelectorCommandRules): +@all or -@all, then the
    /// categories that fit best, applied in turn, then single commands where the bits still differ.
    /// </summary>
    public string DescribeCommands()
    {
        var rules = new List<string> { AllCommands ? "+@all" : "-@all" };
        var additive = !AllCommands;
        var described = new bool[Allowed.Length];
        Array.Fill(described, AllCommands);
        var remaining = (bool[])Allowed.Clone();
        var applied = new bool[Categories.Length];
        while (true)
        {
            var (best, minDiff, maxSame) = (-1, int.MaxValue, 0);
            for (var j = 0; j < Categories.Length; j++)
            {
                if (applied[j]) { continue; }
                var inCategory = CommandInfo.InCategory(Categories[j]);
                var (on, off) = (0, 0);
                foreach (var spec in _commands.Counted)
                {
                    if (!inCategory(spec.Recorded)) { continue; }
                    if (remaining[spec.Id]) { on++; } else { off++; }
                }
                var (diff, same) = additive ? (off, on) : (on, off);
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame))) { (best, minDiff, maxSame) = (j, diff, same); }
            }
            if (best < 0) { break; }
            var inBest = CommandInfo.InCategory(Categories[best]);
            rules.Add((additive ? "+@" : "-@") + Categories[best]);
            foreach (var spec in _commands.Counted)
            {
                if (!inBest(spec.Recorded)) { continue; }
                described[spec.Id] = additive;
                remaining[spec.Id] = !additive;
            }
            applied[best] = true;
        }
        foreach (var spec in _commands.All.OrderBy(spec => spec.Name, StringComparer.Ordinal))
        {
            foreach (var command in (CommandSpec[])[spec, .. spec.Subcommands ?? []])
            {
                if (described[command.Id] == Allowed[command.Id]) { continue; }
                rules.Add((Allowed[command.Id] ? "+" : "-") + command.Name);
                described[command.Id] = Allowed[command.Id];
                if (command == spec) { foreach (var sub in spec.Subcommands ?? []) { described[sub.Id] = Allowed[command.Id]; } }
            }
        }
        return string.Join(' ', rules);
    }

    /// <summary>The key patterns as GETUSER shows them, or ~*.</summary>
    public string DescribeKeys() => AllKeys ? "~*" : string.Join(' ', Keys);

    /// <summary>The channel patterns as GETUSER shows them, or &amp;*.</summary>
    public string DescribeChannels() => AllChannels ? "&*" : string.Join(' ', Channels.Select(channel => "&" + channel));

    /// <summary>ACL LIST's line after the name: flags, password hashes, keys, channels, commands.</summary>
    public string Describe()
    {
        var parts = new List<string>(Flags);
        parts.AddRange(Passwords.Select(hash => "#" + hash));
        if (AllKeys || Keys.Count > 0) { parts.Add(DescribeKeys()); }
        parts.Add(AllChannels ? "&*" : string.Join(' ', ["resetchannels", .. Channels.Select(channel => "&" + channel)]));
        parts.Add(DescribeCommands());
        return string.Join(' ', parts);
    }

    /// <summary>ACL GETUSER's flags, in Redis's order.</summary>
    public IEnumerable<string> Flags
    {
        get
        {
            yield return Enabled ? "on" : "off";
            if (NoPass) { yield return "nopass"; }
            if (Sanitize is { } sanitize) { yield return sanitize; }
        }
    }

    /// <summary>A key matches a pattern that allows what the command does with it.</summary>
    public bool MayUseKey(ReadOnlySpan<byte> key, bool read, bool write)
    {
        if (AllKeys) { return true; }
        foreach (var pattern in Keys)
        {
            if ((read && !pattern.Read) || (write && !pattern.Write)) { continue; }
            if (Glob.Match(pattern.Bytes, key)) { return true; }
        }
        return false;
    }

    /// <summary>A channel a pattern lets through; a pattern (PSUBSCRIBE's) only when the user lists that very pattern.</summary>
    public bool MayUseChannel(ReadOnlySpan<byte> channel, bool isPattern)
    {
        if (AllChannels) { return true; }
        foreach (var pattern in Channels)
        {
            var bytes = Encoding.UTF8.GetBytes(pattern);
            if (isPattern ? channel.SequenceEqual(bytes) : Glob.Match(bytes, channel)) { return true; }
        }
        return false;
    }
}
