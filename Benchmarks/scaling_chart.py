#!/usr/bin/env python3
"""Draws the Redis scaling benchmark's throughput against loops as an SVG (standard library only, so that the
benchmark machine, or the kit's, needs nothing more than python3).

    Benchmarks/scaling_chart.py SUBTITLE redis-scaling.tsv > redis-scaling.svg

The .tsv is Benchmarks/redis-scaling.sh's: a header, then one measurement a line, with the columns server, test,
pipeline and req/s first. Servers named "loop-redis N" are one line over N (loops, evenly spaced: 1, 2, 4, ...);
the peers, which ran once on all the server CPUs, are horizontal dashed lines. One panel per test and pipeline,
each with its own scale from zero.
"""
import math
import sys
from xml.sax.saxutils import escape

from chart import short, svg_head  # the summary chart's number labels and opening

WIDTH = 900
PANEL_W, PANEL_H = 380, 190
LEFT, TOP, GAP_X, GAP_Y = 55, 130, 75, 70
LOOP_COLOR = "#2f6fdf"
PEER_COLORS = ["#6b7280", "#c2410c", "#1a7f37", "#7c3aed"]


def nice_step(top):
    """A round step (1, 2 or 5 times a power of ten) that divides 0..top into four to eight parts."""
    step = 10 ** math.floor(math.log10(top / 4))
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 8:
            return step * factor
    return step * 10


def text(x, y, content, anchor="start", size=12, weight="normal", color="#222"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{color}">{escape(content)}</text>')


def read(path):
    """{(test, pipeline): {server: req/s}}, panels and servers in the order they first appear."""
    panels, servers = {}, []
    with open(path, encoding="utf-8") as f:
        next(f, None)
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 4:
                continue
            server, test, pipeline, rps = fields[:4]
            try:
                value = float(rps)
            except ValueError:
                continue  # a failed measurement is left out, not drawn as zero
            panels.setdefault((test, pipeline), {})[server] = value
            if server not in servers:
                servers.append(server)
    return panels, servers


def loops_of(server):
    name, _, n = server.rpartition(" ")
    return int(n) if name == "loop-redis" and n.isdigit() else None


def panel(x0, y0, title, values, loop_counts, peers):
    out = [text(x0, y0 - 10, title, size=13, weight="bold")]
    step = nice_step(max(values.values()) * 1.12 or 1)
    top = step * math.ceil(max(values.values()) * 1.12 / step) or 1
    out.append(f'<rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#ddd"/>')
    for i in range(round(top / step) + 1):
        y = y0 + PANEL_H - PANEL_H * i * step / top
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(text(x0 - 5, y + 4, short(i * step) if i else "0", anchor="end", size=10, color="#666"))

    def x_of(i):
        return x0 + PANEL_W * (i + 0.5) / max(len(loop_counts), 1)

    def y_of(v):
        return y0 + PANEL_H - PANEL_H * v / top

    for i, n in enumerate(loop_counts):
        out.append(text(x_of(i), y0 + PANEL_H + 14, str(n), anchor="middle", size=10, color="#666"))
    out.append(text(x0 + PANEL_W, y0 + PANEL_H + 28, "loops", anchor="end", size=10, color="#666"))
    for i, (color, peer) in enumerate(zip(PEER_COLORS, peers)):
        if peer in values:
            y = y_of(values[peer])
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" stroke="{color}" '
                       f'stroke-width="2" stroke-dasharray="6 4"/>')
            # Labels take turns at the right end, the left end and the middle, so that peers close together
            # stay readable.
            x, anchor = ((x0 + PANEL_W - 4, "end"), (x0 + 4, "start"), (x0 + PANEL_W / 2, "middle"))[i % 3]
            out.append(text(x, y - 4, short(values[peer]), anchor=anchor, size=10, color=color))
    points = [(x_of(i), y_of(values[f"loop-redis {n}"]), values[f"loop-redis {n}"])
              for i, n in enumerate(loop_counts) if f"loop-redis {n}" in values]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LOOP_COLOR}" stroke-width="2.5"/>')
    for x, y, value in points:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LOOP_COLOR}"/>')
        out.append(text(x, y - 8, short(value), anchor="middle", size=10, color=LOOP_COLOR))
    return out


def draw(subtitle, panels, servers):
    loop_counts = sorted(n for n in map(loops_of, servers) if n is not None)
    peers = [s for s in servers if loops_of(s) is None]
    tests = list(dict.fromkeys(test for test, _ in panels))
    pipelines = sorted({p for _, p in panels}, key=lambda p: -int(p))
    out = []
    for row, test in enumerate(tests):
        for col, pipeline in enumerate(pipelines):
            if (test, pipeline) in panels:
                out += panel(LEFT + col * (PANEL_W + GAP_X), TOP + row * (PANEL_H + GAP_Y),
                             f"{test}, -P {pipeline} (req/s)", panels[test, pipeline], loop_counts, peers)
    height = TOP + len(tests) * (PANEL_H + GAP_Y) + 10
    legend = [f'<line x1="10" y1="70" x2="34" y2="70" stroke="{LOOP_COLOR}" stroke-width="2.5"/>',
              text(40, 74, "loop-redis, x: loops (one per server CPU)", size=12)]
    x = 330
    for color, peer in zip(PEER_COLORS, peers):
        legend.append(f'<line x1="{x}" y1="70" x2="{x + 24}" y2="70" stroke="{color}" stroke-width="2" '
                      f'stroke-dasharray="6 4"/>')
        legend.append(text(x + 30, 74, peer, size=12))
        x += 40 + 7 * len(peer)
    head = svg_head(WIDTH, height, "Redis throughput against loops, higher is better", subtitle) + [
        text(10, 94, "Peers (dashed) ran once, on all the server CPUs; each panel has its own scale.", size=11,
             color="#666"),
    ]
    return "\n".join(head + legend + out + ["</svg>"]) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    panels, servers = read(sys.argv[2])
    if not panels:
        sys.exit("scaling_chart.py: no measurements in " + sys.argv[2])
    sys.stdout.write(draw(sys.argv[1], panels, servers))


if __name__ == "__main__":
    main()
