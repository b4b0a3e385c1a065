"""Text as shared glyph outlines: each glyph outlined once in <defs>, then placed with <use>.

A badge repeats letters. Drawing every occurrence again as its own path made
each badge SVG about 95 KB, most of it the same few dozen outlines; at 10,000
signatories that alone is almost 2 GB. Here each glyph an SVG needs is
outlined once, on a 250-unit em in whole numbers, and every occurrence is
a short <use> of it at a whole-unit offset. Drawn at 1200 px wide, a badge
from 250 units differs from one from 500 by 0.07 of 255 on average, and
its SVG is 7% smaller (1,000 units: 12% larger). The
references are fragment-only (`#g12`), so the SVG still needs nothing outside
itself, and the outlines come from the font, never from the untrusted text.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.pens.transformPen import TransformPen

from svcharter.textpath import Box, Font, fmt, place, union

GLYPH_UNITS = 250
"""Units per em of the outlines in <defs>."""


class RelativePathPen(BasePen):
    """SVG path data in whole units with relative moves: about a third shorter than absolute coordinates.

    Every point is rounded before the step to it is taken, so rounding never
    accumulates along a contour. A command letter is written only when it
    changes, as SVG allows. TrueType's runs of off-curve points, whose
    on-curve points lie halfway between them, are written as one "q" and then
    "t"s, which leave out each control point that is the last one reflected.
    """

    def __init__(self) -> None:
        super().__init__(None)
        self.parts: list[str] = []
        self.here: tuple[float, float] = (0, 0)
        self.start: tuple[float, float] = (0, 0)
        self.last = ""

    def _steps(self, command: str, *points: tuple[float, float]) -> None:
        """One segment to points already on the grid, each relative to the current point."""
        x0, y0 = self.here
        text = " ".join(f"{_short(x - x0)} {_short(y - y0)}" for x, y in points).replace(" -", "-")
        if command != self.last or command == "m":
            text = command + text
        elif not text.startswith("-"):
            text = " " + text
        self.parts.append(text)
        self.here, self.last = points[-1], command

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self._steps("m", _grid(pt))
        self.start = self.here

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self._steps("l", _grid(pt))

    def _curveToOne(self, pt1: tuple[float, float], pt2: tuple[float, float], pt3: tuple[float, float]) -> None:
        self._steps("c", _grid(pt1), _grid(pt2), _grid(pt3))

    def _qCurveToOne(self, pt1: tuple[float, float], pt2: tuple[float, float]) -> None:
        self._steps("q", _grid(pt1), _grid(pt2))

    def qCurveTo(self, *points: tuple[float, float] | None) -> None:
        """Off-curve points with implied on-curve points between them, ending on `points[-1]`."""
        end = points[-1]
        if end is None or len(points) < 3:  # a contour of off-curve points only, or a single quadratic
            super().qCurveTo(*points)
            return
        controls = [_grid(point) for point in points[:-1] if point is not None]
        ends = [_middle(a, b) for a, b in itertools.pairwise(controls)] + [_grid(end)]
        self._steps("q", controls[0], ends[0])
        for point in ends[1:]:
            self._steps("t", point)  # its control point is the last one reflected through the current point

    def _closePath(self) -> None:
        self.parts.append("z")
        self.here, self.last = self.start, "z"  # a closed contour leaves the pen where it started

    def commands(self) -> str:
        return "".join(self.parts)


def _grid(point: tuple[float, float]) -> tuple[float, float]:
    return float(round(point[0])), float(round(point[1]))


def _middle(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """Halfway between two grid points: whole or half units, which floats hold exactly."""
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _short(value: float) -> str:
    """A whole or half unit as few characters as SVG allows: 3, -2, .5, -1.5."""
    if value == int(value):
        return str(int(value))
    text = f"{value:.1f}"
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


@functools.lru_cache(maxsize=2048)
def outline_data(font: Font, name: str) -> str:
    """A glyph's outline on the 250-unit em, as path data; made once per process (a kit needs it twice)."""
    scale = GLYPH_UNITS / font.upm
    pen = RelativePathPen()
    font.outline(name).replay(TransformPen(pen, (scale, 0, 0, scale, 0, 0)))
    return pen.commands()


def glyph_id(index: int) -> str:
    """A short id for the index-th glyph: A to Z, then Aa to Zz, and so on.

    A badge places about 200 glyphs, each referring to its outline by id, so
    the id's length counts 200 times. Every id starts with a capital and goes
    on in small letters, and no other id in a badge has a capital.
    """
    letters = chr(ord("A") + index % 26)
    index //= 26
    while index:  # the rest of the number in bijective base 26, so every id is different
        index -= 1
        letters += chr(ord("a") + index % 26)
        index //= 26
    return letters


class GlyphDefs:
    """The glyphs one SVG uses, with ids given in order of first use, so a badge always gives the same bytes."""

    def __init__(self) -> None:
        self._ids: dict[tuple[Path, str], str] = {}
        self._paths: list[str] = []
        self._sources: dict[str, tuple[Font, str]] = {}

    def ref(self, font: Font, name: str) -> str | None:
        """The id of a glyph's outline, outlining it on first use; None for a blank glyph (a space)."""
        key = (font.path, name)
        if key not in self._ids:
            if font.bounds(name) is None:
                return None
            ident = glyph_id(len(self._paths))
            self._ids[key] = ident
            self._sources[ident] = (font, name)
            self._paths.append(f'<path id="{ident}" d="{outline_data(font, name)}"/>')
        return self._ids[key]

    def line(self, text: str, font: Font, size: float, x: float, baseline: float) -> tuple[str, Box | None]:
        """One line as a group of <use> elements, with its ink box exactly as textpath.draw gives it."""
        scale = size / font.upm
        uses: list[str] = []
        ink: Box | None = None
        for name, gx in place(text, font)[:-1]:
            ident = self.ref(font, name)
            if ident is None:
                continue
            offset = str(round(gx * GLYPH_UNITS / font.upm))
            uses.append(f'<use href="#{ident}" x="{offset}"/>' if offset != "0" else f'<use href="#{ident}"/>')
            box = font.bounds(name)
            if box is not None:
                ink = union(ink, (x + (gx + box[0]) * scale, baseline - box[3] * scale,
                                  x + (gx + box[2]) * scale, baseline - box[1] * scale))
        em = size / GLYPH_UNITS
        return f'<g transform="translate({fmt(x)} {fmt(baseline)}) scale({em:.6g} {-em:.6g})">{"".join(uses)}</g>', ink

    def sources(self) -> dict[str, tuple[Font, str]]:
        """Which font and glyph each outline id is: the PDF embeds the font's own glyph rather than the outline."""
        return dict(self._sources)

    def markup(self) -> str:
        """The <defs> element holding every outline used so far (empty when there is none)."""
        return f"<defs>{''.join(self._paths)}</defs>" if self._paths else ""
