"""Open Graph / Twitter share cards: one 800x420 PNG per site page, laid out on a 1200x630 grid.

Link previews on social sites and chat apps show this picture, so each page
gets its own, with its headline drawn large next to the charter logo. Text is
drawn as outlines of the bundled Lato (never a system font), so a card looks the
same whichever machine builds it, and an untrusted organisation name can only
ever reach the SVG as glyph outlines or XML-escaped title text. Cards are
cached by a hash of everything that shapes them, so a rebuild renders only the
cards whose text, artwork, code or renderer changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from svcharter import artwork, badges, cache_entry, textpath
from svcharter.pool import run_parallel
from svcharter.textpath import Box

if TYPE_CHECKING:
    import PIL.Image

    from svcharter import render

WIDTH, HEIGHT = 1200, 630
"""The grid the card is laid out on (the card SVG's viewBox)."""
PIXELS_WIDE, PIXELS_HIGH = 800, 420
"""The size it is drawn at: two thirds of the grid. A card is a tenth of what each signatory publishes, and
its smoothed letter edges are most of its bytes, so its size follows its width: on the benchmark's names
1200 px made 21.7 KB a card, 800 px 14.5 KB, which brings a 10,000-signatory site within a free host's 1 GB.
800 x 420 is above the size Facebook, LinkedIn and X each need for a large link preview (600 x 315 at most),
which they show at 500 to 550 points wide; on a high-density screen a wider card would be a little sharper."""
# Text never leaves this box: a margin all round, and clear of a 2:1 centre crop (15 px top and bottom).
SAFE: Box = (56.0, 40.0, 1144.0, 600.0)
TEAL = badges.TEAL
INK = "#12302b"  # near-black teal: the headline reads strongest, the teal stays an accent
PALE = "#e3eeec"
EDGE = "#7fb0a7"  # the light line along the top of the band
WHITE = badges.WHITE
LEFT, RIGHT = 72.0, 1128.0
LOGO_TOP, LOGO_HEIGHT = 56.0, 96.0
TEXT_TOP, TEXT_BOTTOM = 196.0, 496.0  # headline and subline share this region
BAND_TOP = 534.0  # teal band along the bottom, holding the address
GAP = 22.0  # between headline and subline
HEADLINE_FIT = {"max_lines": 3, "size_max": 80.0, "size_min": 40.0, "leading": 1.12}
SUBLINE_FIT = {"max_lines": 2, "size_max": 38.0, "size_min": 24.0, "leading": 1.2}
ADDRESS_FIT = {"max_lines": 1, "size_max": 30.0, "size_min": 16.0}
ADDRESS_AREA: Box = (LEFT, BAND_TOP + 20.0, 860.0, HEIGHT - 20.0)


@dataclass(frozen=True)
class CardSubject:
    """Everything that shapes one share card (path only says where it goes)."""

    path: str  # site-relative output path, e.g. "register/acme-ltd/card.png" or "card.png"
    headline: str  # untrusted
    subline: str = ""
    address: str = ""  # short site address shown at the bottom, e.g. "charter.example.org"


@dataclass
class CardOutput:
    """Where the cards are: site-relative path -> cached PNG, and how many were rendered."""

    files: dict[str, Path]
    rendered: int


# ---------------------------------------------------------------- layout


Run = tuple[str, textpath.Font, float, float, float, str]
"""One line of a card's words as drawn: colour, font, size, x, baseline, text."""


class RunRecorder:
    """A line drawer that only notes where each line goes, so a PNG can be painted without an SVG.

    Drawing the words through an SVG made cairosvg parse every outline's path
    data, most of a card's time; render.glyph_runs paints the same glyphs
    straight from the font. The ink box is computed as textpath.draw computes it.
    """

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.colour = INK

    def line(self, text: str, font: textpath.Font, size: float, x: float, baseline: float) -> tuple[str, Box | None]:
        self.runs.append((self.colour, font, size, x, baseline, text))
        scale = size / font.upm
        ink: Box | None = None
        for name, gx in textpath.place(text, font)[:-1]:
            box = font.bounds(name)
            if box is not None:
                ink = textpath.union(ink, (x + (gx + box[0]) * scale, baseline - box[3] * scale,
                                           x + (gx + box[2]) * scale, baseline - box[1] * scale))
        return "", ink


def fitted(key: str, font: textpath.Font, block: textpath.Block, top: float, colour: str,
           runs: RunRecorder | None = None) -> tuple[str, Box]:
    """A fitted block drawn at the left margin as one path (or noted in `runs`), with its ink box."""
    drawer: textpath.LineDrawer = textpath.draw
    if runs is not None:
        runs.colour, drawer = colour, runs.line
    d, ink = textpath.draw_block(block, font, LEFT, top, RIGHT - LEFT, "start", drawer)
    return f'<path id="{key}" fill="{colour}" d="{d}"/>', ink or (LEFT, top, LEFT, top)


def start_size(text: str, font: textpath.Font, width: float, fit: dict) -> float:
    """Largest size worth trying: the words laid end to end must fit in max_lines lines.

    textpath.fit walks down from size_max in half-point steps, measuring every
    candidate; a long name cannot fit near the top, so skipping those sizes
    saves most of the layout time. The 5% margin (for kerning around spaces)
    keeps it a true upper bound, and snapping up to the half-point grid keeps
    the candidates, and so the result, the same as a full search.
    """
    words = textpath.glue_dashes(textpath.normalise(text)).split(" ")
    need = sum(textpath.line_width(word, font) for word in words)
    if need <= 0:
        return fit["size_max"]
    bound = math.ceil(fit["max_lines"] * width / need * 1.05 * 2) / 2
    return max(fit["size_min"], min(fit["size_max"], bound))


def fit_text(text: str, font: textpath.Font, width: float, height: float, fit: dict) -> textpath.Block:
    """textpath.fit, starting from the largest size that could possibly fit."""
    return textpath.fit(text, font, width, height, **{**fit, "size_max": start_size(text, font, width, fit)})


def text_blocks(subject: CardSubject) -> tuple[textpath.Block, textpath.Block | None]:
    """Fit the headline and the optional subline into the text region.

    The subline is fitted first (to at most a third of the region) and the
    headline gets the height that is left, so however long either is, together
    they cannot leave the region.
    """
    width, region = RIGHT - LEFT, TEXT_BOTTOM - TEXT_TOP
    sub: textpath.Block | None = None
    reserved = 0.0
    if textpath.normalise(subject.subline):
        sub = fit_text(subject.subline, textpath.regular(), width, region / 3, SUBLINE_FIT)
        reserved = sub.height + GAP
    head = fit_text(subject.headline, textpath.bold(), width, region - reserved, HEADLINE_FIT)
    return head, sub


def text_group(subject: CardSubject, parts: dict[str, str], boxes: dict[str, Box], runs: RunRecorder | None = None) -> None:
    """Headline with the subline under it, centred as a group in the text region."""
    head, sub = text_blocks(subject)
    reserved = sub.height + GAP if sub is not None else 0.0
    y = TEXT_TOP + (TEXT_BOTTOM - TEXT_TOP - head.height - reserved) / 2
    parts["headline"], boxes["headline"] = fitted("headline", textpath.bold(), head, y, INK, runs)
    if sub is not None:
        y += head.height + GAP
        parts["subline"], boxes["subline"] = fitted("subline", textpath.regular(), sub, y, TEAL, runs)


def address_part(address: str, runs: RunRecorder | None = None) -> tuple[str, Box]:
    """The short site address in white, centred on the band's height at the left margin."""
    area = ADDRESS_AREA
    text = badges.short_address(address).rstrip("/")
    block = textpath.fit(text, textpath.bold(), area[2] - area[0], area[3] - area[1], **ADDRESS_FIT)
    top = (BAND_TOP + HEIGHT) / 2 - block.height / 2
    drawer: textpath.LineDrawer = textpath.draw
    if runs is not None:
        runs.colour, drawer = WHITE, runs.line
    d, ink = textpath.draw_block(block, textpath.bold(), area[0], top, area[2] - area[0], "start", drawer)
    return f'<path id="address" fill="{WHITE}" d="{d}"/>', ink or (area[0], top, area[0], top)


def backdrop() -> str:
    """White ground, a pale ring echoing the logo's circle, and the teal band with a light edge."""
    return (
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{WHITE}"/>'
        f'<circle cx="1130" cy="-10" r="150" fill="none" stroke="{PALE}" stroke-width="34"/>'
        f'<rect y="{BAND_TOP:g}" width="{WIDTH}" height="{HEIGHT - BAND_TOP:g}" fill="{TEAL}"/>'
        f'<rect y="{BAND_TOP - 8:g}" width="{WIDTH}" height="8" fill="{EDGE}"/>'
    )


def layout(subject: CardSubject, runs: RunRecorder | None = None, art: artwork.Artwork | None = None) -> badges.Layout:
    """Place every block of the card; boxes are exposed so tests can prove nothing escapes SAFE.

    With `runs`, the words are only noted there (their parts stay empty), for render_png to paint.
    """
    parts: dict[str, str] = {"backdrop": backdrop()}
    boxes: dict[str, Box] = {}
    parts["logo"], boxes["logo"] = badges.logo_part(False, LEFT, LOGO_TOP, LOGO_HEIGHT, art=art)
    text_group(subject, parts, boxes, runs)
    if textpath.normalise(subject.address):
        parts["address"], boxes["address"] = address_part(subject.address, runs)
    return badges.Layout(parts, boxes)


SHARED_PARTS = ("backdrop", "logo")
"""Painted first and the same on every card."""


def card_svg(subject: CardSubject, art: artwork.Artwork | None = None) -> str:
    """The card as a self-contained SVG: outlines only, plus an XML-escaped title."""
    return _svg(subject, layout(subject, art=art).parts.values())


def _svg(subject: CardSubject, parts: Iterable[str], size: tuple[int, int] = (PIXELS_WIDE, PIXELS_HIGH)) -> str:
    """The SVG document; `size` is the size it asks to be drawn at (the grid itself for the shared drawing)."""
    title = badges.clean_xml_text(" ".join(filter(None, (subject.headline, subject.subline))))
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{size[0]}" height="{size[1]}" role="img">\n<title>{title}</title>\n{body}\n</svg>\n'
    )


