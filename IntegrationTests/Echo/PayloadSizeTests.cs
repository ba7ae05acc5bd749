using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Echo;

/// <summary>One payload per connection, from a single byte to many times the receive buffer and the output pause limit.</summary>
public sealed class PayloadSizeTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task OneByte(Backend backend) => EchoesExactly(backend, 1);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task HundredBytes(Backend backend) => EchoesExactly(backend, 100);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task SixtyFourKiB(Backend backend) => EchoesExactly(backend, 64 * 1024);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task OneMiB(Backend backend) => EchoesExactly(backend, 1024 * 1024);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public Task FourMiB(Backend backend) => EchoesExactly(backend, 4 * 1024 * 1024);

    private static async Task EchoesExactly(Backend backend, int length)
    {
        await using var server = await TestServer.StartEchoAsync(backend);
        var client = await server.ConnectAsync();
        var payload = Payloads.Random(length, seed: length);

        Assert.Equal(payload, await client.EchoAsync(payload));
    }
}
