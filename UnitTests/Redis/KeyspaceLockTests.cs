using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>Stripe holds exclude each other where they overlap; one thread may hold several keyspaces' locks in turn (two servers in a process).</summary>
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
