using System.Globalization;
using System.Text;

namespace Loop.Samples.Redis.Commands;

/// <summary>
/// redis-server 7.0.15's command table as <c>scripts/record-redis-commands.py</c> recorded it in
/// <c>redis-commands.resp</c> (embedded): the replies of COMMAND INFO and COMMAND DOCS, in RESP3, sorted by name. Read
/// once into a <see cref="RecordedCommand"/> per command and subcommand, whose replies are slices of the recording.
/// </summary>
internal static class RecordedCommands
{
    private static readonly Dictionary<byte[], RecordedCommand> ByName = new(AsciiCaseInsensitiveComparer.Instance);
    private static readonly Dictionary<byte[], RecordedCommand>.AlternateLookup<ReadOnlySpan<byte>> BySpan = ByName.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>The top-level commands, sorted by name.</summary>
    public static RecordedCommand[] All { get; } = Load();

    /// <summary>A command by name, any case; <c>container|sub</c> names a subcommand, as COMMAND INFO and DOCS take them.</summary>
    public static RecordedCommand? Find(ReadOnlySpan<byte> name) => BySpan.TryGetValue(name, out var command) ? command : null;

    /// <summary>A command that must be recorded: every command of the table is.</summary>
    public static RecordedCommand Get(string name) =>
        Find(Encoding.ASCII.GetBytes(name)) ?? throw new InvalidOperationException($"'{name}' is not in redis-commands.resp");

    private static RecordedCommand[] Load()
    {
        using var stream = typeof(RecordedCommands).Assembly.GetManifestResourceStream("Loop.Samples.Redis.Commands.redis-commands.resp")!;
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        var reader = new Reader(data);
        reader.Skip();
        var docs = new Dictionary<string, ReadOnlyMemory<byte>>();
        ReadDocs(ref reader, data, docs);
        reader = new Reader(data);
        var commands = new RecordedCommand[reader.Aggregate()];
        for (var i = 0; i < commands.Length; i++) { commands[i] = ReadInfo(ref reader, data, docs); }
        return commands;
    }

    // A map of names to their COMMAND DOCS, a subcommand's under its container's "subcommands".
    private static void ReadDocs(ref Reader reader, byte[] data, Dictionary<string, ReadOnlyMemory<byte>> docs)
    {
        for (var pairs = reader.Aggregate(); pairs > 0; pairs--)
        {
            var name = reader.Text();
            var start = reader.Position;
            for (var fields = reader.Aggregate(); fields > 0; fields--)
            {
                if (reader.Text() == "subcommands") { ReadDocs(ref reader, data, docs); }
                else { reader.Skip(); }
            }
            docs.Add(name, data.AsMemory(start..reader.Position));
        }
    }

    // A COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.
    private static RecordedCommand ReadInfo(ref Reader reader, byte[] data, Dictionary<string, ReadOnlyMemory<byte>> docs)
    {
        var start = reader.Position;
        reader.Aggregate();
        var name = reader.Text();
        var arity = reader.Integer();
        var flags = reader.Texts();
        var (first, last, step) = (reader.Integer(), reader.Integer(), reader.Integer());
        var categories = reader.Texts();
        reader.Skip(); // tips
        var keySpecs = new RecordedKeySpec[reader.Aggregate()];
        for (var i = 0; i < keySpecs.Length; i++) { keySpecs[i] = ReadKeySpec(ref reader); }
        var subcommands = new RecordedCommand[reader.Aggregate()];
        for (var i = 0; i < subcommands.Length; i++) { subcommands[i] = ReadInfo(ref reader, data, docs); }
        var command = new RecordedCommand(name, data.AsMemory(start..reader.Position), docs[name], arity, flags, first, last, step, categories, keySpecs, subcommands);
        ByName.Add(Encoding.ASCII.GetBytes(name), command);
        return command;
    }

    // A map of notes (skipped), flags, begin_search {type, spec} and find_keys {type, spec}.
    private static RecordedKeySpec ReadKeySpec(ref Reader reader)
    {
        string[] flags = [];
        Dictionary<string, string> begin = [], find = [];
        string beginType = "", findType = "";
        for (var fields = reader.Aggregate(); fields > 0; fields--)
        {
            switch (reader.Text())
            {
                case "flags": flags = reader.Texts(); break;
                case "begin_search": (beginType, begin) = ReadSearch(ref reader); break;
                case "find_keys": (findType, find) = ReadSearch(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        KeyFinder? finder = findType switch
        {
            "range" => new KeyRange(Number(find, "lastkey"), Number(find, "keystep"), Number(find, "limit")),
            "keynum" => new KeyCount(Number(find, "keynumidx"), Number(find, "firstkey"), Number(find, "keystep")),
            _ => null,
        };
        return beginType switch
        {
            "index" => new RecordedKeySpec(flags, Number(begin, "index"), null, 0, finder),
            "keyword" => new RecordedKeySpec(flags, 0, begin["keyword"], Number(begin, "startfrom"), finder),
            _ => new RecordedKeySpec(flags, 0, null, 0, finder),
        };
    }

    // {type, spec}: the type, and the spec's fields as text.
    private static (string Type, Dictionary<string, string> Spec) ReadSearch(ref Reader reader)
    {
        string type = "";
        var spec = new Dictionary<string, string>();
        for (var fields = reader.Aggregate(); fields > 0; fields--)
        {
            if (reader.Text() == "type") { type = reader.Text(); continue; }
            for (var pairs = reader.Aggregate(); pairs > 0; pairs--) { spec.Add(reader.Text(), reader.Scalar()); }
        }
        return (type, spec);
    }

    private static int Number(Dictionary<string, string> fields, string name) => int.Parse(fields[name], CultureInfo.InvariantCulture);

    // Reads the recording's RESP3: aggregates (a map counted in pairs), bulk and simple strings, integers.
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public int Aggregate() => Expect("*~%", out _);

        public int Integer() => Expect(":", out _);

        public string Text()
        {
            var length = Expect("$+", out var kind);
            if (kind == '+') { return Encoding.ASCII.GetString(Line()); }
            var text = Encoding.UTF8.GetString(_data.Slice(Position, length));
            Position += length + 2;
            return text;
        }

        // An integer or a string, as text.
        public string Scalar() => _data[Position] == (byte)':' ? Integer().ToString(CultureInfo.InvariantCulture) : Text();

        public string[] Texts()
        {
            var texts = new string[Aggregate()];
            for (var i = 0; i < texts.Length; i++) { texts[i] = Text(); }
            return texts;
        }

        public void Skip()
        {
            switch ((char)_data[Position])
            {
                case '*' or '~' or '%':
                    var kind = (char)_data[Position];
                    for (var count = Aggregate() * (kind == '%' ? 2 : 1); count > 0; count--) { Skip(); }
                    break;
                case ':': Integer(); break;
                default: Text(); break;
            }
        }

        // The number on a header line of one of the kinds given (a simple string's line is left to read); the kind.
        private int Expect(string kinds, out char kind)
        {
            kind = (char)_data[Position];
            if (!kinds.Contains(kind)) { throw new FormatException($"redis-commands.resp: '{kind}' at {Position}, expected one of {kinds}"); }
            if (kind == '+') { return 0; }
            Position++;
            return int.Parse(Line(), CultureInfo.InvariantCulture);
        }

        // The rest of the line; the position after its CRLF.
        private ReadOnlySpan<byte> Line()
        {
            var start = _data[Position] == (byte)'+' ? Position + 1 : Position;
            var length = _data[start..].IndexOf("\r\n"u8);
            Position = start + length + 2;
            return _data.Slice(start, length);
        }
    }
}
