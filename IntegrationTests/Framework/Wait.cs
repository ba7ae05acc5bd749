namespace Loop.IntegrationTests.Framework;

internal static class Wait
{
    /// <summary>Checks <paramref name="condition"/> until it holds, failing after <paramref name="seconds"/>.</summary>
    public static async Task Until(Func<bool> condition, string what, int seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            if (timeout.IsCancellationRequested) { Assert.Fail($"Timed out after {seconds} s waiting for: {what}"); }
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Bytes the loop's thread has allocated so far. Read without signalling from the loop thread: a task
    /// completion there could itself allocate.
    /// </summary>
    public static async Task<long> AllocatedOnLoopThread(EventLoop loop)
    {
        var bytes = new long[] { -1 };
        loop.Post(() => Volatile.Write(ref bytes[0], GC.GetAllocatedBytesForCurrentThread()));
        await Until(() => Volatile.Read(ref bytes[0]) >= 0, "the loop to read its allocation counter");
        return bytes[0];
    }

    /// <summary>Runs <paramref name="action"/> on the loop's thread and returns its result.</summary>
    public static Task<T> OnLoop<T>(EventLoop loop, Func<T> action)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() => result.SetResult(action()));
        return result.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
