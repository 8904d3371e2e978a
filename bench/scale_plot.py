"""Turns bench/scale.sh's CSV into an SVG plot (log-log, one panel per
series) and a markdown table on stdout. Standard library only.

    python3 bench/scale_plot.py bench/scale.csv bench/scale.svg > table.md

The table's "slope" is the log-log slope of load time from the row above:
1 is linear growth, below 1 a fixed cost still dominating, above 1 worse
than linear.
"""

import csv
import math
import sys

W, H = 980, 420
PANEL_W, PANEL_H = 400, 300
MARGIN_L, MARGIN_T = 80, 60
GAP = 90
LINES = [("load_us", "load (Loader::load)", "#c0392b", ""),
         ("parse_us", "read + parse (source::read)", "#2471a3", "6,4"),
         ("read_us", "read only", "#7f8c8d", "2,3")]


def fmt_us(us):
    if us >= 1000:
        return f"{us / 1000:,.1f} ms" if us < 100_000 else f"{us / 1000:,.0f} ms"
    return f"{us:,.1f} µs" if us < 100 else f"{us:,.0f} µs"


def fmt_bytes(b):
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if b >= size * 0.95:
            v = b / size
            return f"{v:.1f} {unit}" if v < 10 else f"{v:.0f} {unit}"
    return f"{b} B"


def fmt_decimal(b):
    """An axis tick: a power of ten of bytes (1 kB = 1,000 bytes)."""
    for unit, size in (("MB", 10**6), ("kB", 10**3)):
        if b >= size:
            return f"{b / size:g} {unit}"
    return f"{b:g} B"


def decades(lo, hi):
    return list(range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1))


def panel(x0, title, xlabel, rows, xkey, xfmt):
    xs = [float(r[xkey]) for r in rows]
    ys = [float(r[k]) for r in rows for k, *_ in LINES]
    xd, yd = decades(min(xs), max(xs)), decades(min(ys), max(ys))
    sx = lambda v: x0 + (math.log10(v) - xd[0]) / (xd[-1] - xd[0]) * PANEL_W
    sy = lambda v: MARGIN_T + PANEL_H - (math.log10(v) - yd[0]) / (yd[-1] - yd[0]) * PANEL_H
    out = [f'<text x="{x0 + PANEL_W / 2}" y="{MARGIN_T - 22}" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0}" y="{MARGIN_T}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#444"/>']
    for d in xd:
        x = sx(10 ** d)
        out.append(f'<line x1="{x:.1f}" y1="{MARGIN_T}" x2="{x:.1f}" y2="{MARGIN_T + PANEL_H}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{MARGIN_T + PANEL_H + 16}" text-anchor="middle">{xfmt(10 ** d)}</text>')
    for d in yd:
        y = sy(10 ** d)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt_us(10 ** d)}</text>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{MARGIN_T + PANEL_H + 36}" text-anchor="middle">{xlabel}</text>')
    # Linear growth through the largest load: a line of slope 1.
    xl, yl = xs[-1], float(rows[-1]["load_us"])
    lo = max(min(xs), xl * 10 ** (yd[0] - math.log10(yl)))
    out.append(f'<line x1="{sx(lo):.1f}" y1="{sy(yl * lo / xl):.1f}" x2="{sx(xl):.1f}" y2="{sy(yl):.1f}" '
               'stroke="#27ae60" stroke-width="1" stroke-dasharray="1,4"/>')
    for key, _, color, dash in LINES:
        pts = " ".join(f"{sx(x):.1f},{sy(float(r[key])):.1f}" for x, r in zip(xs, rows))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for x, r in zip(xs, rows):
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(float(r[key])):.1f}" r="3" fill="{color}"/>')
    return out


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    opts = [r for r in rows if r["series"] == "options"]
    size = [r for r in rows if r["series"] == "size"]
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H + 40}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H + 40}" fill="white"/>']
    svg += panel(MARGIN_L, "Options registered and set (file grows with them)", "options", opts, "options",
                 lambda v: f"{v:,.0f}")
    svg += panel(MARGIN_L + PANEL_W + GAP, "File size (100 options, ~80% comments)", "file size (bytes)", size,
                 "bytes", fmt_decimal)
    y = H + 10
    x = MARGIN_L
    for _, label, color, dash in LINES + [(None, "linear (slope 1)", "#27ae60", "1,4")]:
        svg.append(f'<line x1="{x}" y1="{y}" x2="{x + 30}" y2="{y}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        svg.append(f'<text x="{x + 36}" y="{y + 4}">{label}</text>')
        x += 230
    svg.append("</svg>")
    open(sys.argv[2], "w", encoding="utf-8").write("\n".join(svg) + "\n")

    print("| series | options | file | lines | entries | read | read + parse | load | load per entry | slope |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for series, group, key in (("options", opts, "options"), ("size", size, "bytes")):
        prev = None
        for r in group:
            load = float(r["load_us"])
            slope = "-"
            if prev is not None:
                slope = f"{math.log(load / float(prev['load_us'])) / math.log(float(r[key]) / float(prev[key])):.2f}"
            per = load * 1000 / max(1, int(r["entries"]))
            print(f"| {series} | {int(r['options']):,} | {fmt_bytes(int(r['bytes']))} | {int(r['lines']):,} | "
                  f"{int(r['entries']):,} | {fmt_us(float(r['read_us']))} | {fmt_us(float(r['parse_us']))} | "
                  f"{fmt_us(load)} | {per:,.0f} ns | {slope} |")
            prev = r


if __name__ == "__main__":
    main()
