"""Open Graph / Twitter share cards: one 1200x630 PNG per site page.

Link previews on social sites and chat apps show this picture, so each page
gets its own, with its headline drawn large next to the charter logo. Text is
drawn as outlines of the bundled Lato (never a system font), so a card looks the
same whichever machine builds it, and an untrusted organisation name can only
ever reach the SVG as glyph outlines or XML-escaped title text. Cards are
cached by a hash of everything that shapes them, so a rebuild renders only the
cards whose text, artwork, code or renderer changed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from svcharter import artwork, badges, cache_entry, textpath
from svcharter.pool import run_parallel
from svcharter.textpath import Box

if TYPE_CHECKING:
    from svcharter import render

WIDTH, HEIGHT = 1200, 630
# Text never leaves this box: a margin all round, and clear of a 2:1 centre crop (15 px top and bottom).
SAFE: Box = (56.0, 40.0, 1144.0, 600.0)
TEAL = badges.TEAL
INK = "#12302b"  # near-black teal: the headline reads strongest, the teal stays an accent
PALE = "#e3eeec"
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
        f'<rect y="{BAND_TOP - 8:g}" width="{WIDTH}" height="8" fill="#7fb0a7"/>'
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


def _svg(subject: CardSubject, parts: Iterable[str]) -> str:
    title = badges.clean_xml_text(" ".join(filter(None, (subject.headline, subject.subline))))
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img">\n<title>{title}</title>\n{body}\n</svg>\n'
    )


_shared: list[tuple[artwork.Artwork, render.Drawing]] = []
"""The last backdrop and logo drawn, with the artwork they were drawn from."""


def shared_drawing(art: artwork.Artwork) -> render.Drawing:
    """The backdrop and logo, drawn once per process and artwork rather than once per card.

    Kept beside the artwork it was drawn from and used only for that same artwork, so an edited logo is
    drawn afresh.
    """
    from svcharter import render

    if not _shared or _shared[0][0] != art:
        logo, _box = badges.logo_part(False, LEFT, LOGO_TOP, LOGO_HEIGHT, art=art)
        _shared[:] = [(art, render.draw(_svg(CardSubject("card.png", ""), [backdrop(), logo])))]
    return _shared[0][1]


PALETTE_COLOURS = 64
"""Colours in a card's palette. A card is a few flat colours and their smoothed edges: measured on a long-named
card, 64 colours take it from 97 KB to about 33 to 37 KB, with no pixel off by more than 9 of 255.
The palette is chosen by median cut, which keeps the flat brand colours exact (maximum coverage, twice as
fast, moved the teal by one level), and written at zlib level 7: level 9 saves 2 KB more but costs 0.1 s of
CPU per card, which at 10,000 pages is more than eight minutes of a 2-core build."""


def render_png(subject: CardSubject, art: artwork.Artwork | None = None) -> bytes:
    """PNG bytes of the card at exactly WIDTH x HEIGHT: the shared backdrop and logo, then this card's words.

    The words are painted from the font's outlines by cairo directly, not through an SVG: cairosvg parsing
    their path data was most of a card's time. A test compares the result with cairosvg drawing card_svg().
    """
    from svcharter import render

    art = art or artwork.load_artwork()
    runs = RunRecorder()
    layout(subject, runs, art)
    return palette_png(*render.glyph_runs_pixels(shared_drawing(art), WIDTH, runs.runs))


def palette_png(width: int, height: int, pixels: bytes) -> bytes:
    """The opaque card (cairo's 32-bit pixels) as an indexed-colour PNG: a card per page makes its bytes count."""
    import io
    import sys

    from PIL import Image

    order = "BGRX" if sys.byteorder == "little" else "XRGB"  # cairo stores each pixel as one native 32-bit word
    image = Image.frombuffer("RGB", (width, height), pixels, "raw", order, 0, 1)
    indexed = image.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    indexed.save(out, "PNG", compress_level=7)
    return out.getvalue()


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


def run_jobs(jobs: list[tuple[CardSubject, str, artwork.Artwork]], workers: int) -> None:
    """Render every missing card, across processes when there is more than one."""
    run_parallel(_render_job, jobs, workers)


def render_cards(subjects: Sequence[CardSubject], cache_dir: Path, workers: int = 0,
                 art: artwork.Artwork | None = None) -> CardOutput:
    """Render (or reuse from cache) every subject's card; returns paths, never PNG bytes.

    A cached card is used only when it matches the digest recorded when it was drawn.
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
    run_jobs(jobs, workers)
    return CardOutput(files=files, rendered=len(jobs))
