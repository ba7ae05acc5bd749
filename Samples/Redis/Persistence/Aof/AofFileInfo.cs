namespace Loop.Samples.Redis.Persistence;

/// <summary>What a manifest line says a file is; the value is the letter the manifest spells it with.</summary>
internal enum AofFileType : byte
{
    /// <summary>The snapshot of the last rewrite; at most one, loaded first.</summary>
    Base = (byte)'b',

    /// <summary>A base or incr file that a rewrite replaced; not loaded, kept until deleted.</summary>
    History = (byte)'h',

    /// <summary>Commands since the base, loaded in sequence order after it.</summary>
    Incr = (byte)'i',
}

/// <summary>One line of a manifest: a file in the AOF directory, its sequence number and its type.</summary>
internal sealed record AofFileInfo(string Name, long Sequence, AofFileType Type);