Made = TypeVar("Made")


def for_artwork(store: list[tuple[artwork.Artwork, Made]], art: artwork.Artwork, make: Callable[[], Made]) -> Made:
    """What `make` makes for `art`, kept in `store` beside the artwork it was made from.

    Used only for that same artwork, so an edited logo gets a new one: once per process and artwork rather
    than once per card.
    """
    if not store or store[0][0] != art:
        store[:] = [(art, make())]
    return store[0][1]


_shared: list[tuple[artwork.Artwork, render.Drawing]] = []
"""The last backdrop and logo drawn, with the artwork they were drawn from."""


def shared_drawing(art: artwork.Artwork) -> render.Drawing:
    """The backdrop and logo, drawn once per process and artwork rather than once per card."""
    return for_artwork(_shared, art, lambda: _draw_shared(art))


def _draw_shared(art: artwork.Artwork) -> render.Drawing:
    from svcharter import render

    logo, _box = badges.logo_part(False, LEFT, LOGO_TOP, LOGO_HEIGHT, art=art)
    # Drawn at the card's own size: a recording replayed smaller is resampled, which moved its edges.
    return render.draw(_svg(CardSubject("card.png", ""), [backdrop(), logo]))


PALETTE_COLOURS = 16  # at most 2 ** BITS
"""Colours in a card's palette: its flat colours exactly, and the rest spread along the blends between them.

A card is a few flat colours and the smoothed edges where one meets another, and cairo blends linearly, so
every edge pixel lies on the line between two known colours (text on its ground, the ring on white, the logo
on white). The palette is worked out from those pairs once per artwork, the blend levels shared out so that
no pair's steps are coarser than another's, and each card is only mapped onto it: choosing a palette by
median cut for every card was 57 ms of its 67.

Measured on the benchmark's 150 names (every length from 1 to 150) at 1200 x 630 with 8-bit indices, mean
bytes per card, against 30.5 KB for 64 colours by median cut: 16 colours 21.8 KB, 24 colours 23.5 KB, 32
colours 25.2 KB. Against the unquantized render, the most a pixel's brightness is off (64 by median cut: 9 of
255): 16 colours 17, 24 colours 12, 32 colours 8, only on smoothed edges (1% of pixels; 0.2 on average); side
by side at twice the size the 16-colour text cannot be told from the exact one. Far fewer colours start to
show (8: off by 34) and save little (19.6 KB), because the edge pixels, not the colour count, are most of the
bytes. Drawn at 800 x 420 with 4-bit indices, the same cards are 12.5 KB."""
PNG_LEVEL = 6
"""zlib level of the card PNG. Measured with 16 colours on a fifth of those cards: level 5 23.7 KB in 5.5 ms,
6 22.5 KB in 6.7 ms, 7 22.2 KB in 9.1 ms, 8 20.9 KB in 26 ms, 9 20.4 KB in 70 ms. At 10,000 cards, level 9
would cost eleven more minutes of CPU to save 21 MB."""
LOOKUP_SLACK = 4
"""Levels a channel may be off beyond half a blend step: Pillow looks a colour up by its 4-level cell."""
TEXT_GROUNDS = ((WHITE, INK), (WHITE, TEAL), (TEAL, WHITE))
"""(ground, ink) of every run of words: the headline and subline on white, the address on the teal band."""

