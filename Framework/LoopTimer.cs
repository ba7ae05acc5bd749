namespace Loop;

/// <summary>A callback scheduled on a loop with <see cref="EventLoop.Schedule"/>; cancel it before it fires.</summary>
public sealed class LoopTimer
{
    internal LoopTimer(Action callback, long dueTicks)
    {
        Callback = callback;
        DueTicks = dueTicks;
    }

    internal Action Callback { get; }
    internal long DueTicks { get; }

    /// <summary>True once cancelled; a cancelled timer never fires.</summary>
    public bool IsCancelled { get; private set; }

    /// <summary>Prevents the callback from running. Call on the loop thread.</summary>
    public void Cancel() => IsCancelled = true;
}
