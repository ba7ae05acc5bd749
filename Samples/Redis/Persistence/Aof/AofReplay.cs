using System.Buffers;
using Loop.Protocols.Resp;
using Loop.Samples.Redis.Server;

namespace Loop.Samples.Redis.Persistence;

/// <summary>
/// Runs the commands of an append-only file against the keyspace, as Redis's fake client does: through the command
/// table, replies discarded, an unknown command refused (InvalidDataException), a transaction's MULTI and EXEC dropped (the reader hands over only whole transactions).
/// The caller holds the keyspace exclusively, with expiry paused.
/// </summary>
internal sealed class AofReplay(RedisServer server) : IAofCommandSink
{
    private readonly Session _session = Session.ForReplay(server, new ArrayBufferWriter<byte>());

    public long Commands { get; private set; }

    public void Command(IReadOnlyList<byte[]> arguments, long offset)
    {
        var name = arguments[0];
        if (name.AsSpan().SequenceEqual("MULTI"u8) || name.AsSpan().SequenceEqual("EXEC"u8)) { return; }
        if (server.Commands.Find(name) is not { } spec || !spec.AcceptsArgumentCount(arguments.Count))
        {
            throw new InvalidDataException($"Unknown command '{System.Text.Encoding.UTF8.GetString(name)}' reading the append only file");
        }
        _session.Replay(spec, ToCommand(arguments));
        Commands++;
    }

    /// <summary>A command read as separate arguments, in the form the command table's handlers take.</summary>
    public static RespCommand ToCommand(IReadOnlyList<byte[]> arguments)
    {
        var length = 0;
        foreach (var argument in arguments) { length += argument.Length; }
        var buffer = new byte[length];
        var positions = new RespArgument[arguments.Count];
        var at = 0;
        for (var i = 0; i < arguments.Count; i++)
        {
            arguments[i].CopyTo(buffer, at);
            positions[i] = new RespArgument(at, arguments[i].Length, InScratch: false);
            at += arguments[i].Length;
        }
        return new RespCommand(buffer, default, positions);
    }
}
