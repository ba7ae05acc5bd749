using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>One thread may hold several keyspaces' locks in turn (two servers in a process): each lock is its own.</summary>
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
}
