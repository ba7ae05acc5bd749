using System.Runtime.CompilerServices;
using System.Text;
using Loop.Samples.Redis.Store;

namespace Loop.UnitTests.Redis;

/// <summary>
/// The keyspace's hash table: lookups and updates against a Dictionary model, the swap-remove's link repair in
/// every chain position, growth and shrinking, random slots, SCAN's guarantee while keys come and go, and
/// lookups that allocate nothing.
/// </summary>
public sealed class KeyTableTests
{
    [Fact]
    public void Sets_gets_overwrites_and_removes()
    {
        var table = new KeyTable<int>();
        Assert.False(table.TryGetValue("a"u8, out _));
        Assert.False(table.Remove("a"u8));

        table.Set("a"u8, 1);
        table.Set("b"u8, 2);
        table.Set("a"u8, 3);

        Assert.Equal(2, table.Count);
        Assert.True(table.TryGetValue("a"u8, out var a));
        Assert.Equal(3, a);
        Assert.True(table.ContainsKey("b"u8));
        Assert.False(table.ContainsKey("c"u8));
        Assert.True(table.Remove("a"u8));
        Assert.False(table.ContainsKey("a"u8));
        Assert.Equal(1, table.Count);
        Assert.Equal("b", Text(table.KeyAt(0)));
        Assert.Equal(2, table.ValueAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.KeyAt(1));
    }

    [Fact]
    public void Set_with_an_array_keeps_it_and_remove_hands_it_back()
    {
        var table = new KeyTable<string>();
        var key = Bytes("moved");
        table.Set(key, "value");
        table.Set("moved"u8, "overwritten");

        Assert.Same(key, table.KeyAt(0));
        Assert.True(table.Remove("moved"u8, out var storedKey, out var value));
        Assert.Same(key, storedKey);
        Assert.Equal("overwritten", value);
    }

    [Fact]
    public void Ref_updates_change_the_stored_value()
    {
        var table = new KeyTable<long>();
        table.Set("counter"u8, 41);

        table.GetValueRefOrNullRef("counter"u8)++;

        Assert.Equal(42, table.ValueAt(0));
        Assert.True(Unsafe.IsNullRef(ref table.GetValueRefOrNullRef("absent"u8)));
    }

    /// <summary>
    /// Two buckets of three colliding keys, inserted in every order, then each key removed: between them the
    /// removed entry and the last entry (the one moved into the hole) take every position in a chain (head,
    /// middle, tail), in the same chain and in the other one, or are the same entry.
    /// </summary>
    [Fact]
    public void Remove_repairs_the_links_in_every_chain_position()
    {
        var keys = CollidingKeys(buckets: 2, perBucket: 3);
        foreach (var order in Permutations(keys))
        {
            foreach (var removed in keys)
            {
                var table = new KeyTable<int>();
                var model = new Dictionary<string, int>();
                foreach (var key in order)
                {
                    table.Set(Bytes(key), key.GetHashCode());
                    model[key] = key.GetHashCode();
                }
                Assert.Equal(KeyTable<int>.MinCapacity, table.Capacity);

                foreach (var key in order.Where(key => key != removed).Prepend(removed))
                {
                    Assert.True(table.Remove(Bytes(key), out var storedKey, out var value));
                    Assert.Equal(key, Text(storedKey));
                    Assert.Equal(model[key], value);
                    model.Remove(key);
                    AssertMatches(model, table);
                }
            }
        }
    }

    [Fact]
    public void Matches_a_dictionary_over_100k_random_operations()
    {
        var random = new Random(20240611);
        var table = new KeyTable<int>();
        var model = new Dictionary<string, int>();
        var peakCapacity = 0;
        for (var op = 0; op < 100_000; op++)
        {
            // Phases of mostly adds then mostly removes, so that the table grows and shrinks repeatedly.
            var adding = op / 10_000 % 2 == 0;
            var key = $"key:{random.Next(8_000)}";
            var value = random.Next();
            var roll = random.Next(100);
            if (roll < (adding ? 50 : 15))
            {
                table.Set(Encoding.ASCII.GetBytes(key).AsSpan(), value);
                model[key] = value;
            }
            else if (roll < (adding ? 60 : 20))
            {
                table.Set(Bytes(key), value);
                model[key] = value;
            }
            else if (roll < (adding ? 70 : 80))
            {
                Assert.Equal(model.Remove(key, out var expected), table.Remove(Bytes(key), out var storedKey, out var removed));
                if (storedKey is not null)
                {
                    Assert.Equal(key, Text(storedKey));
                    Assert.Equal(expected, removed);
                }
            }
            else if (roll < 90)
            {
                Assert.Equal(model.TryGetValue(key, out var expected), table.TryGetValue(Bytes(key), out var actual));
                Assert.Equal(expected, actual);
                Assert.Equal(model.ContainsKey(key), table.ContainsKey(Bytes(key)));
            }
            else if (roll < 99)
            {
                ref var stored = ref table.GetValueRefOrNullRef(Bytes(key));
                Assert.Equal(model.ContainsKey(key), !Unsafe.IsNullRef(ref stored));
                if (!Unsafe.IsNullRef(ref stored)) { model[key] = ++stored; }
            }
            else if (random.Next(100) == 0)
            {
                table.Clear();
                model.Clear();
            }
            peakCapacity = Math.Max(peakCapacity, table.Capacity);
            if (op % 1_000 == 0) { AssertMatches(model, table); }
        }
        AssertMatches(model, table);
        Assert.True(peakCapacity >= 4_096, $"peak capacity {peakCapacity}");
    }