RGB = tuple[int, int, int]


def rgb(colour: str) -> RGB:
    """'#rrggbb' as three 0-255 levels."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def colour_pairs(art: artwork.Artwork) -> list[tuple[RGB, RGB]]:
    """Each pair of flat colours whose blends a card holds: the words on their grounds, the ring, the logo.

    The logo's colours are read from its own markup, so a recoloured logo brings its colours with it.
    """
    logo = re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', art.colour.inner)
    pairs = [*TEXT_GROUNDS, (WHITE, PALE), *((WHITE, colour) for colour in logo)]
    seen: dict[frozenset[RGB], tuple[RGB, RGB]] = {}
    for ground, ink in pairs:
        a, b = rgb(ground.lower()), rgb(ink.lower())
        if a != b:
            seen.setdefault(frozenset((a, b)), (a, b))
    return list(seen.values())


def blend_levels(pairs: list[tuple[RGB, RGB]], spare: int) -> list[int]:
    """How many blend colours each pair gets: each in turn to the pair whose steps are then coarsest."""
    lengths = [math.dist(a, b) for a, b in pairs]
    levels = [0] * len(pairs)
    for _ in range(max(0, spare)):
        widest = max(range(len(pairs)), key=lambda i: lengths[i] / (levels[i] + 1))
        levels[widest] += 1
    return levels


def palette_colours(art: artwork.Artwork) -> list[RGB]:
    """The card palette: every flat colour exactly, then evenly spaced blends along each pair.

    A blend is dropped if it would share a lookup cell (see lookup_key) with a colour already in, so every
    colour stays its own nearest entry.
    """
    pairs = colour_pairs(art)
    colours = {lookup_key(c): c for c in flat_colours(pairs)}
    for (a, b), count in zip(pairs, blend_levels(pairs, PALETTE_COLOURS - len(colours)), strict=True):
        for step in range(1, count + 1):
            t = step / (count + 1)
            colour = tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
            colours.setdefault(lookup_key(colour), colour)  # type: ignore[arg-type]
    return list(colours.values())


def flat_colours(pairs: list[tuple[RGB, RGB]]) -> list[RGB]:
    """Every colour a card has as a flat area: the ends of each pair, and the band's edge (drawn on whole pixels)."""
    return list(dict.fromkeys([rgb(WHITE), *(c for pair in pairs for c in pair), rgb(EDGE)]))


