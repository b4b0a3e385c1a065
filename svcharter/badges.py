"""Signatory badge kits: SVG, PNG, PDF and a ZIP, in colour and one-colour white.

A badge says "this organisation signed the charter and is a current
signatory", and its QR code and address lead to the register page that proves
it. Names are untrusted text, so they reach the SVG only as glyph outlines or
XML-escaped accessibility text. Every file is byte-for-byte repeatable and
cached by a hash of everything that shapes it, so rebuilds only render what
changed, spread across all cores.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import segno

from svcharter import cache_entry, openbadges, textpath
from svcharter.artwork import Artwork, load_artwork
from svcharter.pool import run_parallel
from svcharter.textpath import Box

if TYPE_CHECKING:
    from svcharter import render

TEAL = "#00594f"
WHITE = "#ffffff"
WIDTH, HEIGHT = 800.0, 420.0
SAFE: Box = (36.0, 32.0, 764.0, 388.0)
PNG_WIDTHS = (300, 600, 1200)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
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


# ---------------------------------------------------------------- layout


def short_address(url: str) -> str:
    """The page address as printed: no scheme, so it is short and easy to type."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE)


def text_block(key: str, text: str, font: textpath.Font, area: Box, fit: dict, colour: str, align: str) -> tuple[str, Box]:
    """Fit text into an area and return its outlined path and ink box."""
    width, height = area[2] - area[0], area[3] - area[1]
    block = textpath.fit(text, font, width, height, **fit)
    top = area[1]
    d, ink = textpath.draw_block(block, font, area[0], top, width, align)
    box = ink or (area[0], top, area[0], top)
    return f'<path id="{key}" fill="{colour}" d="{d}"/>', box


def bottom_block(key: str, text: str, font: textpath.Font, area: Box, fit: dict, colour: str) -> tuple[str, Box, float]:
    """A block sitting on the bottom of its area; returns also the top it reserves."""
    width, height = area[2] - area[0], area[3] - area[1]
    block = textpath.fit(text, font, width, height, **fit)
    top = area[3] - block.height
    d, ink = textpath.draw_block(block, font, area[0], top, width)
    return f'<path id="{key}" fill="{colour}" d="{d}"/>', ink or (area[0], top, area[0], top), top


def qr_path(url: str, box: Box, colour: str, knockout: bool) -> str:
    """The QR code as one path of module runs (no <image>), filling a square box.

    For the white version the modules are holes in a white square, so the code
    still reads dark-on-light wherever the badge is placed.
    """
    qr = segno.make(url, error="m", micro=False)
    border = 2
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=border)]
    unit = (box[2] - box[0]) / len(rows)
    runs = [module_runs(row) for row in rows]
    parts: list[str] = []
    if knockout:
        f = textpath.fmt
        parts.append(f"M{f(box[0])} {f(box[1])}H{f(box[2])}V{f(box[3])}H{f(box[0])}Z")
    for y, row_runs in enumerate(runs):
        for start, end in row_runs:
            parts.append(rect_d(box[0] + start * unit, box[1] + y * unit, (end - start) * unit, unit))
    rule = ' fill-rule="evenodd"' if knockout else ""
    return f'<path id="qr" fill="{colour}"{rule} d="{"".join(parts)}"/>'


def module_runs(row: list) -> list[tuple[int, int]]:
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


def rect_d(x: float, y: float, w: float, h: float) -> str:
    """Path data for an axis-aligned rectangle."""
    f = textpath.fmt
    return f"M{f(x)} {f(y)}H{f(x + w)}V{f(y + h)}H{f(x)}Z"


def logo_part(white: bool, x: float, y: float, height: float, art: Artwork | None = None) -> tuple[str, Box]:
    """The master logo scaled into the badge's top-left corner."""
    logo = (art or load_artwork()).logo(white)
    scale = height / logo.height
    f = textpath.fmt
    markup = f'<g id="logo" transform="translate({f(x)} {f(y)}) scale({scale:.6g})">{logo.inner}</g>'
    return markup, (x, y, x + logo.width * scale, y + height)


