using System.Net;
using System.Net.Sockets;
using Loop.Internal.Interop;

namespace Loop.UnitTests.Framework;

public sealed class SocketAddressBytesTests
{
    [Fact]
    public void An_IPv4_sockaddr_gives_its_address_and_port()
    {
        // struct sockaddr_in for 192.0.2.7:6379: family in host order, port in network order, zero padding.
        byte[] sockaddr = [2, 0, 0x18, 0xEB, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 6379), SocketAddressBytes.Parse(sockaddr));
    }

    [Fact]
    public void An_IPv6_sockaddr_gives_its_address_port_and_scope()
    {
        // struct sockaddr_in6 for [fe80::1%3]:443: family, port, flow info, address, scope id.
        byte[] sockaddr = [10, 0, 0x01, 0xBB, 0, 0, 0, 0, 0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0];
        var endPoint = SocketAddressBytes.Parse(sockaddr)!;
        Assert.Equal(IPAddress.Parse("fe80::1%3"), endPoint.Address);
        Assert.Equal(443, endPoint.Port);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0x18, 0xEB })]                                                 // cut short
    [InlineData(new byte[] { 1, 0, 0x2F, 0x74, 0x6D, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]      // AF_UNIX
    [InlineData(new byte[] { 10, 0, 0x01, 0xBB, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]           // IPv6 in 16 bytes
    public void Anything_else_gives_no_endpoint(byte[] sockaddr) => Assert.Null(SocketAddressBytes.Parse(sockaddr));

    [Fact]
    public void The_kernel_writes_16_bytes_for_an_IPv4_peer_and_28_for_an_IPv6_one()
    {
        Assert.Equal(16, SocketAddressBytes.LengthFor(AddressFamily.InterNetwork));
        Assert.Equal(28, SocketAddressBytes.LengthFor(AddressFamily.InterNetworkV6));
    }
}
