"""Signatory badge kits: SVG in colour and one-colour white, and a PDF for print.

A badge says "this organisation signed the charter and is a current
signatory", and its QR code and address lead to the register page that proves
it. Names are untrusted text, so they reach the SVG only as glyph outlines or
XML-escaped accessibility text. Every file is byte-for-byte repeatable and
cached by a hash of everything that shapes it, so rebuilds only render what
changed, spread across all cores.

The PNGs and the ZIP kit are made in the visitor's browser from the published
SVG: svcharter/kit.py says which files the site publishes and which the
browser makes, and why.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import segno

from svcharter import cache_entry, kit, openbadges, pdf, textpath
from svcharter.artwork import Artwork, load_artwork
from svcharter.glyphs import GlyphDefs
from svcharter.kit import COLOURS, PNG_WIDTHS, kit_files, published_files, zip_members  # noqa: F401 - the kit's API
from svcharter.pool import run_parallel
from svcharter.textpath import Box

if TYPE_CHECKING:
    from svcharter import render

TEAL = "#00594f"
WHITE = "#ffffff"
WIDTH, HEIGHT = 800.0, 420.0
SAFE: Box = (36.0, 32.0, 764.0, 388.0)
WORDMARK = (("Shropshire", "bold"), ("Social Value", "bold"), ("Charter", "regular"))
"""The logo's words, one line each, drawn by logo/build_logo.py into the master logo and by the badge from its glyphs."""
WORDMARK_X, WORDMARK_TOP, WORDMARK_SIZE, WORDMARK_LEADING = 118.0, 14.0, 27.0, 31.0
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class BadgeSubject:
    """Everything that shapes one signatory's badge kit."""

    id: str  # slug
    name: str  # organisation name, any text up to 150 chars (untrusted!)
    year: int  # year signed
    page_url: str  # absolute URL of the register page
    assertion_url: str  # absolute URL of its assertion JSON
    assertion_json: str  # the compact JSON text to bake


@dataclass
class BadgeOutput:
    """Where the kits are: site-relative path -> cached file, and how many were rendered."""

    files: dict[str, Path]
    rendered: int


@dataclass(frozen=True)
class Layout:
    """Badge artwork pieces with their boxes, so tests can check nothing collides."""

    parts: dict[str, str]  # block name -> SVG markup, in paint order
    boxes: dict[str, Box]  # block name -> box in user units
    glyphs: GlyphDefs | None = None  # the glyphs the parts place, where they are shared outlines


# ---------------------------------------------------------------- layout


def short_address(url: str) -> str:
    """The page address as printed: no scheme, so it is short and easy to type."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE)


def glyph_group(key: str, colour: str, markup: str) -> str:
    """Text drawn from shared glyphs, in one group that carries its id and colour."""
    return f'<g id="{key}" fill="{colour}">{markup}</g>'


def text_block(key: str, text: str, font: textpath.Font, area: Box, fit: dict, colour: str, align: str,
               glyphs: GlyphDefs) -> tuple[str, Box]:
    """Fit text into an area and return it drawn from shared glyphs, with its ink box."""
    width, height = area[2] - area[0], area[3] - area[1]
    block = textpath.fit(text, font, width, height, **fit)
    top = area[1]
    markup, ink = textpath.draw_block(block, font, area[0], top, width, align, glyphs.line)
    box = ink or (area[0], top, area[0], top)
    return glyph_group(key, colour, markup), box


def bottom_block(key: str, text: str, font: textpath.Font, area: Box, fit: dict, colour: str,
                 glyphs: GlyphDefs) -> tuple[str, Box, float]:
    """A block sitting on the bottom of its area; returns also the top it reserves."""
    width, height = area[2] - area[0], area[3] - area[1]
    block = textpath.fit(text, font, width, height, **fit)
    top = area[3] - block.height
    markup, ink = textpath.draw_block(block, font, area[0], top, width, "start", glyphs.line)
    return glyph_group(key, colour, markup), ink or (area[0], top, area[0], top), top


def qr_path(url: str, box: Box, colour: str, knockout: bool) -> str:
    """The QR code as one stroked path of module runs (no <image>), filling a square box.

    Each run of modules is a line one module thick along the middle of its
    row, placed relative to the last run and scaled into the box: about half
    the size of filled rectangles, and still one shape, so rows meet without
    seams. The colour version strokes the dark modules. The white version
    strokes the light modules and the quiet zone in white and leaves the dark
    ones empty, so the code still reads dark-on-light wherever the badge is placed.
    """
    rows = qr_modules(url)
    size = len(rows)
    parts: list[str] = []
    for y, row in enumerate(rows):
        runs = module_runs([dark != knockout for dark in row])
        for index, (start, end) in enumerate(runs):
            gap = start - runs[index - 1][1] if index else 0
            parts.append(f"m{gap} 0h{end - start}" if index else f"M{start} {y}.5h{end - start}")
    f = textpath.fmt
    transform = f"translate({f(box[0])} {f(box[1])}) scale({(box[2] - box[0]) / size:.6g})"
    return f'<path id="qr" fill="none" stroke="{colour}" transform="{transform}" d="{"".join(parts)}"/>'


@functools.lru_cache(maxsize=8)
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules with a two-module quiet zone, row by row.

    Choosing the best mask is most of segno's time, and both colours of a kit
    encode the same address: keyed by the address alone, this makes it once per kit.
    """
    qr = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row) for row in qr.matrix_iter(scale=1, border=2))