def palette_tolerance(art: artwork.Artwork) -> int:
    """The most any channel of the backdrop and logo may be off once mapped: half the coarsest blend step.

    Every edge the palette was worked out for comes within that; a colour it does not know (a logo painted
    in a way colour_pairs cannot read) is off by far more.
    """
    pairs = colour_pairs(art)
    levels = blend_levels(pairs, PALETTE_COLOURS - len(flat_colours(pairs)))
    spans = [max(abs(x - y) for x, y in zip(a, b, strict=True)) for a, b in pairs]
    steps = [span / (count + 1) for span, count in zip(spans, levels, strict=True)]
    return math.ceil(max(steps) / 2) + LOOKUP_SLACK


def lookup_key(colour: RGB) -> RGB:
    """The colour as Pillow's palette lookup sees it: it finds the nearest entry to a 4-level cell's low corner.

    Looking up against these keys, and then labelling the result with the true colours, makes every pixel
    that is exactly a palette colour (every flat area) come out exactly that colour.
    """
    r, g, b = colour
    return r & ~3, g & ~3, b & ~3


@dataclass(frozen=True, eq=False)
class CardPalette:
    """A card palette ready to map pixels onto: the true colours and the Pillow image holding their keys."""

    colours: tuple[RGB, ...]
    lookup: PIL.Image.Image
    head: DeflatedHead | None = None  # the backdrop's top rows, compressed once

    def apply(self, image: PIL.Image.Image) -> PIL.Image.Image:
        """Each pixel to the nearest palette colour (a cached lookup in Pillow, no per-card palette search)."""
        from PIL import Image

        indexed = image.quantize(palette=self.lookup, dither=Image.Dither.NONE)
        indexed.putpalette([level for colour in self.colours for level in colour])
        return indexed


