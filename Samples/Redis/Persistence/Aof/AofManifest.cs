using System.Buffers;
using System.Text;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Redis 7.0's AOF manifest (<c>appendonly.aof.manifest</c> in <c>appenddirname</c>): the files that make up the
/// append-only file, one line each, <c>file NAME seq N type b|h|i</c>. At most one base (loaded first), the history
/// files a rewrite replaced (not loaded), and the incr files in increasing sequence (loaded in order after the base).
/// <see cref="Parse"/> applies the rules of Redis's aofLoadManifestFromFile and refuses what it refuses, in its words;
/// <see cref="Write"/> produces the bytes Redis's getAofManifestAsString does.
/// </summary>
internal sealed class AofManifest(AofFileInfo? baseFile, IReadOnlyList<AofFileInfo> history, IReadOnlyList<AofFileInfo> incrs)
{
    // Redis reads a line with fgets into 1024 bytes, newline included: a longer one (or a last one without its
    // newline) is refused, except that a comment's remainder is read as a line of its own.
    private const int MaxLineLength = 1024;
    private const string InvalidFormat = "Invalid AOF manifest file format";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public AofFileInfo? Base { get; } = baseFile;

    public IReadOnlyList<AofFileInfo> History { get; } = history;

    public IReadOnlyList<AofFileInfo> Incrs { get; } = incrs;

    /// <summary>Reads and parses the manifest at <paramref name="path"/>.</summary>
    public static AofManifest Load(string path) => Parse(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>
    /// The manifest in <paramref name="content"/>; <paramref name="fileName"/> names it in errors. Throws
    /// <see cref="AofFormatException"/> (with the line) where Redis refuses to start: an empty manifest, a line too long,
    /// blank, with unbalanced quotes, without its file, seq (not 0) and type, a name that is a path, a second base, incr
    /// sequences that do not increase, an unknown type. Unknown keys are ignored, as Redis ignores them for forward
    /// compatibility; keys may come in any order and any case.
    /// </summary>
    public static AofManifest Parse(ReadOnlySpan<byte> content, string fileName)
    {
        AofFileInfo? baseFile = null;
        List<AofFileInfo> history = [], incrs = [];
        var lineNumber = 0;
        while (!content.IsEmpty)
        {
            var head = content[..Math.Min(content.Length, MaxLineLength)];
            var length = head.IndexOf((byte)'\n') + 1 is > 0 and var withNewline ? withNewline : head.Length;
            var record = content[..length];
            content = content[length..];
            lineNumber++;
            if (record[0] == '#') { continue; }

            var file = ParseLine(record, fileName, lineNumber, out var text);
            switch (file.Type)
            {
                case AofFileType.Base when baseFile is not null:
                    throw AofFormatException.AtLine(fileName, lineNumber, text, "Found duplicate base file information");
                case AofFileType.Base:
                    baseFile = file;
                    break;
                case AofFileType.History:
                    history.Add(file);
                    break;
                case AofFileType.Incr when file.Sequence <= (incrs.Count == 0 ? 0 : incrs[^1].Sequence):
                    throw AofFormatException.AtLine(fileName, lineNumber, text, "Found a non-monotonic sequence number");
                case AofFileType.Incr:
                    incrs.Add(file);
                    break;
                default:
                    throw AofFormatException.AtLine(fileName, lineNumber, text, "Unknown AOF file type");
            }
        }
        if (lineNumber == 0) { throw AofFormatException.InFile(fileName, "Found an empty AOF manifest"); }
        return new AofManifest(baseFile, history, incrs);
    }

    /// <summary>The manifest as Redis writes it: the base, the history files, the incr files, one line each.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        if (Base is not null) { WriteLine(output, Base); }
        foreach (var file in History) { WriteLine(output, file); }
        foreach (var file in Incrs) { WriteLine(output, file); }
    }

    private static AofFileInfo ParseLine(ReadOnlySpan<byte> record, string fileName, int lineNumber, out string text)
    {
        // The C code sees the line up to its first NUL.
        var line = record.IndexOf((byte)0) is >= 0 and var nul ? record[..nul] : record;
        text = Encoding.UTF8.GetString(line.Trim(" \t\r\n"u8));
        if (line.IndexOf((byte)'\n') < 0)
        {
            throw AofFormatException.AtLine(fileName, lineNumber, null, "The AOF manifest file contains too long line");
        }
        var arguments = SdsArguments.Split(line.Trim(" \t\r\n"u8));
        if (text.Length == 0 || arguments is null || arguments.Count < 6 || arguments.Count % 2 != 0)
        {
            throw AofFormatException.AtLine(fileName, lineNumber, text, InvalidFormat);
        }

        string? name = null;
        long sequence = 0;
        byte type = 0;
        for (var i = 0; i < arguments.Count; i += 2)
        {
            var (key, value) = (Encoding.ASCII.GetString(arguments[i]), arguments[i + 1]);
            if (key.Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                if (value.AsSpan().IndexOfAny("/\\"u8) >= 0)
                {
                    throw AofFormatException.AtLine(fileName, lineNumber, text, "File can't be a path, just a filename");
                }
                name = Name(value, fileName, lineNumber, text);
            }
            else if (key.Equals("seq", StringComparison.OrdinalIgnoreCase)) { sequence = ParseLongLikeC(value); }
            else if (key.Equals("type", StringComparison.OrdinalIgnoreCase)) { type = value.Length > 0 ? value[0] : (byte)0; }
        }
        if (name is null || sequence == 0 || type == 0) { throw AofFormatException.AtLine(fileName, lineNumber, text, InvalidFormat); }
        return new AofFileInfo(name, sequence, (AofFileType)type);
    }

    // A name is opened as a path, which .NET spells in UTF-8 on Linux: bytes that are not UTF-8 could not be opened.
    private static string Name(byte[] value, string fileName, int lineNumber, string text)
    {
        try
        {
            return StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            throw AofFormatException.AtLine(fileName, lineNumber, text, "The file name is not UTF-8, which this server cannot open");
        }
    }

    // atoll: blanks, a sign, the digits up to the first other byte (0 without any), saturating as glibc's strtoll does.
    private static long ParseLongLikeC(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r') { i++; }
        var negative = i < text.Length && text[i] == '-';
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+') { i++; }
        Int128 value = 0;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++)
        {
            value = Int128.Min(value * 10 + (text[i] - '0'), (Int128)long.MaxValue + 1);
        }
        return (long)Int128.Clamp(negative ? -value : value, long.MinValue, long.MaxValue);
    }

    private static void WriteLine(IBufferWriter<byte> output, AofFileInfo file)
    {
        output.Write("file "u8);
        output.Write(SdsArguments.Quote(Encoding.UTF8.GetBytes(file.Name)));
        output.Write(Encoding.ASCII.GetBytes($" seq {file.Sequence} type {(char)file.Type}\n"));
    }
}