def module_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """Horizontal runs of dark modules, merged so the path stays small."""
    runs: list[tuple[int, int]] = []
    start = None
    for x, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            runs.append((start, x))
            start = None
    return runs


def wordmark(line_drawer: textpath.LineDrawer) -> tuple[list[str], float]:
    """The logo's words, line by line, in the master logo's own units; and their right edge."""
    parts: list[str] = []
    right = WORDMARK_X
    for i, (words, weight) in enumerate(WORDMARK):
        font = textpath.bold() if weight == "bold" else textpath.regular()
        baseline = WORDMARK_TOP + font.cap_height * WORDMARK_SIZE + i * WORDMARK_LEADING
        markup, box = line_drawer(words, font, WORDMARK_SIZE, WORDMARK_X, baseline)
        parts.append(markup)
        right = max(right, box[2] if box else WORDMARK_X)
    return parts, right


def logo_part(white: bool, x: float, y: float, height: float, glyphs: GlyphDefs | None = None,
              art: Artwork | None = None) -> tuple[str, Box]:
    """The master logo scaled into a corner; with `glyphs`, its words are drawn from the shared glyphs.

    The master carries its words as one outlined path (it must stand alone);
    a badge already holds most of those letters, so it redraws the words from
    the same font, size and places (WORDMARK) and keeps the master's emblem.
    """
    logo = (art or load_artwork()).logo(white)
    inner = logo.inner
    if glyphs is not None:
        emblem, _sep, _words = inner.rpartition("<path fill=")
        words, _right = wordmark(glyphs.line)
        inner = f'{emblem}<g fill="{WHITE if white else TEAL}">{"".join(words)}</g>\n'
    scale = height / logo.height
    f = textpath.fmt
    markup = f'<g id="logo" transform="translate({f(x)} {f(y)}) scale({scale:.6g})">{inner}</g>'
    return markup, (x, y, x + logo.width * scale, y + height)


def pill_part(colour: str, white: bool, glyphs: GlyphDefs) -> tuple[str, Box]:
    """The 'SIGNATORY' tag: a filled pill with knocked-out letters in colour, outline in white."""
    box: Box = (570.0, 50.0, 760.0, 98.0)
    font = textpath.bold()
    size = 22.0
    width = textpath.measure("SIGNATORY", font, size)
    x = box[0] + (box[2] - box[0] - width) / 2
    baseline = (box[1] + box[3]) / 2 + font.cap_height * size / 2
    label, _ = glyphs.line("SIGNATORY", font, size, x, baseline)
    r = (box[3] - box[1]) / 2
    f = textpath.fmt
    shape = f'<rect x="{f(box[0])}" y="{f(box[1])}" width="{f(box[2] - box[0])}" height="{f(box[3] - box[1])}" rx="{f(r)}"'
    if white:
        markup = f'{shape} fill="none" stroke="{colour}" stroke-width="3"/>'
        markup += glyph_group("label", colour, label)
    else:
        markup = f'{shape} fill="{colour}"/>' + glyph_group("label", WHITE, label)
    return f'<g id="signatory">{markup}</g>', box


def column(subject: BadgeSubject, colour: str, parts: dict[str, str], boxes: dict[str, Box], glyphs: GlyphDefs) -> None:
    """Name and "since YEAR" centred as a group above the address, which sits at the bottom.

    Each block is fitted to the space the others leave, so they cannot overlap.
    """
    left, right, top, bottom = 40.0, 548.0, 156.0, 384.0
    width = right - left
    address_fit = {"max_lines": 2, "size_max": 17.0, "size_min": 11.0, "leading": 1.25}
    parts["address"], boxes["address"], address_top = bottom_block(
        "address",
        short_address(subject.page_url),
        textpath.regular(),
        (left, 300.0, right, bottom),
        address_fit,
        colour,
        glyphs,
    )
    region = address_top - 18.0 - top
    since_text = f"since {subject.year}"
    since = textpath.fit(since_text, textpath.regular(), width, 40.0, 1, 24.0, 16.0)
    gap = 14.0
    name = textpath.fit(subject.name, textpath.bold(), width, region - since.height - gap, 3, 40.0, 18.0, 1.18)
    y = top + (region - name.height - gap - since.height) / 2
    parts["name"], boxes["name"] = drawn("name", name, textpath.bold(), left, y, colour, glyphs)
    y += name.height + gap
    parts["since"], boxes["since"] = drawn("since", since, textpath.regular(), left, y, colour, glyphs)


