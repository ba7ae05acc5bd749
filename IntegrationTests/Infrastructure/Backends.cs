namespace Loop.IntegrationTests.Infrastructure;

/// <summary>Theory data for tests that must hold on every backend.</summary>
public static class Backends
{
    /// <summary>Every concrete backend (Auto only chooses among them).</summary>
    public static TheoryData<Backend> All => new(Backend.IoUring, Backend.Epoll, Backend.Managed);
}
