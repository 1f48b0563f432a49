"""Bar charts as inline SVG, drawn on the server: axes, labels and a ``<title>`` for the
chart and for every bar, so that they read without JavaScript and with a screen reader."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR = "#1d4ed8"
BAR_ALT = "#b91c1c"
AXIS = "#5a6270"


def axis(largest: int) -> tuple[int, list[int]]:
    """The top of an axis for values up to ``largest`` and its ticks: whole numbers a round
    step apart (1, 2, 5, 10, 20, 25, 50, ...), at most six of them."""
    step = 1
    while True:
        for m in (1, 2, 2.5, 5):
            s = int(step * m)
            if s == step * m and math.ceil(max(largest, 1) / s) <= 5:
                top = math.ceil(max(largest, 1) / s) * s
                return top, list(range(0, top + 1, s))
        step *= 10


def column_chart(
    title: str,
    data: Sequence[tuple[str, int]],
    *,
    unit: str = "",
    colour: str = BAR,
    y_label: str = "works",
    x_label: str = "year",
) -> Markup:
    """A vertical bar chart of (label, value) in the order given (years, say), with its
    axes named ``y_label`` and ``x_label``."""
    width, height = 640, 230
    left, right, top_pad, bottom = 56, 12, 28, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top, marks = axis(max((v for _, v in data), default=0))
    n = max(len(data), 1)
    slot = plot_w / n
    bar_w = max(2.0, min(48.0, slot * 0.7))
    every = max(1, math.ceil(n / 16))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="bar-chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="600" fill="#1b1f24">'
        f"{escape(title)}</text>",
    ]
    for t in marks:
        y = top_pad + plot_h - plot_h * t / top
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e5e8ec"/><text x="{left - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{AXIS}">{t}</text>'
        )
    for i, (label, value) in enumerate(data):
        h = plot_h * value / top
        x = left + slot * i + (slot - bar_w) / 2
        y = top_pad + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value}{escape(unit)}</title></rect>'
        )
        if i % every == 0:
            cx = x + bar_w / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{top_pad + plot_h + 16}" font-size="11" '
                f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>'
            )
    base_y = top_pad + plot_h
    mid_y = top_pad + plot_h / 2
    parts.append(
        f'<text x="14" y="{mid_y:.1f}" font-size="11" fill="{AXIS}" text-anchor="middle" '
        f'transform="rotate(-90 14 {mid_y:.1f})">{escape(y_label)}</text>'
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="11" fill="{AXIS}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{base_y}" y2="{base_y}" stroke="{AXIS}"/>'
        f'<line x1="{left}" x2="{left}" y1="{top_pad}" y2="{base_y}" stroke="{AXIS}"/>'
    )
    if not data:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top_pad + plot_h / 2}" font-size="13" '
            f'text-anchor="middle" fill="{AXIS}">No data</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    title: str,
    data: Sequence[tuple[str, int]],
    *,
    unit: str = "",
    colour: str = BAR,
    x_label: str = "works",
) -> Markup:
    """A horizontal bar chart of (label, value), one row each, for long labels (journals,
    institutions); labels longer than 40 characters are cut, the full one in the title."""
    row, label_w, width = 22, 260, 640
    top_pad = 28
    plot_w = width - label_w - 60
    height = top_pad + row * max(len(data), 1) + 40
    top, marks = axis(max((v for _, v in data), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="bar-chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="#1b1f24">'
        f"{escape(title)}</text>",
    ]
    for i, (label, value) in enumerate(data):
        y = top_pad + row * i
        w = plot_w * value / top
        shown = label if len(label) <= 40 else label[:39] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="#1b1f24">{escape(shown)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{colour}"><title>{escape(label)}: {value}{escape(unit)}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="11" fill="{AXIS}">'
            f"{value}</text>"
        )
    end = top_pad + row * max(len(data), 1)
    parts.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{top_pad}" y2="{end}" stroke="{AXIS}"/>'
        f'<line x1="{label_w}" x2="{label_w + plot_w}" y1="{end}" y2="{end}" stroke="{AXIS}"/>'
    )
    for t in marks:
        x = label_w + plot_w * t / top
        parts.append(
            f'<text x="{x:.1f}" y="{end + 16}" font-size="11" text-anchor="middle" '
            f'fill="{AXIS}">{t}</text>'
        )
    parts.append(
        f'<text x="{label_w + plot_w / 2:.1f}" y="{end + 32}" font-size="11" fill="{AXIS}" '
        f'text-anchor="middle">{escape(x_label)}</text></svg>'
    )
    return Markup("".join(parts))


def years_filled(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts per year with the missing years between the first and last as 0."""
    years = sorted(y for y in counts if y.isdigit())
    if not years:
        return []
    return [(str(y), counts.get(str(y), 0)) for y in range(int(years[0]), int(years[-1]) + 1)]
