using System.Buffers;

namespace Loop.Samples.Redis.Persistence;

internal static partial class RdbEncoder
{
    /// <summary>A function library as Redis 7.0 saves it (RDB_OPCODE_FUNCTION2, then its code as a string).</summary>
    public static void WriteFunctionLibrary(IBufferWriter<byte> output, ReadOnlySpan<byte> code)
    {
        output.GetSpan(1)[0] = RdbOpcode.Function2;
        output.Advance(1);
        WriteString(output, code);
    }
}
