namespace Loop.Samples.Redis.Persistence;

/// <summary>The byte before each value in an RDB file or DUMP payload (rdb.h's RDB_TYPE_*).</summary>
internal static class RdbType
{
    public const byte String = 0;
    public const byte List = 1;
    public const byte Set = 2;
    public const byte SortedSet = 3;
    public const byte Hash = 4;
    public const byte SortedSet2 = 5;
    public const byte ModulePreGa = 6;
    public const byte Module2 = 7;
    public const byte HashZipmap = 9;
    public const byte ListZiplist = 10;
    public const byte SetIntset = 11;
    public const byte SortedSetZiplist = 12;
    public const byte HashZiplist = 13;
    public const byte ListQuicklist = 14;
    public const byte StreamListpacks = 15;
    public const byte HashListpack = 16;
    public const byte SortedSetListpack = 17;
    public const byte ListQuicklist2 = 18;
    public const byte StreamListpacks2 = 19;
    public const byte SetListpack = 20;
    public const byte StreamListpacks3 = 21;
}

/// <summary>The bytes that are not a value type (rdb.h's RDB_OPCODE_*).</summary>
internal static class RdbOpcode
{
    public const byte Function2 = 245;
    public const byte FunctionPreGa = 246;
    public const byte ModuleAux = 247;
    public const byte Idle = 248;
    public const byte Freq = 249;
    public const byte Aux = 250;
    public const byte ResizeDb = 251;
    public const byte ExpireTimeMs = 252;
    public const byte ExpireTime = 253;
    public const byte SelectDb = 254;
    public const byte Eof = 255;
}

/// <summary>Constants of the format around the types.</summary>
internal static class RdbFormat
{
    /// <summary>The version Redis 7.0 writes and the newest this server reads.</summary>
    public const int Version = 10;

    // The two top bits of a length's first byte: 6 bits, 14 bits, 32 or 64 bits following (0x80, 0x81), or an encoded string.
    public const int Length6Bit = 0;
    public const int Length14Bit = 1;
    public const byte Length32Bit = 0x80;
    public const byte Length64Bit = 0x81;
    public const int Encoded = 3;

    // The low six bits of an encoded string's first byte.
    public const int EncodingInt8 = 0;
    public const int EncodingInt16 = 1;
    public const int EncodingInt32 = 2;
    public const int EncodingLzf = 3;

    // A quicklist 2 node: one element as it is (a large one), or a listpack of several.
    public const int QuicklistNodePlain = 1;
    public const int QuicklistNodePacked = 2;
}

/// <summary>The flags of an entry in a stream node's listpack (t_stream.c's STREAM_ITEM_FLAG_*).</summary>
internal static class StreamFlags
{
    public const int Deleted = 1;
    public const int SameFields = 2;
}
