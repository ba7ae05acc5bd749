using Loop.IntegrationTests.Infrastructure;

namespace Loop.IntegrationTests.Redis;

/// <summary>INFO lists the fields redis-server 7.0 lists, in its order: monitoring tools read them by name.</summary>
public sealed class InfoFieldsTests
{
    [Fact]
    public async Task The_server_section_has_redis_servers_fields_in_its_order()
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync();
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        Assert.Equal(await NamesAsync(theirClient, "server"), await NamesAsync(ourClient, "server"));
        var fields = await FieldsAsync(ourClient, "server");
        Assert.Matches("^[0-9a-f]{40}$", fields["run_id"]);
        Assert.StartsWith($"{(await FieldsAsync(theirClient, "server"))["os"].Split(' ')[0]} ", fields["os"]);
    }

    private static async Task<string[]> NamesAsync(RespClient client, string section) => [.. (await FieldsAsync(client, section)).Keys];

    private static async Task<Dictionary<string, string>> FieldsAsync(RespClient client, string section) =>
        ((string)(await client.CallAsync("INFO", section))!).Split("\r\n").Where(line => line.Contains(':'))
            .ToDictionary(line => line[..line.IndexOf(':')], line => line[(line.IndexOf(':') + 1)..]);
}
