"""Turn text into SVG outlines with the bundled Lato font.

Badges and the logo carry their text as paths, not <text>, so that they look
the same everywhere (no font needed on the viewer's side) and so an untrusted
organisation name can never reach the SVG as markup. Everything here measures
real glyph advances, kerning and ink bounds, so layouts can promise that text
never leaves its box.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "logo" / "fonts"
REGULAR = FONT_DIR / "Lato-Regular.ttf"
BOLD = FONT_DIR / "Lato-Bold.ttf"

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in SVG user units


def fmt(value: float) -> str:
    """Format a coordinate compactly and deterministically (a tenth of a unit is sub-pixel)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Font:
    """One TTF with per-glyph caches; loaded once per process and file version via load_font()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        tt = TTFont(str(path))
        self.upm: int = tt["head"].unitsPerEm
        self.cmap: dict[int, str] = tt.getBestCmap()
        self.advances: dict[str, int] = {g: m[0] for g, m in tt["hmtx"].metrics.items()}
        self.cap_height: float = tt["OS/2"].sCapHeight / self.upm
        self.kerning: dict[tuple[str, str], int] = _kern_pairs(tt)
        self._glyphs = tt.getGlyphSet()
        self._outlines: dict[str, RecordingPen] = {}
        self._bounds: dict[str, tuple[float, float, float, float] | None] = {}

    def glyph(self, char: str) -> str:
        """Glyph name for a character; .notdef (a box) rather than failing on unknown ones."""
        return self.cmap.get(ord(char), ".notdef")

    def outline(self, name: str) -> RecordingPen:
        """Recorded outline of a glyph, kept so each glyph is decoded once per process."""
        if name not in self._outlines:
            pen = DecomposingRecordingPen(self._glyphs)  # accents are composites
            self._glyphs[name].draw(pen)
            self._outlines[name] = pen
        return self._outlines[name]

    def bounds(self, name: str) -> tuple[float, float, float, float] | None:
        """Ink bounds of a glyph in font units (None for blank glyphs such as space)."""
        if name not in self._bounds:
            pen = BoundsPen(self._glyphs)
            self.outline(name).replay(pen)
            self._bounds[name] = pen.bounds
        return self._bounds[name]


def _kern_pairs(tt: TTFont) -> dict[tuple[str, str], int]:
    """Pair kerning from the legacy 'kern' table: simple, and Lato ships one."""
    if "kern" not in tt:
        return {}
    pairs: dict[tuple[str, str], int] = {}
    for table in tt["kern"].kernTables:
        pairs.update(getattr(table, "kernTable", {}) or {})
    return pairs


_loaded: dict[Path, tuple[tuple[int, int, int], Font]] = {}
"""Fonts parsed in this process, each with the file's identity, size and time when it was parsed."""


def load_font(path: Path) -> Font:
    """Parse a font once per process and version of the file: parsing costs far more than drawing text.

    A font file replaced or edited since (as in a long-running `serve`) is parsed again, so what is drawn
    always matches the file the render fingerprint hashes.
    """
    info = path.stat()
    stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
    held = _loaded.get(path)
    if held is None or held[0] != stamp:
        # Lato's 'head' dates trip a harmless fontTools warning on every load.
        logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)
        held = _loaded[path] = (stamp, Font(path))
    return held[1]


def regular() -> Font:
    """The bundled regular weight."""
    return load_font(REGULAR)


def bold() -> Font:
    """The bundled bold weight (used for organisation names)."""
    return load_font(BOLD)


