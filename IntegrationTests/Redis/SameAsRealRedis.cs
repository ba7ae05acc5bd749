namespace Loop.IntegrationTests.Redis;

/// <summary>A script of commands sent to this server and to the real redis-server 7.0 in turn, every reply compared.</summary>
internal static class SameAsRealRedis
{
    /// <summary>
    /// Fails at the first command whose reply differs, both shown through <paramref name="show"/> (which may mask what
    /// differs from run to run: ids, times, ports); <paramref name="realArguments"/> go to redis-server's command line.
    /// </summary>
    public static async Task RepliesAsync(string[][] script, Func<object?, string>? show = null, params string[] realArguments)
    {
        await using var ours = await InProcessRedis.StartAsync(Backend.Auto);
        await using var real = await RealRedis.StartAsync(arguments: realArguments);
        using var ourClient = new RespClient(await ours.ConnectAsync());
        using var theirClient = await real.ConnectAsync();
        show ??= Show;
        foreach (var command in script)
        {
            var (expected, actual) = (show(await theirClient.CallAsync(command)), show(await ourClient.CallAsync(command)));
            Assert.True(expected == actual, $"{string.Join(' ', command)}\nredis-server: {expected}\nloop-redis:   {actual}");
        }
    }

    /// <summary>A reply as text: arrays in brackets, nil as (nil).</summary>
    public static string Show(object? reply) => reply switch
    {
        object?[] items => $"[{string.Join(", ", items.Select(Show))}]",
        Push push => ">" + Show(push.Items),
        null => "(nil)",
        _ => reply.ToString()!,
    };
}
