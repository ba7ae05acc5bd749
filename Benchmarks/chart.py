#!/usr/bin/env python3
"""Draws Loop's throughput against each peer's as an SVG bar chart (standard library only, so that the
benchmark machine needs nothing more than python3).

    Benchmarks/chart.py SUBTITLE FILE.tsv... > summary.svg

Each line of a .tsv file (written by the benchmark scripts' summary_row) is one test:
    test <TAB> Loop's value <TAB> peer's value <TAB> peer's name <TAB> unit
The first word of the test names its benchmark; each benchmark and peer gets a heading naming both.
The two bars of a row are scaled to the larger of the two: the tests' magnitudes differ a thousandfold,
so one scale for all would leave most bars invisible. The ratio on the right is Loop / peer.
"""
import sys
from xml.sax.saxutils import escape

WIDTH = 900
LABEL_RIGHT = 250      # test names end here
BAR_LEFT = 260
BAR_MAX = 470          # the longer bar of a row
RATIO_X = WIDTH - 20   # ratios, right-aligned
ROW = 30
HEADING = 34
LOOP_COLOR, PEER_COLOR = "#2f6fdf", "#a0a6ad"
BETTER, WORSE = "#1a7f37", "#c2410c"


def short(value):
    """1234567 -> 1.23M, 25600 -> 25.6k: bars are labelled, not read off an axis."""
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 5:
                    continue
                test, loop, peer, peer_name, unit = fields
                try:
                    rows.append((test, float(loop), float(peer), peer_name, unit))
                except ValueError:
                    continue  # a test that produced no number (a failed run) is left out, not drawn as zero
    return rows


def text(x, y, content, anchor="start", size=12, weight="normal", color="#222"):
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{color}">{escape(content)}</text>')


def svg_head(width, height, title, subtitle):
    """The opening of a chart: the svg element, a white background, the title and the subtitle."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        text(10, 24, title, size=18, weight="bold"),
        text(10, 44, subtitle, size=12, color="#555"),
    ]


def draw(subtitle, rows):
    out = []
    y = 70
    group = None
    for test, loop, peer, peer_name, unit in rows:
        name_group, _, name = test.partition(" ")
        if (name_group, peer_name) != group:
            group = (name_group, peer_name)
            y += 10
            out.append(text(10, y + 16, f"{name_group}: Loop vs {peer_name} ({unit})", size=14, weight="bold"))
            out.append(f'<line x1="10" y1="{y + 22}" x2="{WIDTH - 10}" y2="{y + 22}" stroke="#ddd"/>')
            y += HEADING
        top = max(loop, peer) or 1
        for i, (value, color) in enumerate(((loop, LOOP_COLOR), (peer, PEER_COLOR))):
            width = max(1.0, BAR_MAX * value / top)
            bar_y = y + i * 12
            out.append(f'<rect x="{BAR_LEFT}" y="{bar_y}" width="{width:.1f}" height="11" fill="{color}"/>')
            out.append(text(BAR_LEFT + width + 5, bar_y + 10, short(value), size=11, color="#444"))
        out.append(text(LABEL_RIGHT, y + 16, name or test, anchor="end"))
        ratio = loop / peer if peer > 0 else 0
        out.append(text(RATIO_X, y + 16, f"{ratio:.2f}×", anchor="end", weight="bold",
                        color=BETTER if round(ratio, 2) >= 1 else WORSE))
        y += ROW
    height = y + 30
    head = svg_head(WIDTH, height, "Loop vs peers: throughput, higher is better", subtitle) + [
        f'<rect x="{BAR_LEFT}" y="54" width="12" height="11" fill="{LOOP_COLOR}"/>',
        text(BAR_LEFT + 17, 64, "Loop", size=12),
        f'<rect x="{BAR_LEFT + 70}" y="54" width="12" height="11" fill="{PEER_COLOR}"/>',
        text(BAR_LEFT + 87, 64, "peer (bars scaled per row)", size=12),
        text(RATIO_X, 64, "Loop / peer", anchor="end", size=12, weight="bold"),
    ]
    foot = [text(10, height - 10, "Drawn by Benchmarks/run from Benchmarks/results/*.tsv", size=10, color="#888"), "</svg>"]
    return "\n".join(head + out + foot) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rows = read_rows(sys.argv[2:])
    if not rows:
        sys.exit("chart.py: no rows in " + " ".join(sys.argv[2:]))
    sys.stdout.write(draw(sys.argv[1], rows))


if __name__ == "__main__":
    main()
