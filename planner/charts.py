"""Charts as pictures: inline SVG built on the server (no script, no library, nothing fetched).

Pure functions of numbers and labels, each returning the ``<svg>`` as safe markup for a template:

- ``line_chart``: a few series over the same days (impressions, saves, outbound clicks);
- ``bar_chart``: one value per name (boards, pin kinds), horizontal bars so long names fit;
- ``sparkline``: one small line without axes (a pin's impressions on its page).

Every chart is ``role="img"`` with a ``<title>`` and an ``aria-label`` saying what it shows, so a
screen reader names it (and axe's "svg-img-alt" passes). The drawing scales with its box: the
``viewBox`` is fixed, the CSS width is 100%. A value axis starts at zero and ends at a round number
(``nice_top``); an all-zero series draws flat on the axis; one day draws as a dot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Series colours (impressions, saves, outbound clicks), each at least 3:1 against white.
PALETTE = ("#2563eb", "#e11d48", "#047857", "#b45309")
AXIS = "#6b7280"
GRID = "#e5e7eb"
FONT = 'font-family="system-ui, sans-serif"'
#: A bar's name is cut to this many characters (with an ellipsis) to fit left of the bars.
NAME_CHARS = 16


def nice_top(value: float) -> int:
    """The axis's top: the smallest of 1, 2, 2.5, 5 x 10^n at or above ``value`` (1 for nothing)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover (10 x power always reaches value)


def ticks(top: int) -> list[int]:
    """The axis's marks from 0 to ``top`` (a ``nice_top``), each a round number: every whole number
    up to 5, else steps of a fifth (10, 25, 50: 0, 2, 4, ...) or a quarter (20: 0, 5, 10, ...)."""
    if top <= 5:
        count = max(top, 1)
    else:
        leading = top / 10 ** math.floor(math.log10(top))
        count = 4 if leading == 2 else 5
    return [top * index // count for index in range(count + 1)]


def compact(value: float) -> str:
    """A number short enough for an axis: 950, 1.2k, 34k, 1.5M, 2.1B."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{value:.0f}"


def scale(value: float, *, top: float, length: float) -> float:
    """Where ``value`` falls along ``length`` units when ``top`` fills them (0 for a zero top)."""
    return 0.0 if top <= 0 else value / top * length


def _svg(*, label: str, width: int, height: int, body: str, css_class: str) -> SafeString:
    title = escape(label)
    return mark_safe(  # noqa: S308 (every text inside is escaped here or by the callers)
        f'<svg class="{css_class}" role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet"><title>{title}</title>{body}</svg>'
    )


def line_chart(*, label: str, days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
               width: int = 400, height: int = 220, colours: Sequence[str] = PALETTE) -> SafeString:
    """Lines of ``series`` (name, one value per day) over ``days`` (their labels, first to last),
    in ``colours`` (the series' order)."""
    left, right, top_pad, bottom = 42, 14, 10, 26
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = nice_top(max((max(values, default=0) for _, values in series), default=0))
    parts = []
    for tick in ticks(top):
        y = top_pad + plot_h - scale(tick, top=top, length=plot_h)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="{AXIS}" '
                     f'{FONT}>{compact(tick)}</text>')
    count = len(days)

    def x_of(index: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))

    for index in sorted({0, count - 1} if count else set()):
        anchor = "middle" if count == 1 else ("start" if index == 0 else "end")
        parts.append(f'<text x="{x_of(index):.1f}" y="{height - 6}" text-anchor="{anchor}" font-size="13" '
                     f'fill="{AXIS}" {FONT}>{escape(days[index])}</text>')
    for number, (_name, values) in enumerate(series):
        colour = colours[number % len(colours)]
        points = [(x_of(i), top_pad + plot_h - scale(v, top=top, length=plot_h)) for i, v in enumerate(values)]
        if len(points) == 1:
            parts.append(f'<circle cx="{points[0][0]:.1f}" cy="{points[0][1]:.1f}" r="4" fill="{colour}"/>')
        elif points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                         f'stroke-linejoin="round" stroke-linecap="round"/>')
    return _svg(label=label, width=width, height=height, body="".join(parts), css_class="pl-chart")


def bar_chart(*, label: str, bars: Sequence[tuple[str, int]], width: int = 400, row: int = 30,
              colour: str = PALETTE[0]) -> SafeString:
    """One horizontal bar per (name, value), in the order given, the value written after it."""
    left, right = 128, 48
    plot_w = width - left - right
    height = max(row * len(bars), row) + 4
    top = nice_top(max((value for _, value in bars), default=0))
    parts = []
    for index, (name, value) in enumerate(bars):
        y = 2 + index * row
        length = scale(value, top=top, length=plot_w)
        shown = name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1].rstrip() + "\u2026"
        parts.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" font-size="13" fill="#111827" '
            f'{FONT}>{escape(shown)}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{max(length, 1):.1f}" height="{row - 10}" rx="3" fill="{colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" fill="{AXIS}" '
            f'{FONT}>{compact(value)}</text>'
        )
    return _svg(label=label, width=width, height=height, body="".join(parts), css_class="pl-chart pl-chart-bars")


def sparkline(*, label: str, values: Sequence[int], width: int = 160, height: int = 36) -> SafeString:
    """A small line of ``values`` filling the box (no axes), the last value marked with a dot."""
    pad = 3
    top = max(values, default=0) or 1
    count = len(values)
    points = [
        (pad + ((width - 2 * pad) / 2 if count == 1 else (width - 2 * pad) * i / (count - 1)),
         height - pad - scale(v, top=top, length=height - 2 * pad))
        for i, v in enumerate(values)
    ]
    parts = [f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" stroke="{GRID}"/>']
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2" '
                     f'stroke-linejoin="round"/>')
    if points:
        parts.append(f'<circle cx="{points[-1][0]:.1f}" cy="{points[-1][1]:.1f}" r="3" fill="{PALETTE[0]}"/>')
    return _svg(label=label, width=width, height=height, body="".join(parts), css_class="pl-spark")
