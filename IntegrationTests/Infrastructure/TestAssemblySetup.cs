using System.Runtime.CompilerServices;

namespace Loop.IntegrationTests.Infrastructure;

internal static class TestAssemblySetup
{
    /// <summary>
    /// On a 2-core machine the test host keeps two pool threads blocked for the whole run (vstest's message
    /// loop, xunit's runner), and socket continuations of the test clients then wait for the pool to grow,
    /// up to a second at a time. Starting with more threads keeps client-side timing out of the results.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completionPorts);
    }
}