_palettes: list[tuple[artwork.Artwork, CardPalette | None]] = []
"""The last card palette worked out, with the artwork it was worked out for (None: that artwork needs its own)."""


def card_palette(art: artwork.Artwork) -> CardPalette | None:
    """The palette for cards of this artwork, worked out once per process and artwork.

    Kept beside its artwork (for_artwork), like shared_drawing. None when the backdrop and logo do not map
    onto it within palette_tolerance (a logo in colours the card does not know): then each card chooses its
    own palette by median cut, slower but never wrong.
    """
    return for_artwork(_palettes, art, lambda: _checked_palette(art))


def _checked_palette(art: artwork.Artwork) -> CardPalette | None:
    from PIL import Image, ImageChops

    from svcharter import render

    colours = tuple(palette_colours(art))
    lookup = Image.new("P", (1, 1))
    lookup.putpalette([level for colour in colours for level in lookup_key(colour)])
    palette = CardPalette(colours, lookup)
    width, height, pixels = render.glyph_runs_pixels(shared_drawing(art), PIXELS_WIDE, [], WIDTH)
    ground = pixels_image(width, height, pixels)
    indexed = palette.apply(ground)
    error = max(high for _low, high in ImageChops.difference(indexed.convert("RGB"), ground).getextrema())
    if error > palette_tolerance(art):
        return None
    return dataclasses.replace(palette, head=deflate_head(pixels, packed(indexed), width, HEAD_ROWS))


def render_png(subject: CardSubject, art: artwork.Artwork | None = None) -> bytes:
    """PNG bytes of the card at exactly PIXELS_WIDE x PIXELS_HIGH: the shared backdrop and logo, then its words.

    The words are painted from the font's outlines by cairo directly, not through an SVG: cairosvg parsing
    their path data was most of a card's time. A test compares the result with cairosvg drawing card_svg().
    """
    from svcharter import render

    art = art or artwork.load_artwork()
    runs = RunRecorder()
    layout(subject, runs, art)
    drawn = render.glyph_runs_pixels(shared_drawing(art), PIXELS_WIDE, runs.runs, WIDTH)
    return palette_png(*drawn, card_palette(art))


def pixels_image(width: int, height: int, pixels: bytes | bytearray) -> PIL.Image.Image:
    """cairo's opaque 32-bit pixels as an RGB image, without copying them."""
    import sys

    from PIL import Image

    order = "BGRX" if sys.byteorder == "little" else "XRGB"  # cairo stores each pixel as one native 32-bit word
    return Image.frombuffer("RGB", (width, height), pixels, "raw", order, 0, 1)


