using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>
/// Stripe holds exclude each other where they overlap; one thread may hold several keyspaces' locks in turn (two servers
/// in a process); ticks order the holds that conflict, as the loops' append-only file buffers are merged by them.
/// </summary>
public sealed class KeyspaceLockTests
{
    [Fact]
    public void Holding_one_keyspace_exclusively_holds_no_other()
    {
        var first = new KeyspaceLock();
        var second = new KeyspaceLock();
        using (first.Exclusive())
        {
            Assert.True(first.HeldExclusively);
            Assert.False(second.HeldExclusively);
            using (second.Exclusive()) { Assert.True(second.HeldExclusively); }
            Assert.False(second.HeldExclusively);
            Assert.True(first.HeldExclusively);
        }
        Assert.False(first.HeldExclusively);
    }

    [Fact]
    public void A_shared_hold_of_one_keyspace_does_not_stop_this_thread_holding_another_exclusively()
    {
        var first = new KeyspaceLock();
        var second = new KeyspaceLock();
        using (first.Shared(0))
        {
            using (second.Exclusive()) { Assert.True(second.HeldExclusively); }
            Assert.Throws<InvalidOperationException>(() => first.Exclusive());
        }
    }

    [Fact]
    public async Task Holders_of_overlapping_stripes_exclude_each_other_and_never_deadlock()
    {
        var keyspace = new KeyspaceLock();
        var counter = 0; // incremented without atomics: only the stripe 7 that every holder shares protects it
        const int rounds = 200_000;
        void Hold(int[] stripes)
        {
            for (var i = 0; i < rounds; i++)
            {
                using (stripes.Length == 1 ? (IDisposable)keyspace.Shared(stripes[0]) : keyspace.Shared(stripes, stripes.Length))
                {
                    counter = Volatile.Read(ref counter) + 1;
                }
            }
        }
        await Task.WhenAll(
            Task.Run(() => Hold([3, 7])),
            Task.Run(() => Hold([7, 900])),
            Task.Run(() => Hold([7])));
        Assert.Equal(3 * rounds, counter);
    }

    [Fact]
    public void Each_tick_is_above_those_of_every_conflicting_hold_before_it()
    {
        // Three threads tick under overlapping stripes, recording each tick in the order the holds ran (the stripe 7
        // they all share orders them): that order is the ticks' order, and each thread's own ticks rise.
        var keyspace = new KeyspaceLock();
        var ran = new List<(int Thread, long Tick)>();
        const int rounds = 50_000;
        void Hold(int thread, int[] stripes)
        {
            for (var i = 0; i < rounds; i++)
            {
                using (stripes.Length == 1 ? (IDisposable)keyspace.Shared(stripes[0]) : keyspace.Shared(stripes, stripes.Length))
                {
                    ran.Add((thread, keyspace.Tick()));
                }
                if (i % 1000 == 0) { using (keyspace.Shared(thread * 100)) { keyspace.Tick(); } } // a stripe of its own
            }
        }
        Thread[] threads = [new(() => Hold(1, [3, 7])), new(() => Hold(2, [7, 900])), new(() => Hold(3, [7]))]; // a clock each
        foreach (var thread in threads) { thread.Start(); }
        foreach (var thread in threads) { thread.Join(); }
        Assert.Equal(3 * rounds, ran.Count);
        for (var i = 1; i < ran.Count; i++) { Assert.True(ran[i].Tick > ran[i - 1].Tick, $"hold {i} ticked {ran[i].Tick} after {ran[i - 1].Tick}"); }
    }

    [Fact]
    public async Task An_exclusive_hold_ticks_above_every_hold_before_it_and_every_hold_after_ticks_above_it()
    {
        var keyspace = new KeyspaceLock();
        long shared;
        using (keyspace.Shared(5)) { keyspace.Tick(); shared = keyspace.Tick(); }
        long exclusive;
        using (keyspace.Exclusive()) { exclusive = keyspace.Tick(); }
        Assert.True(exclusive > shared);
        var elsewhere = await Task.Run(() => { using (keyspace.Shared(600)) { return keyspace.Tick(); } }); // a stripe nobody ticked under
        Assert.True(elsewhere > exclusive);
    }

    [Fact]
    public void A_stripes_hold_within_an_exclusive_hold_takes_nothing_more()
    {
        var keyspace = new KeyspaceLock();
        using (keyspace.Exclusive())
        {
            using (keyspace.Shared([1, 2], 2)) { Assert.True(keyspace.HeldExclusively); }
            Assert.True(keyspace.HeldExclusively);
        }
    }
}
