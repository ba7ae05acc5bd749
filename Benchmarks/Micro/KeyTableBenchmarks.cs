using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Loop.Samples.Redis.Store;

namespace Loop.Benchmarks.Micro;

/// <summary>
/// The keyspace's <see cref="KeyTable{TValue}"/> against what Database uses today, a Dictionary with
/// <see cref="ByteArrayComparer"/> looked up by span: 100k keys shaped like redis-benchmark's
/// (<c>key:000000012345</c>), each operation on 1,024 keys in random order, so that most probes miss the
/// CPU caches as they would in a large keyspace. Ratio is against the Dictionary in each category.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KeyTableBenchmarks
{
    private const int Keys = 100_000;
    private const int Probes = 1_024;
    private static readonly object s_value = new byte[8];

    private readonly KeyTable<object> _table = new();
    private readonly Dictionary<byte[], object> _dictionary = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], object>.AlternateLookup<ReadOnlySpan<byte>> _dictionaryBySpan;
    private byte[][] _present = [];
    private byte[][] _absent = [];

    public KeyTableBenchmarks() => _dictionaryBySpan = _dictionary.GetAlternateLookup<ReadOnlySpan<byte>>();

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Keys; i++)
        {
            _table.Set(Key(i), s_value);
            _dictionaryBySpan[Key(i)] = s_value;
        }
        var random = new Random(1);
        _present = [.. Enumerable.Range(0, Probes).Select(_ => Key(random.Next(Keys)))];
        _absent = [.. Enumerable.Range(0, Probes).Select(_ => Key(Keys + random.Next(Keys)))];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Probes), BenchmarkCategory("LookupHit")]
    public int DictionaryLookupHit() => DictionaryLookups(_present);

    [Benchmark(OperationsPerInvoke = Probes), BenchmarkCategory("LookupHit")]
    public int KeyTableLookupHit() => TableLookups(_present);

    [Benchmark(Baseline = true, OperationsPerInvoke = Probes), BenchmarkCategory("LookupMiss")]
    public int DictionaryLookupMiss() => DictionaryLookups(_absent);

    [Benchmark(OperationsPerInvoke = Probes), BenchmarkCategory("LookupMiss")]
    public int KeyTableLookupMiss() => TableLookups(_absent);

    [Benchmark(Baseline = true, OperationsPerInvoke = Probes), BenchmarkCategory("Overwrite")]
    public void DictionaryOverwrite()
    {
        foreach (var key in _present) { _dictionaryBySpan[key] = s_value; }
    }

    [Benchmark(OperationsPerInvoke = Probes), BenchmarkCategory("Overwrite")]
    public void KeyTableOverwrite()
    {
        foreach (var key in _present) { _table.Set(key.AsSpan(), s_value); }
    }

    /// <summary>Removes a present key (for the KeyTable, a swap-remove that moves its last entry) and adds it back as a copy.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Probes), BenchmarkCategory("AddRemove")]
    public void DictionaryRemoveAndAdd()
    {
        foreach (var key in _present)
        {
            _dictionaryBySpan.Remove(key);
            _dictionaryBySpan[key] = s_value;
        }
    }

    [Benchmark(OperationsPerInvoke = Probes), BenchmarkCategory("AddRemove")]
    public void KeyTableRemoveAndAdd()
    {
        foreach (var key in _present)
        {
            _table.Remove(key);
            _table.Set(key.AsSpan(), s_value);
        }
    }

    private int DictionaryLookups(byte[][] keys)
    {
        var found = 0;
        foreach (var key in keys) { found += _dictionaryBySpan.TryGetValue(key, out _) ? 1 : 0; }
        return found;
    }

    private int TableLookups(byte[][] keys)
    {
        var found = 0;
        foreach (var key in keys) { found += _table.TryGetValue(key, out _) ? 1 : 0; }
        return found;
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key:{i:D12}");
}