    [Fact]
    public void Grows_by_doubling_when_full_and_halves_when_an_eighth_full()
    {
        var table = new KeyTable<int>();
        Assert.Equal(0, table.Capacity);
        var sizes = new List<int>();
        for (var i = 0; i < 100_000; i++)
        {
            table.Set(Bytes($"k{i}"), i);
            if (sizes.Count == 0 || sizes[^1] != table.Capacity) { sizes.Add(table.Capacity); }
            AssertLoad(table);
        }
        Assert.Equal(Enumerable.Range(4, 14).Select(power => 1 << power), sizes);

        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(table.Remove(Bytes($"k{i}")));
            AssertLoad(table);
            if (i % 10_007 == 0) { Assert.True(table.TryGetValue(Bytes($"k{i + 1}"), out var next) && next == i + 1); }
        }
        Assert.Equal(KeyTable<int>.MinCapacity, table.Capacity);

        static void AssertLoad(KeyTable<int> table)
        {
            Assert.True(table.Count <= table.Capacity);
            Assert.True(table.Capacity == KeyTable<int>.MinCapacity || table.Count >= table.Capacity / 8, $"{table.Count} in {table.Capacity}");
        }
    }

    [Fact]
    public void Resizing_keeps_every_key_in_its_slot()
    {
        var table = new KeyTable<int>();
        for (var i = 0; i < 1_000; i++) { table.Set(Bytes($"k{i}"), i); }
        var slots = Enumerable.Range(0, table.Count).Select(slot => Text(table.KeyAt(slot))).ToList();

        for (var i = 1_000; i < 5_000; i++) { table.Set(Bytes($"k{i}"), i); }
        Assert.Equal(slots, Enumerable.Range(0, slots.Count).Select(slot => Text(table.KeyAt(slot))));

        // Removing from the top slot down moves no entry, so only the shrinking could reorder the rest.
        var capacity = table.Capacity;
        while (table.Count > 10) { Assert.True(table.Remove(table.KeyAt(table.Count - 1))); }
        Assert.True(table.Capacity < capacity);
        Assert.Equal(slots.Take(10), Enumerable.Range(0, 10).Select(slot => Text(table.KeyAt(slot))));
    }

    [Fact]
    public void Clear_empties_the_table_and_gives_its_memory_back()
    {
        var table = new KeyTable<int>();
        for (var i = 0; i < 10_000; i++) { table.Set(Bytes($"k{i}"), i); }

        table.Clear();

        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.Capacity);
        Assert.False(table.ContainsKey("k1"u8));
        Assert.Equal(-1, table.RandomSlot());
        table.Set("k1"u8, 1);
        Assert.True(table.TryGetValue("k1"u8, out var value) && value == 1);
    }

    [Fact]
    public void Random_slots_reach_every_slot_about_evenly()
    {
        var table = new KeyTable<int>();
        Assert.Equal(-1, table.RandomSlot());
        for (var i = 0; i < 200; i++) { table.Set(Bytes($"k{i}"), i); }

        var hits = new int[table.Count];
        for (var draw = 0; draw < 100 * hits.Length; draw++) { hits[table.RandomSlot()]++; }

        // 100 expected per slot, a standard deviation of about 10: the bounds are 6 deviations out.
        Assert.All(hits, count => Assert.InRange(count, 40, 160));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 1)]
    [InlineData(16, 16)]
    [InlineData(17, 16)]
    [InlineData(1_000, 1)]
    [InlineData(1_000, 7)]
    [InlineData(1_000, 5_000)]
    public void Scan_of_an_unchanging_table_returns_each_key_once(int keys, int count)
    {
        var table = new KeyTable<int>();
        for (var i = 0; i < keys; i++) { table.Set(Bytes($"k{i}"), i); }

        var found = new List<byte[]>();
        var calls = 0;
        var cursor = 0UL;
        do
        {
            var before = found.Count;
            cursor = table.Scan(cursor, count, found);
            Assert.True(found.Count - before <= count);
            calls++;
        } while (cursor != 0);

        Assert.Equal(Math.Max(1, (keys + count - 1) / count), calls);
        Assert.Equal(Enumerable.Range(0, keys).Select(i => $"k{i}").Order(), found.Select(Text).Order());
    }

    /// <summary>
    /// Keys are added and removed between SCAN calls, in bursts that make the table grow and shrink mid-scan;
    /// every key present from the first call to the last must be returned.
    /// </summary>
    [Fact]
    public void Scan_returns_every_key_present_throughout_while_keys_come_and_go()
    {
        var random = new Random(7);
        var resizesMidScan = 0;
        var nextKey = 0;
        for (var trial = 0; trial < 500; trial++)
        {
            var table = new KeyTable<int>();
            for (var n = random.Next(400); n > 0; n--) { table.Set(Bytes($"k{nextKey++}"), 0); }
            var survivors = Enumerable.Range(0, table.Count).Select(slot => Text(table.KeyAt(slot))).ToHashSet();
            var count = random.Next(1, 30);
            var addPercent = random.Next(101);

            var found = new HashSet<string>();
            var batch = new List<byte[]>();
            var cursor = 0UL;
            for (var calls = 0; ; calls++)
            {
                Assert.True(calls < 100_000, "the scan did not finish");
                batch.Clear();
                cursor = table.Scan(cursor, count, batch);
                found.UnionWith(batch.Select(Text));
                if (cursor == 0) { break; }

                var capacity = table.Capacity;
                for (var changes = random.Next(2 * count); changes > 0; changes--)
                {
                    if (random.Next(100) < addPercent || table.Count == 0) { table.Set(Bytes($"k{nextKey++}"), 0); }
                    else
                    {
                        var key = Text(table.KeyAt(random.Next(table.Count)));
                        Assert.True(table.Remove(Bytes(key)));
                        survivors.Remove(key);
                    }
                }
                if (table.Capacity != capacity) { resizesMidScan++; }
            }
            Assert.Empty(survivors.Except(found));
        }
        Assert.True(resizesMidScan > 100, $"only {resizesMidScan} resizes during scans");
    }

    [Fact]
    public void Enumerates_every_pair_in_slot_order_and_refuses_a_changed_table()
    {
        var table = new KeyTable<int>();
        for (var i = 0; i < 100; i++) { table.Set(Bytes($"k{i}"), i); }
        table.Remove("k3"u8);

        var slot = 0;
        foreach (var (key, value) in table)
        {
            Assert.Same(table.KeyAt(slot), key);
            Assert.Equal(table.ValueAt(slot), value);
            table.Set(key, value + 1);
            slot++;
        }
        Assert.Equal(table.Count, slot);

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (key, _) in table) { table.Remove(key); }
        });
    }

    [Fact]
    public void Lookups_overwrites_and_ref_updates_allocate_nothing()
    {
        var table = new KeyTable<long>();
        var keys = Enumerable.Range(0, 10_000).Select(i => Bytes($"key:{i}")).ToArray();
        foreach (var key in keys) { table.Set(key.AsSpan(), 0); }
        var missing = Bytes("missing");

        Exercise(table, keys, missing);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = Exercise(table, keys, missing);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sum > 0);

        static long Exercise(KeyTable<long> table, byte[][] keys, byte[] missing)
        {
            var sum = 0L;
            foreach (var key in keys)
            {
                ReadOnlySpan<byte> span = key;
                table.TryGetValue(span, out var value);
                table.Set(span, value + 1);
                table.GetValueRefOrNullRef(span) += 2;
                sum += table.ContainsKey(missing) ? -1 : 0;
            }
            foreach (var (_, value) in table) { sum += value; }
            return sum;
        }
    }

    // Keys whose hashes share their low bits, so that they chain in one bucket of a minimum-size table.
    private static List<string> CollidingKeys(int buckets, int perBucket)
    {
        var byBucket = new Dictionary<int, List<string>>();
        for (var i = 0; ; i++)
        {
            var key = $"c{i}";
            var bucket = ByteArrayComparer.Instance.GetHashCode(Bytes(key).AsSpan()) & (KeyTable<int>.MinCapacity - 1);
            var chain = byBucket.TryGetValue(bucket, out var list) ? list : byBucket[bucket] = [];
            chain.Add(key);
            var full = byBucket.Values.Where(keys => keys.Count == perBucket).Take(buckets).ToList();
            if (full.Count == buckets) { return [.. full.SelectMany(keys => keys)]; }
        }
    }

    private static IEnumerable<List<string>> Permutations(List<string> items) =>
        items.Count == 0
            ? [[]]
            : items.SelectMany(first => Permutations([.. items.Where(item => item != first)]).Select(rest => rest.Prepend(first).ToList()));

    // Checks the table against the model through every way in: the count, each slot, and each key's lookup.
    private static void AssertMatches(Dictionary<string, int> model, KeyTable<int> table)
    {
        Assert.Equal(model.Count, table.Count);
        var slots = new HashSet<string>();
        for (var slot = 0; slot < table.Count; slot++)
        {
            var key = Text(table.KeyAt(slot));
            Assert.True(slots.Add(key), $"{key} is in two slots");
            Assert.Equal(model[key], table.ValueAt(slot));
        }
        foreach (var (key, value) in model)
        {
            Assert.True(table.TryGetValue(Bytes(key), out var stored), $"{key} is not found");
            Assert.Equal(value, stored);
        }
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.ASCII.GetString(bytes);
}