def drawn(key: str, block: textpath.Block, font: textpath.Font, x: float, y: float, colour: str,
          glyphs: GlyphDefs) -> tuple[str, Box]:
    """A fitted block drawn from shared glyphs, with its ink box."""
    markup, ink = textpath.draw_block(block, font, x, y, 0.0, "start", glyphs.line)
    return glyph_group(key, colour, markup), ink or (x, y, x, y)


def layout(subject: BadgeSubject, white: bool = False, art: Artwork | None = None) -> Layout:
    """Place every block of the badge; each is fitted to its own area so none can overlap.

    The first part, "defs", holds the outline of every glyph the others use, so it is filled in last.
    """
    colour = WHITE if white else TEAL
    glyphs = GlyphDefs()
    parts: dict[str, str] = {"defs": ""}
    boxes: dict[str, Box] = {}
    parts["logo"], boxes["logo"] = logo_part(white, 40.0, 36.0, 76.0, glyphs, art)
    parts["signatory"], boxes["signatory"] = pill_part(colour, white, glyphs)
    parts["rule"] = f'<path d="M40 134H760" stroke="{colour}" stroke-width="2"/>'
    boxes["rule"] = (40.0, 133.0, 760.0, 135.0)
    qr_box: Box = (580.0, 158.0, 760.0, 338.0)
    parts["qr"], boxes["qr"] = qr_path(subject.page_url, qr_box, colour, white), qr_box
    caption_area: Box = (580.0, 348.0, 760.0, 384.0)
    caption_fit = {"max_lines": 1, "size_max": 15.0, "size_min": 10.0}
    parts["caption"], boxes["caption"] = text_block(
        "caption", "Scan to check", textpath.regular(), caption_area, caption_fit, colour, "middle", glyphs
    )
    column(subject, colour, parts, boxes, glyphs)
    parts["defs"] = glyphs.markup()
    return Layout(parts, boxes, glyphs)


def clean_xml_text(text: str) -> str:
    """Escape for XML and drop characters XML 1.0 cannot hold at all."""
    return escape(XML_INVALID.sub("", text))


def card(white: bool) -> str:
    """The badge's rounded card: white with a teal edge, or just a white edge."""
    fill = "none" if white else WHITE
    stroke = WHITE if white else TEAL
    return f'<rect x="4" y="4" width="792" height="412" rx="28" fill="{fill}" stroke="{stroke}" stroke-width="6"/>'


def badge_title(subject: BadgeSubject) -> str:
    """What the badge says in words: its SVG title and its PDF's document title."""
    return f"Shropshire Social Value Charter signatory badge for {subject.name}, since {subject.year}"


def badge_svg(subject: BadgeSubject, white: bool = False, art: Artwork | None = None) -> str:
    """The unbaked badge SVG: outlines only, plus escaped title and description."""
    return badge_drawing(subject, white, art)[0]


def badge_drawing(subject: BadgeSubject, white: bool = False,
                  art: Artwork | None = None) -> tuple[str, dict[str, tuple[textpath.Font, str]]]:
    """The unbaked badge SVG, and which font and glyph each of its outlines is (for the PDF)."""
    title = clean_xml_text(badge_title(subject))
    desc = clean_xml_text(f"Check that this signatory is current at {subject.page_url}")
    drawn_layout = layout(subject, white, art)
    body = "\n".join(drawn_layout.parts.values())
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT:g}" role="img">\n'
        f"<title>{title}</title>\n<desc>{desc}</desc>\n{card(white)}\n{body}\n</svg>\n"
    )
    return svg, drawn_layout.glyphs.sources() if drawn_layout.glyphs else {}


# ---------------------------------------------------------------- rendering


def write_pdf(drawing: render.Drawing, path: Path, date: str, title: str) -> None:
    """Vector PDF for print, dated from the badge rather than from the clock."""
    from svcharter import render

    path.write_bytes(render.pdf_bytes(drawing, date, title))


def write_png(drawing: render.Drawing, path: Path, width: int, assertion_json: str | None) -> None:
    """Transparent PNG at a given width, baked with the assertion when there is one."""
    from svcharter import render

    png = render.png_bytes(drawing, width)
    if assertion_json is not None:
        png = openbadges.bake_png(png, assertion_json)
    path.write_bytes(png)


