"""SVG charts for the run report: axis ticks, horizontal bars, columns over ordered categories, lines.

Pure and self-contained: each chart is one inline <svg> string (no scripts, no network), its text
escaped, styled by the page's CSS classes (grid, axis, tick, label, value, bar, line).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2f6f9f", "#d9822b", "#3c9a5f", "#b04a5a", "#7a5ca8", "#8c6d3f")


def nice_ticks(top: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least `top`; whole=True for counts (no 0.5 of an event)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    return [step * i for i in range(math.ceil(top / step - 1e-9) + 1)]


def short_number(value: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}" if value != int(value) else str(int(value))


def _chart_start(title: str, width: int, height: int, left: int) -> list[str]:
    return [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
            f'<text class="title" x="{left}" y="18">{escape(title)}</text>']


def _horizontal_grid(ticks: Sequence[float], left: float, base: float, plot_w: float, scale: float) -> list[str]:
    """A grid line and a value label per tick of a vertical value axis."""
    parts = []
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{short_number(tick)}</text>')
    return parts


# Label room: ~7 px per character of a 12 px label; the label column grows with the longest label
# up to LABEL_MAX px, and a longer label wraps onto a second line (the full label is its tooltip).
CHAR_PX, LABEL_MIN, LABEL_MAX, LABEL_LINES = 7.0, 90, 330, 2


def wrap_label(label: str, chars: int, lines: int = LABEL_LINES) -> list[str]:
    """The label on at most `lines` lines of `chars` characters, cut with … only past them."""
    parts = textwrap.wrap(label, chars) or [label]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: chars - 1].rstrip() + "…"
    return parts


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, x_label: str, color: str = PALETTE[0], whole: bool = True) -> str:
    """Horizontal bars with category labels on the left and the value at the end of each bar."""
    if not items:
        return f'<p class="empty">{escape(title)}: nothing to plot.</p>'
    left = int(min(LABEL_MAX, max(LABEL_MIN, max(len(label) for label, _ in items) * CHAR_PX + 16)))
    chars = int((left - 16) / CHAR_PX)
    labels = [wrap_label(label, chars) for label, _ in items]
    right, bar, gap, top, line = 70, 20, 6, 30, 14
    plot = 520
    width = left + plot + right
    rows = [max(bar, len(lines) * line) + gap for lines in labels]  # each item's height
    axis_y = top + sum(rows)
    height = axis_y + 48
    ticks = nice_ticks(max(v for _, v in items), whole=whole)
    scale = plot / ticks[-1]
    parts = _chart_start(title, width, height, left)
    for tick in ticks:
        x = left + tick * scale
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{short_number(tick)}</text>')
    y = top
    for (label, value), lines, row in zip(items, labels, rows, strict=True):
        middle = y + (row - gap) / 2
        first = middle - (len(lines) - 1) * line / 2 + 4
        spans = "".join(f'<tspan x="{left - 8}" y="{first + i * line:.1f}">{escape(text)}</tspan>' for i, text in enumerate(lines))
        parts.append(f'<text class="label" text-anchor="end"><title>{escape(label)}</title>{spans}</text>')
        parts.append(f'<rect class="bar" x="{left}" y="{middle - bar / 2:.1f}" width="{max(value * scale, 1):.1f}" height="{bar}" fill="{color}"/>')
        parts.append(f'<text class="value" x="{left + value * scale + 5:.1f}" y="{middle + 4:.1f}">{short_number(value)}</text>')
        y += row
    parts.append(f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{left + plot}" y2="{axis_y}"/>')
    parts.append(f'<text class="axis-label" x="{left + plot / 2}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    return "".join(parts) + "</svg>"


def column_chart(items: Sequence[tuple[str, float]], *, title: str, x_label: str, y_label: str, color: str = PALETTE[0]) -> str:
    """Vertical bars over ordered categories (e.g. months), y axis from zero."""
    if not items:
        return f'<p class="empty">{escape(title)}: nothing to plot.</p>'
    left, top, bottom, width, height = 60, 30, 70, 720, 300
    plot_w, plot_h = width - left - 20, height - top - bottom
    ticks = nice_ticks(max(v for _, v in items), whole=True)
    scale = plot_h / ticks[-1]
    slot = plot_w / len(items)
    every = max(1, math.ceil(len(items) / 16))  # keep x labels from overlapping
    base = top + plot_h
    parts = _chart_start(title, width, height, left)
    parts += _horizontal_grid(ticks, left, base, plot_w, scale)
    for i, (label, value) in enumerate(items):
        x = left + i * slot + slot * 0.15
        h = value * scale
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}"><title>{escape(label)}: {short_number(value)}</title></rect>')
        if i % every == 0:
            cx = x + slot * 0.35
            parts.append(f'<text class="tick" x="{cx:.1f}" y="{base + 14}" text-anchor="end" transform="rotate(-35 {cx:.1f} {base + 14})">{escape(label)}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}"/>')
    parts.append(f'<text class="axis-label" x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text class="axis-label" x="14" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>')
    return "".join(parts) + "</svg>"


def line_chart(series: Mapping[str, Sequence[tuple[int, float]]], *, title: str, x_label: str, y_label: str) -> str:
    """One line per series over integer x (table versions), with a legend."""
    points = [p for values in series.values() for p in values]
    if not points:
        return f'<p class="empty">{escape(title)}: nothing to plot.</p>'
    left, top, bottom, width, height = 60, 30, 50, 720, 280
    plot_w, plot_h = width - left - 150, height - top - bottom
    x_max = max(1, max(x for x, _ in points))
    ticks = nice_ticks(max(y for _, y in points), whole=True)
    sx, sy, base = plot_w / x_max, plot_h / ticks[-1], top + plot_h
    parts = _chart_start(title, width, height, left)
    parts += _horizontal_grid(ticks, left, base, plot_w, sy)
    for version in range(0, x_max + 1, max(1, math.ceil(x_max / 12))):
        parts.append(f'<text class="tick" x="{left + version * sx:.1f}" y="{base + 16}" text-anchor="middle">{version}</text>')
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{left + x * sx:.1f},{base - y * sy:.1f}" for x, y in sorted(values))
        parts.append(f'<polyline class="line" points="{coords}" stroke="{color}"/>')
        for x, y in values:
            parts.append(f'<circle cx="{left + x * sx:.1f}" cy="{base - y * sy:.1f}" r="3.5" fill="{color}"><title>{escape(name)} v{x}: {int(y)} rows</title></circle>')
        ly = top + 10 + i * 20
        parts.append(f'<rect x="{left + plot_w + 24}" y="{ly - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text class="label" x="{left + plot_w + 42}" y="{ly + 1}">{escape(name)}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}"/>')
    parts.append(f'<text class="axis-label" x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text class="axis-label" x="14" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>')
    return "".join(parts) + "</svg>"


MAP_LABELS = 10  # the map names this many of its biggest dots


def dot_map(layers: Mapping[str, Sequence[tuple[str, float, float, float]]], *, title: str) -> str:
    """An equirectangular world map of dots: per layer (deals, events ...) each point's label,
    latitude, longitude and count, the dot's area growing with the count; a graticule every 30°
    instead of coastlines (nothing to load: no shapes), a tooltip per dot, a legend."""
    if not any(layers.values()):
        return f'<p class="empty">{escape(title)}: nothing to plot.</p>'
    left, top, plot_w, plot_h = 20, 30, 720, 360
    width, height = left + plot_w + 20, top + plot_h + 20 + 20 * len(layers)
    x = lambda lon: left + (float(lon) + 180) / 360 * plot_w  # noqa: E731
    y = lambda lat: top + (90 - float(lat)) / 180 * plot_h  # noqa: E731
    parts = _chart_start(title, width, height, left)
    parts.append(f'<rect class="sea" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#eef3f8"/>')
    for lon in range(-150, 180, 30):
        parts.append(f'<line class="grid" x1="{x(lon):.1f}" y1="{top}" x2="{x(lon):.1f}" y2="{top + plot_h}"/>')
    for lat in range(-60, 90, 30):
        parts.append(f'<line class="{"axis" if lat == 0 else "grid"}" x1="{left}" y1="{y(lat):.1f}" x2="{left + plot_w}" y2="{y(lat):.1f}"/>')
    biggest = max((c for points in layers.values() for _, _, _, c in points), default=1) or 1
    named = sorted((p for points in layers.values() for p in points), key=lambda p: -p[3])[:MAP_LABELS]
    for i, (name, points) in enumerate(layers.items()):
        color = PALETTE[(i * 3 + 1) % len(PALETTE)]
        for label, lat, lon, count in sorted(points, key=lambda p: -p[3]):  # small dots drawn over big ones
            r = 3 + 9 * math.sqrt(count / biggest)
            parts.append(f'<circle class="dot" cx="{x(lon):.1f}" cy="{y(lat):.1f}" r="{r:.1f}" fill="{color}" fill-opacity="0.6" stroke="{color}"><title>{escape(name)}: {escape(label)}, {short_number(count)}</title></circle>')
        ly = top + plot_h + 20 + i * 20
        if i == len(layers) - 1:  # the largest places named, over every layer's dots
            for label, lat, lon, _ in dict.fromkeys((p[0], p[1], p[2], 0) for p in named):
                parts.append(f'<text class="tick" x="{x(lon) + 6:.1f}" y="{y(lat) - 6:.1f}">{escape(label)}</text>')
        parts.append(f'<circle cx="{left + 6}" cy="{ly - 4}" r="6" fill="{color}" fill-opacity="0.6"/>')
        parts.append(f'<text class="label" x="{left + 18}" y="{ly}">{escape(name)} ({short_number(sum(p[3] for p in points))} on the map)</text>')
    return "".join(parts) + "</svg>"
