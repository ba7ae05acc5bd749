namespace Loop.Samples.Redis.Persistence;

/// <summary>Receives the commands <see cref="AofCommandReader"/> reads from an append-only file, in file order.</summary>
internal interface IAofCommandSink
{
    /// <summary>
    /// One command: its arguments, the name first, which are the sink's to keep; <paramref name="offset"/> is where it
    /// starts in the file. A transaction arrives whole (MULTI, its commands, EXEC) once its EXEC has been read, so a
    /// file that ends inside one hands over none of it.
    /// </summary>
    void Command(IReadOnlyList<byte[]> arguments, long offset);
}