def palette_png(width: int, height: int, pixels: bytes | bytearray, palette: CardPalette | None) -> bytes:
    """The opaque card (cairo's pixels) as an indexed-colour PNG: a card per page makes its bytes count.

    Where the card's top rows are the backdrop's, only the rows below them are mapped onto the palette.
    """
    from PIL import Image

    if palette is None:
        image = pixels_image(width, height, pixels)
        indexed = image.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        return indexed_png(indexed.size, bytes(indexed.getpalette() or []), packed(indexed))
    colours = bytes(level for colour in palette.colours for level in colour)
    head = palette.head
    if head is None or not pixels.startswith(head.pixels):
        return indexed_png((width, height), colours, packed(palette.apply(pixels_image(width, height, pixels))))
    below = pixels_image(width, height - head.rows, memoryview(pixels)[len(head.pixels):])
    return indexed_png((width, height), colours, head.indices + packed(palette.apply(below)), head)


BITS = 4
"""Bits per palette index: 16 colours fit in 4, two pixels a byte, which makes a card about 6% smaller."""


def packed(indexed: PIL.Image.Image) -> bytes:
    """An indexed image's rows, two 4-bit indices a byte, each row padded to a whole byte, as PNG stores them."""
    return indexed.tobytes("raw", "P;4")


def row_bytes(width: int) -> int:
    """Bytes in one row of packed indices."""
    return (width * BITS + 7) // 8


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEAD_ROWS = int((TEXT_TOP - 8) * PIXELS_WIDE / WIDTH)
"""Rows at the top that hold only the backdrop and logo: no words are laid out above TEXT_TOP."""


def indexed_png(size: tuple[int, int], palette: bytes, indices: bytes, head: DeflatedHead | None = None) -> bytes:
    """A 4-bit indexed PNG with every row unfiltered, written here rather than by Pillow.

    Neighbouring palette indices say nothing about neighbouring colours, so PNG's row filters only scramble
    the runs zlib would find: on the benchmark's cards Pillow's encoder made files 8 to 14% larger than rows
    left unfiltered. With `head`, rows that match it are not compressed again (see DeflatedHead).
    """
    width, height = size
    header = struct.pack(">IIBBBBB", width, height, BITS, 3, 0, 0, 0)  # palette colour, no interlace
    chunks = ((b"IHDR", header), (b"PLTE", palette), (b"IDAT", image_data(indices, width, head)), (b"IEND", b""))
    return PNG_SIGNATURE + b"".join(_chunk(kind, data) for kind, data in chunks)


def unfiltered_rows(indices: bytes | memoryview, width: int) -> bytes:
    """Rows of packed indices as PNG image data before compression: each one led by filter type 0 (none)."""
    view, step = memoryview(indices), row_bytes(width)
    return b"".join(b"\0" + view[start:start + step] for start in range(0, len(view), step))


@dataclass(frozen=True)
class DeflatedHead:
    """The top rows every card shares, compressed once per artwork as the start of a zlib stream.

    Compressing them again for every card was a quarter of its compression time (measured 8.2 against 6.2 ms
    on a long-named card). They are written as raw deflate blocks ending on a byte boundary (a sync flush), so
    each card's own rows follow as further blocks, and the stream's checksum carries on from theirs: a valid
    zlib stream. The card's rows cannot refer back into the head, which costs nothing measurable (21.7 KB a
    card on the benchmark's names, against 21.8 KB compressed whole).
    """

    rows: int
    pixels: bytes  # the rows as cairo painted them, to check that a card's top rows are these
    indices: bytes  # and as palette indices
    deflated: bytes
    adler: int  # Adler-32 of the head's unfiltered rows


