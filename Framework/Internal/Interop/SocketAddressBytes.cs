using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Loop.Internal.Interop;

/// <summary>
/// A peer's address as the kernel writes it (struct sockaddr_in or sockaddr_in6), kept raw by the connection and
/// turned into an <see cref="IPEndPoint"/> only when asked for: accepting a connection allocates nothing.
/// </summary>
[InlineArray(MaxLength)]
internal struct SocketAddressBytes
{
    /// <summary>sizeof(struct sockaddr_in6), the larger of the two.</summary>
    public const int MaxLength = 28;

    private const int IPv4Length = 16;
    private const ushort AfInet = 2, AfInet6 = 10;

    private byte _first;

    /// <summary>The size of the sockaddr the kernel gives for a peer of a listener of this family.</summary>
    public static int LengthFor(AddressFamily family) => family == AddressFamily.InterNetwork ? IPv4Length : MaxLength;

    /// <summary>The endpoint a sockaddr holds; null if it is too short or of another family.</summary>
    public static IPEndPoint? Parse(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < IPv4Length) { return null; }
        // sa_family and sin6_scope_id are in host order, the port in network order.
        var port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        return MemoryMarshal.Read<ushort>(sockaddr) switch
        {
            AfInet => new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), port),
            AfInet6 when sockaddr.Length >= MaxLength =>
                new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), MemoryMarshal.Read<uint>(sockaddr[24..])), port),
            _ => null,
        };
    }
}