def pill_part(colour: str, white: bool) -> tuple[str, Box]:
    """The 'SIGNATORY' tag: a filled pill with knocked-out letters in colour, outline in white."""
    box: Box = (570.0, 50.0, 760.0, 98.0)
    font = textpath.bold()
    size = 22.0
    width = textpath.measure("SIGNATORY", font, size)
    x = box[0] + (box[2] - box[0] - width) / 2
    baseline = (box[1] + box[3]) / 2 + font.cap_height * size / 2
    d, _ = textpath.draw("SIGNATORY", font, size, x, baseline)
    r = (box[3] - box[1]) / 2
    f = textpath.fmt
    shape = f'<rect x="{f(box[0])}" y="{f(box[1])}" width="{f(box[2] - box[0])}" height="{f(box[3] - box[1])}" rx="{f(r)}"'
    if white:
        markup = f'{shape} fill="none" stroke="{colour}" stroke-width="3"/>'
        markup += f'<path id="label" fill="{colour}" d="{d}"/>'
    else:
        markup = f'{shape} fill="{colour}"/><path id="label" fill="{WHITE}" d="{d}"/>'
    return f'<g id="signatory">{markup}</g>', box


def column(subject: BadgeSubject, colour: str, parts: dict[str, str], boxes: dict[str, Box]) -> None:
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
    )
    region = address_top - 18.0 - top
    since_text = f"since {subject.year}"
    since = textpath.fit(since_text, textpath.regular(), width, 40.0, 1, 24.0, 16.0)
    gap = 14.0
    name = textpath.fit(subject.name, textpath.bold(), width, region - since.height - gap, 3, 40.0, 18.0, 1.18)
    y = top + (region - name.height - gap - since.height) / 2
    parts["name"], boxes["name"] = drawn("name", name, textpath.bold(), left, y, colour)
    y += name.height + gap
    parts["since"], boxes["since"] = drawn("since", since, textpath.regular(), left, y, colour)


def drawn(key: str, block: textpath.Block, font: textpath.Font, x: float, y: float, colour: str) -> tuple[str, Box]:
    """A fitted block as a path element with its ink box."""
    d, ink = textpath.draw_block(block, font, x, y, 0.0)
    return f'<path id="{key}" fill="{colour}" d="{d}"/>', ink or (x, y, x, y)


def layout(subject: BadgeSubject, white: bool = False, art: Artwork | None = None) -> Layout:
    """Place every block of the badge; each is fitted to its own area so none can overlap."""
    colour = WHITE if white else TEAL
    parts: dict[str, str] = {}
    boxes: dict[str, Box] = {}
    parts["logo"], boxes["logo"] = logo_part(white, 40.0, 36.0, 76.0, art)
    parts["signatory"], boxes["signatory"] = pill_part(colour, white)
    parts["rule"] = f'<path d="M40 134H760" stroke="{colour}" stroke-width="2"/>'
    boxes["rule"] = (40.0, 133.0, 760.0, 135.0)
    qr_box: Box = (580.0, 158.0, 760.0, 338.0)
    parts["qr"], boxes["qr"] = qr_path(subject.page_url, qr_box, colour, white), qr_box
    caption_area: Box = (580.0, 348.0, 760.0, 384.0)
    caption_fit = {"max_lines": 1, "size_max": 15.0, "size_min": 10.0}
    parts["caption"], boxes["caption"] = text_block(
        "caption", "Scan to check", textpath.regular(), caption_area, caption_fit, colour, "middle"
    )
    column(subject, colour, parts, boxes)
    return Layout(parts, boxes)


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
    title = clean_xml_text(badge_title(subject))
    desc = clean_xml_text(f"Check that this signatory is current at {subject.page_url}")
    body = "\n".join(layout(subject, white, art).parts.values())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT:g}" role="img">\n'
        f"<title>{title}</title>\n<desc>{desc}</desc>\n{card(white)}\n{body}\n</svg>\n"
    )


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


