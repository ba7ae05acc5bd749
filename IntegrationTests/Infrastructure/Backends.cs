namespace Loop.IntegrationTests.Infrastructure;

/// <summary>Theory data for tests that must hold on every backend.</summary>
public static class Backends
{
    /// <summary>Every concrete backend (Auto only chooses among them).</summary>
    public static readonly Backend[] Concrete = [Backend.IoUring, Backend.Epoll, Backend.Managed];

    /// <summary><see cref="Concrete"/> as theory data.</summary>
    public static TheoryData<Backend> All => new(Concrete);

    /// <summary>
    /// The backends that drive the kernel directly. The managed one allocates by design: Pipelines
    /// schedules its socket loops on the thread pool, one work item per flush.
    /// </summary>
    public static TheoryData<Backend> Native => new(Backend.IoUring, Backend.Epoll);
}