def normalise(text: str) -> str:
    """NFC and single spaces, so precomposed glyphs are used and stray whitespace is harmless."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def glue_dashes(text: str) -> str:
    """Bind a spaced dash to the word before it, so no line starts with a dash."""
    return re.sub(" ([\u2013\u2014-])(?= |$)", "\u00a0\\1", text)


def missing_glyphs(text: str) -> set[str]:
    """Characters the bundled fonts cannot draw; the validator rejects names holding any."""
    fonts = (regular(), bold())
    chars = set(unicodedata.normalize("NFC", text))
    return {c for c in chars if c != " " and any(ord(c) not in f.cmap for f in fonts)}


def place(text: str, font: Font) -> list[tuple[str, float]]:
    """Glyph names with their x offsets in font units, applying pair kerning."""
    placed: list[tuple[str, float]] = []
    x = 0.0
    previous: str | None = None
    for char in text:
        name = font.glyph(char)
        if previous is not None:
            x += font.kerning.get((previous, name), 0)
        placed.append((name, x))
        x += font.advances.get(name, 0)
        previous = name
    placed.append(("", x))  # sentinel carrying the total advance
    return placed


def measure(text: str, font: Font, size: float) -> float:
    """Advance width of text at a size, in user units (kerning included)."""
    return place(text, font)[-1][1] * size / font.upm


@functools.lru_cache(maxsize=8192)
def extent(text: str, font: Font) -> tuple[float, float, float, float]:
    """Ink-aware extent in em: (left, right, top, bottom) with y up, covering advance and ink.

    Remembered: wrapping and balancing measure the same words and lines many times over.

    Glyphs may poke out of their advance box (negative side bearings, accents),
    so fitting uses the union of the advance box and the real ink.
    """
    placed = place(text, font)
    left, right = 0.0, placed[-1][1]
    top, bottom = 0.0, 0.0
    for name, x in placed[:-1]:
        box = font.bounds(name)
        if box is None:
            continue
        left, right = min(left, x + box[0]), max(right, x + box[2])
        bottom, top = min(bottom, box[1]), max(top, box[3])
    upm = font.upm
    return left / upm, right / upm, top / upm, bottom / upm


def draw(text: str, font: Font, size: float, x: float, baseline: float) -> tuple[str, Box | None]:
    """SVG path data for text with its left edge at x and baseline at y, plus its ink box."""
    scale = size / font.upm
    pen = SVGPathPen(None, ntos=fmt)
    ink: Box | None = None
    for name, gx in place(text, font)[:-1]:
        transform = (scale, 0, 0, -scale, x + gx * scale, baseline)
        font.outline(name).replay(TransformPen(pen, transform))
        box = font.bounds(name)
        if box is not None:
            glyph_box = (
                x + (gx + box[0]) * scale,
                baseline - box[3] * scale,
                x + (gx + box[2]) * scale,
                baseline - box[1] * scale,
            )
            ink = union(ink, glyph_box)
    return pen.getCommands(), ink


def union(a: Box | None, b: Box | None) -> Box | None:
    """Smallest box holding both (either may be absent)."""
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


@dataclass(frozen=True)
class Block:
    """A wrapped, sized run of lines that is known to fit its box."""

    lines: tuple[str, ...]
    size: float
    leading: float  # baseline-to-baseline distance, in em
    ascent: float  # em above the first baseline that the block reserves
    descent: float  # em below the last baseline that the block reserves

    @property
    def height(self) -> float:
        """Height in user units from top of first line to bottom of last line."""
        n = len(self.lines)
        return (self.ascent + (n - 1) * self.leading + self.descent) * self.size


def line_width(text: str, font: Font) -> float:
    """Ink-aware width in em, the number fitting compares against max width."""
    left, right, _, _ = extent(text, font)
    return right - left


def split_word(word: str, font: Font, limit: float) -> list[str]:
    """Break an over-long word by characters: last resort so nothing ever overflows."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and line_width(current + char, font) > limit:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, font: Font, limit: float, break_words: bool) -> list[str] | None:
    """Greedy wrap at spaces within limit (em); None if a word is too long and may not break."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if line_width(candidate, font) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        if line_width(word, font) <= limit:
            current = word
        elif not break_words:
            return None
        else:
            *full, current = split_word(word, font, limit)
            lines.extend(full)
    lines.append(current)
    return lines


def make_block(lines: Sequence[str], font: Font, size: float, leading: float) -> Block:
    """Reserve at least cap height above (steady baselines) and the real ink of the ends."""
    top = max(font.cap_height, extent(lines[0], font)[2])
    bottom = max(0.0, -extent(lines[-1], font)[3])
    return Block(tuple(lines), size, leading, top, bottom)


def sizes(start: float, floor: float, step: float) -> list[float]:
    """Candidate sizes from large to the floor, in fixed steps for repeatable layouts."""
    count = max(0, round((start - floor) / step))
    return [round(start - i * step, 3) for i in range(count)] + [floor]


@functools.lru_cache(maxsize=256)
def fit(
    text: str,
    font: Font,
    max_width: float,
    max_height: float,
    max_lines: int = 3,
    size_max: float = 40.0,
    size_min: float = 18.0,
    leading: float = 1.2,
) -> Block:
    """Wrap at word boundaries onto at most max_lines, shrinking down to size_min.

    If even the floor size cannot fit, long words are broken by characters;
    should that still not fit (say 150 'W's), the size keeps shrinking below the
    floor rather than overflow. The result always fits max_width x max_height.

    Remembered for the last few hundred calls: a badge is laid out twice,
    in colour and white, with the same words in the same boxes, and fitting
    is most of its layout time. The result is immutable and depends only on
    the arguments (fonts are loaded once per process), so nothing goes stale.
    """
    text = glue_dashes(normalise(text)) or " "

    def attempt(size: float, break_words: bool) -> Block | None:
        lines = wrap(text, font, max_width / size, break_words)
        if lines is None or len(lines) > max_lines:
            return None
        block = make_block(lines, font, size, leading)
        return block if block.height <= max_height else None

    for size in sizes(size_max, size_min, 0.5):
        found = attempt(size, False)
        if found:
            return balance(text, font, found, max_height)
    return shrink_until(lambda s: attempt(s, True), size_min)


def balance(text: str, font: Font, block: Block, max_height: float) -> Block:
    """Even out line lengths: the narrowest width that keeps the same number of lines.

    Greedy wrapping leaves a long line over a short one; balanced lines look
    deliberate on a badge. Same size and line count, so it still fits.
    """
    count = len(block.lines)
    if count == 1:
        return block
    low = max(line_width(word, font) for word in text.split(" "))
    high = max(line_width(line, font) for line in block.lines)
    for _ in range(14):
        middle = (low + high) / 2
        lines = wrap(text, font, middle, False)
        if lines is not None and len(lines) <= count:
            high = middle
        else:
            low = middle
    lines = wrap(text, font, high, False)
    if lines is None or len(lines) != count:
        return block
    balanced = make_block(lines, font, block.size, block.leading)
    return balanced if balanced.height <= max_height else block


def shrink_until(attempt: Callable[[float], Block | None], size: float) -> Block:
    """Keep shrinking by 5% until the attempt fits: the never-overflow guarantee."""
    while True:
        found = attempt(size)
        if found:
            return found
        size = round(size * 0.95, 3)
        if size < 0.5:
            raise ValueError("text cannot be fitted at any size")


LineDrawer = Callable[[str, Font, float, float, float], tuple[str, Box | None]]
"""Draws one line (text, font, size, x, baseline) and gives its markup and ink box: `draw`, or glyphs.GlyphDefs.line."""


def draw_block(block: Block, font: Font, x: float, top: float, width: float, align: str = "start",
               line_drawer: LineDrawer = draw) -> tuple[str, Box | None]:
    """Path data (or what `line_drawer` draws) for a fitted block placed with its top-left at (x, top)."""
    parts: list[str] = []
    ink: Box | None = None
    baseline = top + block.ascent * block.size
    for line in block.lines:
        left, right, _, _ = extent(line, font)
        start = x - left * block.size
        if align == "middle":
            start += (width - (right - left) * block.size) / 2
        d, box = line_drawer(line, font, block.size, start, baseline)
        parts.append(d)
        ink = union(ink, box)
        baseline += block.leading * block.size
    return "".join(parts), ink