def kit_files(signatory_id: str) -> list[tuple[str, str]]:
    """(file name, label) for the kit in display order."""
    files: list[tuple[str, str]] = []
    for suffix, style in (("", "colour"), ("-white", "white, for dark backgrounds")):
        files.append((f"{signatory_id}-badge{suffix}.svg", f"SVG, scalable, {style}"))
        for width in PNG_WIDTHS:
            files.append((f"{signatory_id}-badge{suffix}-{width}.png", f"PNG, {width} pixels wide, {style}"))
        files.append((f"{signatory_id}-badge{suffix}.pdf", f"PDF, vector for print, {style}"))
    files.append((f"{signatory_id}-badge-kit.zip", "ZIP kit: all of the above and a usage guide"))
    return files


def usage_guide(subject: BadgeSubject) -> str:
    """Plain-text guide shipped in the ZIP: what the badge means, how to use and check it."""
    return f"""Shropshire Social Value Charter - signatory badge
=================================================

This badge kit is for: {subject.name}
Signatory since: {subject.year}
Check it at: {subject.page_url}

What the badge means
--------------------
The organisation named on the badge has signed the Shropshire Social Value
Charter and is a current signatory, listed in the public register.

What it does not mean
---------------------
It is not a Charter Mark, an award, an accreditation or an endorsement of the
organisation, its products or its services by the Shropshire Social Value
Group or any of its members.

How to use it
-------------
- Use the colour version on white or light backgrounds, and the white version
  on dark backgrounds. Do not recolour, stretch, crop or redraw the badge.
- Minimum size: 120 pixels wide on screen, 30 mm wide in print.
- Clear space: keep empty space of at least a quarter of the badge's height
  on every side.
- Files: SVG (scalable, for the web), PNG at 300, 600 and 1200 pixels wide
  (transparent background) and PDF (vector, for print).
- Stop using the badge if the organisation is no longer a signatory.

How to check it
---------------
Scan the QR code or visit the address printed on the badge. The register page
shows whether the organisation is a current signatory. The PNG and SVG files
also carry an Open Badges 2.0 assertion that badge tools can verify.
"""


def write_zip(directory: Path, subject: BadgeSubject, names: list[str]) -> Path:
    """Repeatable ZIP: sorted entries, fixed timestamps and permissions."""
    path = directory / f"{subject.id}-badge-kit.zip"
    entries = {name: (directory / name).read_bytes for name in names}
    entries["README.txt"] = lambda: usage_guide(subject).encode("utf-8")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            # PNGs are already compressed: storing them saves time, not space.
            stored = name.endswith(".png")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, entries[name]())
    return path


def render_kit(subject: BadgeSubject, directory: Path, art: Artwork | None = None) -> None:
    """Write one signatory's whole kit into a directory."""
    from svcharter import render

    art = art or load_artwork()
    date = f"{subject.year:04d}-01-01T00:00:00Z"
    names: list[str] = []
    for suffix, white in (("", False), ("-white", True)):
        plain = badge_svg(subject, white, art)
        baked = openbadges.bake_svg(plain, subject.assertion_url, subject.assertion_json)
        svg_name = f"{subject.id}-badge{suffix}.svg"
        (directory / svg_name).write_text(baked, encoding="utf-8")
        names.append(svg_name)
        drawing = render.draw(plain)
        for width in PNG_WIDTHS:
            png_name = f"{subject.id}-badge{suffix}-{width}.png"
            write_png(drawing, directory / png_name, width, subject.assertion_json)
            names.append(png_name)
        pdf_name = f"{subject.id}-badge{suffix}.pdf"
        write_pdf(drawing, directory / pdf_name, date, XML_INVALID.sub("", badge_title(subject)))
        names.append(pdf_name)
    write_zip(directory, subject, names)


# ---------------------------------------------------------------- caching


def subject_key(subject: BadgeSubject, fingerprint: str) -> str:
    """Cache key for one kit: the subject's fields plus the renderer fingerprint."""
    payload = json.dumps([asdict(subject), fingerprint], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _render_job(job: tuple[BadgeSubject, str, Artwork]) -> None:
    """Process-pool entry point (top-level so it pickles)."""
    subject, final, art = job
    names = [name for name, _label in kit_files(subject.id)]
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
        entries.append((final, [name for name, _label in kit_files(subject.id)]))
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