def usage_guide(subject: BadgeSubject) -> str:
    """The ZIP's usage guide for one signatory, exactly as the browser writes it."""
    return kit.usage_guide(subject.name, subject.year, subject.page_url)


def render_kit(subject: BadgeSubject, directory: Path, art: Artwork | None = None) -> None:
    """Write the files of one signatory's kit that the site publishes: both SVGs, baked, and the print PDF.

    The PDF is written from the SVG by svcharter/pdf.py, not drawn by cairo: cairo writes every letter out
    again, which made it the largest file a signatory had.
    """
    art = art or load_artwork()
    for suffix, white, _style in COLOURS:
        plain, glyphs = badge_drawing(subject, white, art)
        baked = openbadges.bake_svg(plain, subject.assertion_url, subject.assertion_json)
        (directory / f"{subject.id}-badge{suffix}.svg").write_text(baked, encoding="utf-8")
        if not white:
            title = XML_INVALID.sub("", badge_title(subject))
            document = pdf.badge_pdf(plain, glyphs, title, f"{subject.year:04d}-01-01")
            (directory / f"{subject.id}-badge.pdf").write_bytes(document)


# ---------------------------------------------------------------- caching


def subject_key(subject: BadgeSubject, fingerprint: str) -> str:
    """Cache key for one kit: the subject's fields plus the renderer fingerprint."""
    payload = json.dumps([asdict(subject), fingerprint], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _render_job(job: tuple[BadgeSubject, str, Artwork]) -> None:
    """Process-pool entry point (top-level so it pickles)."""
    subject, final, art = job
    names = published_files(subject.id)
    cache_entry.create(Path(final), names, lambda temp: render_kit(subject, temp, art))


def run_jobs(jobs: list[tuple[BadgeSubject, str, Artwork]], workers: int) -> None:
    """Render every missing kit, across processes when there is more than one."""
    run_parallel(_render_job, jobs, workers)


def render_badges(subjects: Sequence[BadgeSubject], cache_dir: Path, workers: int = 0,
                  art: Artwork | None = None) -> BadgeOutput:
    """Render (or reuse from cache) every subject's kit; returns paths, never file bytes.

    A cached kit is used only once every file in it matches the digests recorded when it was rendered.
    """
    art = art or load_artwork()
    workers = workers or os.cpu_count() or 1
    fingerprint = art.fingerprint
    root = cache_entry.folder(cache_dir, "badges")
    files: dict[str, Path] = {}
    entries: list[tuple[Path, list[str]]] = []
    for subject in subjects:
        final = root / subject_key(subject, fingerprint)
        entries.append((final, published_files(subject.id)))
        for name in entries[-1][1]:
            files[f"register/{subject.id}/badge/{name}"] = final / name
    jobs: list[tuple[BadgeSubject, str, Artwork]] = []
    for subject, (final, _names), good in zip(subjects, entries, cache_entry.verify_all(entries, workers), strict=True):
        if not good:
            cache_entry.discard(final)
            jobs.append((subject, str(final), art))
    run_jobs(jobs, workers)
    return BadgeOutput(files=files, rendered=len(jobs))


# ---------------------------------------------------------------- master logo


def logo_file_names() -> list[tuple[str, bool]]:
    """(site path, white?) for each downloadable logo file."""
    out: list[tuple[str, bool]] = []
    for suffix, white in (("", False), ("-white", True)):
        out.append((f"logo/charter-logo{suffix}.svg", white))
        for width in PNG_WIDTHS:
            out.append((f"logo/charter-logo{suffix}-{width}.png", white))
        out.append((f"logo/charter-logo{suffix}.pdf", white))
    return out


def render_logo_files(cache_dir: Path, art: Artwork | None = None) -> dict[str, Path]:
    """Master logo downloads (SVG, transparent PNGs, PDF; colour and white), cached and verified like the kits."""
    art = art or load_artwork()
    final = cache_entry.folder(cache_dir, "logo") / art.fingerprint
    names = [Path(site).name for site, _white in logo_file_names()]
    if not cache_entry.usable(final, names):
        cache_entry.create(final, names, lambda temp: _draw_logo_files(temp, art))
    return {site: final / Path(site).name for site, _white in logo_file_names()}


def _draw_logo_files(folder: Path, art: Artwork) -> None:
    from svcharter import render

    for site, white in logo_file_names():
        target = folder / Path(site).name
        logo = art.logo(white)
        if site.endswith(".svg"):
            target.write_bytes(logo.source)
            continue
        drawing = render.draw(logo.source.decode("utf-8"))
        if site.endswith(".pdf"):
            title = "Shropshire Social Value Charter logo" + (", white" if white else "")
            write_pdf(drawing, target, "2017-01-01T00:00:00Z", title)
        else:
            write_png(drawing, target, int(site.rsplit("-", 1)[1][:-4]), None)
