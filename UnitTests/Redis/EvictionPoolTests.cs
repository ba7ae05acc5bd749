using System.Text;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>
/// Eviction's bookkeeping: the pool keeps the best sixteen candidates and hands out the best first; a key's access field
/// moves with it through the table's swap-remove and starts as given; Redis's LFU counter.
/// </summary>
public sealed class EvictionPoolTests
{
    [Fact]
    public void The_pool_keeps_the_sixteen_best_and_gives_the_best_first()
    {
        var pool = new EvictionPool();
        var keys = Enumerable.Range(0, 40).Select(i => Encoding.ASCII.GetBytes($"k{i}")).ToArray();
        foreach (var i in Enumerable.Range(0, 40).OrderBy(i => (i * 17) % 40)) { pool.Offer(i, keys[i], db: i % 3); }
        pool.Offer(39, keys[39], db: 0); // already held: not twice
        for (var expected = 39; expected >= 24; expected--)
        {
            Assert.True(pool.TryTakeBest(out var key, out var db));
            Assert.Same(keys[expected], key);
            Assert.Equal(expected % 3, db);
        }
        Assert.False(pool.TryTakeBest(out _, out _));
    }

    [Fact]
    public void A_worse_candidate_than_all_sixteen_is_not_kept()
    {
        var pool = new EvictionPool();
        for (var i = 100; i < 116; i++) { pool.Offer(i, Encoding.ASCII.GetBytes($"k{i}"), 0); }
        pool.Offer(1, "worst"u8.ToArray(), 0);
        var taken = new List<string>();
        while (pool.TryTakeBest(out var key, out _)) { taken.Add(Encoding.ASCII.GetString(key)); }
        Assert.Equal(16, taken.Count);
        Assert.DoesNotContain("worst", taken);
    }

    [Fact]
    public void The_access_field_moves_with_its_key_when_the_table_fills_a_hole()
    {
        var table = new KeyTable<int>();
        for (var i = 0; i < 100; i++) { table.Set(Encoding.ASCII.GetBytes($"k{i}"), i, access: (uint)(1000 + i)); }
        for (var i = 0; i < 100; i += 2) { Assert.True(table.Remove(Encoding.ASCII.GetBytes($"k{i}"))); }
        for (var i = 1; i < 100; i += 2)
        {
            var slot = table.SlotOf(Encoding.ASCII.GetBytes($"k{i}"));
            Assert.Equal((uint)(1000 + i), table.AccessAt(slot));
        }
        Assert.Equal(-1, table.SlotOf("k0"u8));
    }

    [Fact]
    public void The_lfu_counter_starts_at_5_grows_logarithmically_and_saturates_at_255()
    {
        var access = KeyAccess.New(countsFrequency: true);
        Assert.Equal(5u, KeyAccess.Frequency(access));
        KeyAccess.Touch(ref access, countsFrequency: true); // at the initial value every access counts
        Assert.Equal(6u, KeyAccess.Frequency(access));
        for (var i = 0; i < 1000; i++) { KeyAccess.Touch(ref access, countsFrequency: true); }
        // 1000 more accesses count about sqrt(2 * 1000 / 10) times: far fewer than 1000, at least a few.
        Assert.InRange(KeyAccess.Frequency(access), 8u, 40u);
        access = KeyAccess.WithFrequency(255);
        KeyAccess.Touch(ref access, countsFrequency: true);
        Assert.Equal(255u, KeyAccess.Frequency(access));
        Assert.Equal(255 - 255, KeyAccess.EvictionScore(access, countsFrequency: true));
    }
}