def deflate_head(pixels: bytes | bytearray, indices: bytes, width: int, rows: int) -> DeflatedHead:
    """The first `rows` rows of a card compressed as the start of its zlib stream."""
    head = bytes(indices[:rows * row_bytes(width)])
    data = unfiltered_rows(head, width)
    compressor = zlib.compressobj(PNG_LEVEL, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return DeflatedHead(rows, bytes(pixels[:rows * width * 4]), head, deflated, zlib.adler32(data))


def image_data(indices: bytes, width: int, head: DeflatedHead | None) -> bytes:
    """The zlib stream of a card's rows, reusing the compressed head when the card's top rows are the head's."""
    if head is None or not indices.startswith(head.indices):
        return zlib.compress(unfiltered_rows(indices, width), PNG_LEVEL)
    rest = unfiltered_rows(memoryview(indices)[len(head.indices):], width)
    compressor = zlib.compressobj(PNG_LEVEL, zlib.DEFLATED, -15)
    body = compressor.compress(rest) + compressor.flush()
    stream_header = zlib.compress(b"", PNG_LEVEL)[:2]  # the same two bytes zlib.compress would start with
    return stream_header + head.deflated + body + struct.pack(">I", zlib.adler32(rest, head.adler))


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# ---------------------------------------------------------------- caching and rendering

CARD = "card.png"
"""The one file of a card's cache entry."""


def fingerprint(art: artwork.Artwork) -> str:
    """Badge renderer fingerprint (textpath, logo, fonts, cairo versions) plus this module's source."""
    own = artwork.file_digest(Path(__file__).resolve())
    return hashlib.sha256(f"{art.fingerprint}:{own}".encode()).hexdigest()


def card_key(subject: CardSubject, card_fingerprint: str) -> str:
    """Cache key: the text that is drawn plus the fingerprint (not the path, which is not drawn)."""
    payload = json.dumps([subject.headline, subject.subline, subject.address, card_fingerprint])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _render_job(job: tuple[CardSubject, str, artwork.Artwork]) -> None:
    """Process-pool entry point (top-level so it pickles); sends back nothing but completion."""
    subject, final, art = job
    cache_entry.create(Path(final), [CARD], lambda temp: (temp / CARD).write_bytes(render_png(subject, art)))


def run_jobs(jobs: list[tuple[CardSubject, str, artwork.Artwork]], workers: int, niceness: int = 0) -> None:
    """Render every missing card, across processes when there is more than one."""
    run_parallel(_render_job, jobs, workers, niceness=niceness)


@dataclass
class CardPlan:
    """Where every card is, and the ones the cache does not hold yet, to be drawn by `draw`."""

    files: dict[str, Path]
    jobs: list[tuple[CardSubject, str, artwork.Artwork]]


def plan_cards(subjects: Sequence[CardSubject], cache_dir: Path, workers: int = 0,
               art: artwork.Artwork | None = None) -> CardPlan:
    """Each subject's cached card, checked against the digest recorded when it was drawn, and what is missing.

    Kept apart from the drawing so the check runs before the renderer starts: checking 10,000 cards on a
    thread beside MkDocs made both wait for Python's lock, and a rebuild that draws nothing 30 s slower.
    """
    art = art or artwork.load_artwork()
    workers = workers or os.cpu_count() or 1
    card_fingerprint = fingerprint(art)
    root = cache_entry.folder(cache_dir, "cards")
    files: dict[str, Path] = {}
    distinct: dict[Path, CardSubject] = {}
    for subject in subjects:
        final = root / card_key(subject, card_fingerprint)
        files[subject.path] = final / CARD
        distinct.setdefault(final, subject)  # identical cards render once
    entries = [(final, [CARD]) for final in distinct]
    jobs = []
    for (final, _names), good in zip(entries, cache_entry.verify_all(entries, workers), strict=True):
        if not good:
            cache_entry.discard(final)
            jobs.append((distinct[final], str(final), art))
    return CardPlan(files, jobs)


def render_cards(subjects: Sequence[CardSubject], cache_dir: Path, workers: int = 0,
                 art: artwork.Artwork | None = None, niceness: int = 0) -> CardOutput:
    """Render (or reuse from cache) every subject's card; returns paths, never PNG bytes."""
    plan = plan_cards(subjects, cache_dir, workers, art)
    run_jobs(plan.jobs, workers or os.cpu_count() or 1, niceness)
    return CardOutput(files=plan.files, rendered=len(plan.jobs))
