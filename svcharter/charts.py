"""Bar charts drawn as SVG at build time: no JavaScript library, the table beside each is its text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#00594f", "#277167", "#595959", "#9a4400", "#8a2a0b")
"""Five response colours, teal for agree, grey for neither, rust for disagree: each at least 5.7:1
against white, so the bars stand out (WCAG 1.4.11) and white count labels on them read (1.4.3)."""

ROW_HEIGHT = 34
WIDTH = 640


def stacked_bars(rows: Sequence[tuple[str, Sequence[int]]], legend: Sequence[str], title: str) -> str:
    """A horizontal stacked bar per row; each segment shows its count. Hidden from screen readers (the table says it all)."""
    scale_max = max((sum(counts) for _, counts in rows), default=1) or 1
    parts = [_legend(legend)]
    y = 40
    for label, counts in rows:
        parts.append(f'<text x="0" y="{y}" class="chart-label">{escape(_shorten(label, 95))}</text>')
        x = 0.0
        for index, count in enumerate(counts):
            width = WIDTH * count / scale_max
            if width:
                parts.append(f'<rect x="{x:.1f}" y="{y + 6}" width="{width:.1f}" height="18" '
                             f'fill="{PALETTE[index % len(PALETTE)]}"/>')
                if width >= 14:
                    parts.append(f'<text x="{x + width / 2:.1f}" y="{y + 20}" text-anchor="middle" fill="#ffffff" '
                                 f'font-weight="bold" class="chart-count">{count}</text>')
            x += width
        y += ROW_HEIGHT + 14
    return _svg(title, WIDTH, y, parts)


def simple_bars(rows: Sequence[tuple[str, int]], title: str) -> str:
    """One bar per category with its count at the end."""
    scale_max = max((count for _, count in rows), default=1) or 1
    parts = []
    y = 0
    bar_room = WIDTH - 60
    for label, count in rows:
        width = bar_room * count / scale_max
        parts.append(f'<text x="0" y="{y + 14}" class="chart-label">{escape(_shorten(label, 95))}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="{width:.1f}" height="16" fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{width + 6:.1f}" y="{y + 33}" class="chart-value">{count}</text>')
        y += 46
    return _svg(title, WIDTH, y, parts)


def _legend(labels: Sequence[str]) -> str:
    """Legend entries in one row; the widths are generous estimates for 13px text."""
    items = []
    x = 0
    for index, label in enumerate(labels):
        items.append(f'<rect x="{x}" y="2" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="12" font-size="12" class="chart-legend">{escape(label)}</text>')
        x += 16 + round(6.2 * len(label)) + 12
    return "".join(items)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(title: str, width: int, height: int, parts: list[str]) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 40} {height + 4}" '
            f'width="{width + 40}" height="{height + 4}" font-family="Lato, sans-serif" font-size="14" fill="#1a1a1a" '
            f'aria-hidden="true" focusable="false" data-title="{escape(title)}">' + "".join(parts) + "</svg>")
