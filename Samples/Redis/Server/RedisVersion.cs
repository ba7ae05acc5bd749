namespace Loop.Samples.Redis.Server;

/// <summary>
/// The Redis version this server answers as (INFO's redis_version, HELLO, LOLWUT, the RDB file's redis-ver, the config
/// file's fatal errors): the one whose behaviour it follows.
/// </summary>
internal static class RedisVersion
{
    public const string Text = "7.0.15";
}
