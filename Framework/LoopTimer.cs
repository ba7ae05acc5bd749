namespace Loop;

/// <summary>
/// A callback scheduled on a loop with <see cref="EventLoop.Schedule"/> (once) or <see cref="EventLoop.Every"/>
/// (until cancelled); cancel it before it fires.
/// </summary>
public sealed class LoopTimer
{
    internal LoopTimer(Action callback, long dueTicks, long periodTicks)
    {
        Callback = callback;
        DueTicks = dueTicks;
        PeriodTicks = periodTicks;
    }

    internal Action Callback { get; }
    internal long DueTicks { get; set; }

    /// <summary>Stopwatch ticks between firings of a repeating timer; 0 for a one-shot.</summary>
    internal long PeriodTicks { get; }

    /// <summary>True once cancelled; a cancelled timer never fires.</summary>
    public bool IsCancelled { get; private set; }

    /// <summary>Prevents the callback from running. Call on the loop thread.</summary>
    public void Cancel() => IsCancelled = true;
}
