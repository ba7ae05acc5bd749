namespace Loop.IntegrationTests.Infrastructure;

/// <summary>Test data that shows any lost, duplicated, reordered or crossed byte.</summary>
internal static class Payloads
{
    /// <summary>Random bytes, the same for the same seed, so a failure reproduces.</summary>
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
