using System.Text;
using Loop.Samples.Redis.Persistence;

namespace Loop.UnitTests.Redis.Persistence;

/// <summary>Keeps the commands a read hands over, as text (Latin-1, one char per byte) with their offsets.</summary>
internal sealed class CollectingCommandSink : IAofCommandSink
{
    public List<(string Command, long Offset)> Commands { get; } = [];

    /// <summary>The commands as handed over.</summary>
    public List<IReadOnlyList<byte[]>> Arguments { get; } = [];

    /// <summary>The commands alone, arguments joined by spaces.</summary>
    public IEnumerable<string> Texts => Commands.Select(c => c.Command);

    public void Command(IReadOnlyList<byte[]> arguments, long offset)
    {
        Commands.Add((string.Join(' ', arguments.Select(Encoding.Latin1.GetString)), offset));
        Arguments.Add(arguments);
    }

    public static (CollectingCommandSink Sink, AofReadResult Result) Read(byte[] file, bool loadTruncated = true, bool seekable = true)
    {
        var sink = new CollectingCommandSink();
        var result = AofCommandReader.Read(seekable ? new MemoryStream(file) : new UnseekableStream(file), "test.aof", sink, loadTruncated);
        return (sink, result);
    }
}
