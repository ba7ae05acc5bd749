using System.Text;

namespace Loop.Samples.Redis.Server;

/// <summary>
/// LATENCY GRAPH's picture of an event's spikes, drawn as Redis's latencyCommandGenSparkeline draws it with sparkline.c:
/// a title line, 80 dashes, then per 80 samples four rows of the filled sparkline (each row three levels, '_' 'o' '#',
/// '|' below the top), a blank line and the samples' ages ("5s", "3m", "2h", "1d") read downwards.
/// </summary>
internal static class LatencyGraph
{
    private const int Columns = 80, Rows = 4;
    private const string Levels = "_o#"; // SPARKLINE_FILL's charset, lowest first

    /// <summary>The graph of <paramref name="samples"/> (oldest first, at least one) at Unix second <paramref name="now"/>.</summary>
    public static string Render(string name, IReadOnlyList<(long Time, long Milliseconds)> samples, long allTimeHigh, long now)
    {
        var low = samples.Min(s => s.Milliseconds);
        var high = samples.Max(s => s.Milliseconds);
        var labels = samples.Select(s => Age(now - s.Time)).ToArray();
        var graph = new StringBuilder(System.FormattableString.Invariant($"{name} - high {high} ms, low {low} ms (all time high {allTimeHigh} ms)\n"));
        graph.Append('-', Columns).Append('\n');
        for (var offset = 0; offset < samples.Count; offset += Columns)
        {
            if (offset != 0) { graph.Append('\n'); }
            RenderRange(graph, samples, labels, offset, Math.Min(Columns, samples.Count - offset), low, high);
        }
        return graph.ToString();
    }

    // sparklineRenderRange: rows of the bars while any sample reaches them, then a spacing row, then the labels'
    // characters while any label has one left.
    private static void RenderRange(StringBuilder graph, IReadOnlyList<(long Time, long Milliseconds)> samples, string[] labels,
        int offset, int length, long low, long high)
    {
        double range = high - low == 0 ? 1 : high - low;
        const int steps = Rows * 3;
        var chars = new char[length];
        for (var row = 0; ; row++)
        {
            var more = false;
            System.Array.Fill(chars, ' ');
            for (var j = 0; j < length; j++)
            {
                // C's (int)(relval*steps)/relmax, truncated again when stored in an int.
                var step = (int)((int)((double)(samples[offset + j].Milliseconds - low) * steps) / range);
                step = Math.Clamp(step, 0, steps - 1);
                if (row < Rows)
                {
                    more = true;
                    var level = step - (Rows - row - 1) * 3;
                    if (level is >= 0 and < 3) { chars[j] = Levels[level]; }
                    else if (level >= 3) { chars[j] = '|'; }
                    continue;
                }
                if (row == Rows) { more = true; break; } // the blank line above the labels
                var at = row - Rows - 1;
                if (labels[offset + j].Length > at)
                {
                    more = true;
                    chars[j] = labels[offset + j][at];
                }
            }
            if (!more) { return; }
            graph.Append(chars).Append('\n');
        }
    }

    // How long ago a sample was, as its label.
    private static string Age(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m",
        < 86400 => $"{seconds / 3600}h",
        _ => $"{seconds / 86400}d",
    };
}
