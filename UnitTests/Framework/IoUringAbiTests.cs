using Loop.Internal.Interop;
using Loop.Internal.IoUring;

namespace Loop.UnitTests.Framework;

/// <summary>The interop structs must match linux/io_uring.h byte for byte.</summary>
public sealed unsafe class IoUringAbiTests
{
    [Fact]
    public void Struct_sizes_match_the_kernel_header()
    {
        Assert.Equal(64, sizeof(IoUringSqe));
        Assert.Equal(16, sizeof(IoUringCqe));
        Assert.Equal(120, sizeof(IoUringParams));
        Assert.Equal(40, sizeof(IoSqringOffsets));
        Assert.Equal(40, sizeof(IoCqringOffsets));
        Assert.Equal(16, sizeof(IoUringBuf));
        Assert.Equal(40, sizeof(IoUringBufReg));
        Assert.Equal(32, sizeof(IoUringRsrcRegister));
        Assert.Equal(16, sizeof(IoUringRsrcUpdate));
        Assert.Equal(24, sizeof(IoUringGeteventsArg));
        Assert.Equal(16, sizeof(IoUringProbe));
        Assert.Equal(8, sizeof(IoUringProbeOp));
    }

    [Fact]
    public void Sqe_fields_sit_at_the_kernel_offsets()
    {
        var sqe = default(IoUringSqe);
        var start = (byte*)&sqe;
        Assert.Equal(4, (byte*)&sqe.Fd - start);
        Assert.Equal(16, (byte*)&sqe.Addr - start);
        Assert.Equal(28, (byte*)&sqe.OpFlags - start);
        Assert.Equal(32, (byte*)&sqe.UserData - start);
        Assert.Equal(40, (byte*)&sqe.BufIndex - start);
        Assert.Equal(44, (byte*)&sqe.FileIndex - start);
        // The socket command fields share those places (union members in io_uring.h).
        Assert.Equal(8, (byte*)&sqe.CmdOp - start);
        Assert.Equal(16, (byte*)&sqe.Level - start);
        Assert.Equal(20, (byte*)&sqe.OptName - start);
        Assert.Equal(44, (byte*)&sqe.OptLen - start);
        Assert.Equal(48, (byte*)&sqe.OptVal - start);
    }

    [Theory]
    [InlineData((byte)OpKind.Recv, 0)]
    [InlineData((byte)OpKind.Send, 16383)]
    [InlineData((byte)OpKind.Close, int.MaxValue)]
    public void User_data_round_trips(byte kind, int index)
    {
        Assert.Equal(((OpKind)kind, index), UserData.Decode(UserData.Encode((OpKind)kind, index)));
    }
}
