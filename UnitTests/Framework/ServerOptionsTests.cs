namespace Loop.UnitTests.Framework;

public sealed class ServerOptionsTests
{
    [Theory]
    [InlineData(nameof(ServerOptions.ReceiveBufferCount))]
    [InlineData(nameof(ServerOptions.RingEntries))]
    [InlineData(nameof(ServerOptions.LoopCount))]
    [InlineData(nameof(ServerOptions.Port))]
    public void An_invalid_setting_fails_at_start_naming_the_setting(string setting)
    {
        var options = new ServerOptions();
        switch (setting)
        {
            case nameof(ServerOptions.ReceiveBufferCount): options.ReceiveBufferCount = 1000; break;
            case nameof(ServerOptions.RingEntries): options.RingEntries = 3; break;
            case nameof(ServerOptions.LoopCount): options.LoopCount = 0; break;
            case nameof(ServerOptions.Port): options.Port = 70000; break;
        }
        var error = Assert.Throws<ArgumentException>(() => Server.Start(options, () => null!));
        Assert.Contains($"ServerOptions.{setting}", error.Message);
    }
}
