"""Badge kits: real renders checked for fit, safety, baking, repeatability and caching."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from svcharter import artwork, badges, openbadges, render, textpath
from svcharter.textpath import Box

SITE = "https://example.org/"
LONG_MIXED = (
    "Cymdeithas Gymunedol Ŵyr Llanfihangel-yng-Ngwynfa a Chyfeillion Tŷ Gwyn – "
    "Café & Bar’s Cydweithredol Cyfyngedig Ymddiriedolaeth Elusennol y Gororau Ltd"
)[:150]
NAMES = [
    pytest.param(("Shropshire Community Enterprise Partnership " * 4)[:150], id="long"),
    pytest.param("W" * 150, id="one-150-char-word"),
    pytest.param("Llanfairpwllgwyngyll" * 5 + " & Partners " + "x" * 38, id="mix"),
    pytest.param(LONG_MIXED, id="welsh-150"),
    pytest.param("Acme", id="one-word"),
    pytest.param("Cwmni Tŷ Gwyn – Café & Bar’s", id="welsh-accents"),
    pytest.param("ŵŷéÉŴŶ’&", id="accents-only"),
]
HOSTILE = [
    "<script>alert(1)</script>",
    "Bad ]]> Ltd",
    '"><img src=x onerror=alert(1)>',
]
SVG_NS = "{http://www.w3.org/2000/svg}"


def subject(ident: str, name: str, year: int = 2017, extra: str | None = None) -> badges.BadgeSubject:
    """A subject with a real assertion, optionally carrying hostile text inside its JSON."""
    doc = openbadges.assertion(SITE, ident, f"https://{ident}.example.com/", datetime.date(year, 4, 1))
    if extra is not None:
        doc["evidence"]["narrative"] = extra
    return badges.BadgeSubject(
        id=ident,
        name=name,
        year=year,
        page_url=f"{SITE}register/{ident}/",
        assertion_url=openbadges.assertion_id(SITE, ident),
        assertion_json=openbadges.to_json(doc),
    )


def path_bounds(d: str) -> Box:
    """Bounding box of every coordinate in path data (a superset of the ink)."""
    xs: list[float] = []
    ys: list[float] = []
    tokens = re.findall(r"[A-Za-z]|-?\d*\.?\d+", d)
    command = ""
    numbers: list[float] = []
    for token in [*tokens, "Z"]:
        if token.isalpha():
            flush(command, numbers, xs, ys)
            command, numbers = token, []
        else:
            numbers.append(float(token))
    return min(xs), min(ys), max(xs), max(ys)


def flush(command: str, numbers: list[float], xs: list[float], ys: list[float]) -> None:
    """Record the points of one absolute path command."""
    if command == "H":
        xs.extend(numbers)
    elif command == "V":
        ys.extend(numbers)
    elif command in "MLQCT" and command:
        xs.extend(numbers[0::2])
        ys.extend(numbers[1::2])
    else:
        assert command in ("", "Z"), f"unexpected path command {command}"


def inside(inner: Box, outer: Box) -> bool:
    """Whether inner lies within outer."""
    return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("white", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_blocks_stay_in_safe_area_and_apart(name: str, white: bool) -> None:
    layout = badges.layout(subject("acme-ltd", name), white)
    for key, box in layout.boxes.items():
        assert inside(box, badges.SAFE), (key, box)
    for (ka, a), (kb, b) in itertools.combinations(layout.boxes.items(), 2):
        assert not overlap(a, b), (ka, a, kb, b)


@pytest.mark.parametrize("name", NAMES)
def test_outline_coordinates_match_layout(name: str) -> None:
    svg = badges.badge_svg(subject("acme-ltd", name))
    layout = badges.layout(subject("acme-ltd", name))
    paths = dict(re.findall(r'<path id="(\w+)"[^>]*? d="([^"]*)"', svg))
    for key in ("name", "since", "address", "caption", "qr"):
        drawn = path_bounds(paths[key])
        assert inside(drawn, badges.SAFE), (key, drawn)
        grown = (layout.boxes[key][0] - 1, layout.boxes[key][1] - 1, layout.boxes[key][2] + 1, layout.boxes[key][3] + 1)
        assert inside(drawn, grown), (key, drawn, layout.boxes[key])
    text_keys = ["name", "since", "address", "caption", "qr"]
    for ka, kb in itertools.combinations(text_keys, 2):
        assert not overlap(path_bounds(paths[ka]), path_bounds(paths[kb])), (ka, kb)


def test_long_name_wraps_to_three_lines_at_most() -> None:
    block = textpath.fit(LONG_MIXED, textpath.bold(), 500, 150, 3, 40, 18)
    assert 1 < len(block.lines) <= 3
    joined = "".join(block.lines).replace("\u00a0", " ")
    assert joined.replace(" ", "") == textpath.normalise(LONG_MIXED).replace(" ", "")


def test_unbreakable_word_is_split_rather_than_overflowing() -> None:
    block = textpath.fit("W" * 150, textpath.bold(), 500, 150, 3, 40, 18)
    assert len(block.lines) <= 3
    assert "".join(block.lines) == "W" * 150
    for line in block.lines:
        assert textpath.line_width(line, textpath.bold()) * block.size <= 500


def test_missing_glyphs() -> None:
    assert textpath.missing_glyphs("Cwmni Tŷ Gwyn – Café & Bar’s") == set()
    assert textpath.missing_glyphs("Ŵ Ŷ ŵ ŷ é ’ & Łódź Ærø") == set()
    assert textpath.missing_glyphs("漢 Co 😀") == {"漢", "😀"}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_never_reach_svg_raw(hostile: str) -> None:
    subj = subject("bad-co", hostile, extra=hostile)
    svg = openbadges.bake_svg(badges.badge_svg(subj), subj.assertion_url, subj.assertion_json)
    assert hostile not in svg
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)
    title = root.find(f"{SVG_NS}title")
    assert title is not None and hostile in (title.text or "")
    assert root.find(f"{SVG_NS}text") is None
    baked = root[0]
    assert baked.tag == "{http://openbadges.org}assertion"
    assert json.loads(baked.text or "") == json.loads(subj.assertion_json)
    assert json.loads(baked.text or "")["evidence"]["narrative"] == hostile


def test_svg_refers_to_nothing_outside_itself() -> None:
    subj = subject("acme", "Acme")
    svg = openbadges.bake_svg(badges.badge_svg(subj), subj.assertion_url, subj.assertion_json)
    root = ET.fromstring(svg)
    for element in root.iter():
        assert element.tag not in (f"{SVG_NS}image", f"{SVG_NS}use", f"{SVG_NS}text")
        for attr, value in element.attrib.items():
            assert "href" not in attr
            if attr != "verify":
                assert "url(" not in value and "://" not in value, (attr, value)
    assert root.get("role") == "img"


@pytest.fixture(scope="module")
def two_renders(tmp_path_factory: pytest.TempPathFactory) -> tuple[badges.BadgeOutput, badges.BadgeOutput, list]:
    """The same two subjects rendered into two caches: in-process and with a pool."""
    subjects = [subject("cwmni-ty-gwyn", LONG_MIXED), subject("bad-co", HOSTILE[1], 2021, HOSTILE[1])]
    first = badges.render_badges(subjects, tmp_path_factory.mktemp("one"), workers=1)
    second = badges.render_badges(subjects, tmp_path_factory.mktemp("two"), workers=2)
    return first, second, subjects


def test_kit_is_complete(two_renders: tuple) -> None:
    first, _second, subjects = two_renders
    assert first.rendered == 2
    for subj in subjects:
        names = [name for name, _label in badges.kit_files(subj.id)]
        assert len(names) == 11
        for name in names:
            assert first.files[f"register/{subj.id}/badge/{name}"].is_file()


def test_renders_are_byte_identical(two_renders: tuple) -> None:
    first, second, _subjects = two_renders
    assert first.files.keys() == second.files.keys()
    for key, path in first.files.items():
        assert path.read_bytes() == second.files[key].read_bytes(), key


def test_png_and_svg_carry_the_assertion(two_renders: tuple) -> None:
    first, _second, subjects = two_renders
    for subj in subjects:
        for key, path in first.files.items():
            if not key.startswith(f"register/{subj.id}/"):
                continue
            if key.endswith(".png"):
                found = openbadges.read_png_assertions(path.read_bytes())
                assert len(found) == 1
                assert json.loads(found[0]) == json.loads(subj.assertion_json)
            elif key.endswith(".svg"):
                element = ET.parse(path).getroot()[0]
                assert element.get("verify") == subj.assertion_url
                assert json.loads(element.text or "") == json.loads(subj.assertion_json)


def test_pngs_have_requested_widths_and_transparency(two_renders: tuple) -> None:
    from PIL import Image

    first, _second, subjects = two_renders
    for width in badges.PNG_WIDTHS:
        path = first.files[f"register/{subjects[0].id}/badge/{subjects[0].id}-badge-{width}.png"]
        with Image.open(path) as image:
            assert image.width == width and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize("white", [False, True])
@pytest.mark.parametrize("width", badges.PNG_WIDTHS)
def test_replayed_png_matches_cairosvg_drawing_the_svg_directly(width: int, white: bool) -> None:
    """The kit draws each SVG once and replays it; the pixels must be what cairosvg would paint itself."""
    import io

    import cairosvg
    from PIL import Image, ImageChops

    svg = badges.badge_svg(subject("acme", LONG_MIXED), white)
    with Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), output_width=width))) as direct, \
            Image.open(io.BytesIO(render.png_bytes(render.draw(svg), width))) as replayed:
        assert replayed.size == direct.size and replayed.mode == direct.mode == "RGBA"
        # Compare what a reader sees on a mid-grey page: colour under a fully transparent pixel means nothing.
        page = Image.new("RGBA", direct.size, (128, 128, 128, 255))
        difference = ImageChops.difference(Image.alpha_composite(page, direct), Image.alpha_composite(page, replayed))
        histogram = difference.convert("L").histogram()
    pixels = sum(histogram)
    # Replay redraws the vectors at the target size: values may round differently by a step or two, and only
    # a few anti-aliased edge pixels may differ by more.
    assert sum(histogram[3:]) < pixels * 0.01
    assert sum(histogram[48:]) == 0


def test_pdf_keeps_vectors_and_names_the_badge(two_renders: tuple) -> None:
    first, _second, subjects = two_renders
    ident = subjects[0].id
    pdf = first.files[f"register/{ident}/badge/{ident}-badge.pdf"].read_bytes()
    assert b"/Subtype /Image" not in pdf and re.search(rb"/MediaBox \[ ?0 0 600 315 ?\]", pdf)
    title = re.search(rb"/Title \(([^)]*)\)", pdf) or re.search(rb"/Title <([0-9A-Fa-f]+)>", pdf)
    assert title, "the PDF has no document title"
    text = bytes.fromhex(title.group(1).decode()).decode("utf-16") if pdf.find(b"/Title <") >= 0 else title.group(1).decode()
    assert text.lstrip("\ufeff") == badges.badge_title(subjects[0])


def test_pdf_and_zip_are_fixed(two_renders: tuple) -> None:
    first, _second, subjects = two_renders
    ident = subjects[0].id
    pdf = first.files[f"register/{ident}/badge/{ident}-badge.pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/CreationDate \((D:)?20170101", pdf)
    with zipfile.ZipFile(first.files[f"register/{ident}/badge/{ident}-badge-kit.zip"]) as kit:
        infos = kit.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names) and "README.txt" in names and len(names) == 11
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        guide = kit.read("README.txt").decode()
        assert "not a Charter Mark" in guide and "30 mm" in guide and "120 pixels" in guide


def test_cache_renders_only_what_changed(tmp_path: Path) -> None:
    subjects = [subject("one", "One Ltd"), subject("two", "Two Ltd")]
    assert badges.render_badges(subjects, tmp_path, workers=1).rendered == 2
    assert badges.render_badges(subjects, tmp_path, workers=1).rendered == 0
    changed = [subjects[0], subject("two", "Two Limited")]
    out = badges.render_badges(changed, tmp_path, workers=1)
    assert out.rendered == 1
    assert all(path.is_file() for path in out.files.values())


def test_fingerprint_covers_every_module_that_draws() -> None:
    """A module that draws files but is missing from the fingerprint would let the cache serve stale kits."""
    package = Path(badges.__file__).parent
    drawing = {path.name for path in package.glob("*.py")
               if re.search(r"^\s*(import|from) (cairosvg|cairocffi|segno)\b", path.read_text(encoding="utf-8"), re.M)}
    assert "render.py" in drawing
    assert drawing - {"cards.py"} <= set(artwork.RENDERER_SOURCES)  # cards.py adds itself to its own fingerprint


def test_logo_files(tmp_path: Path) -> None:
    files = badges.render_logo_files(tmp_path)
    assert "logo/charter-logo.svg" in files and "logo/charter-logo-white-1200.png" in files
    assert len(files) == 10 and all(p.is_file() for p in files.values())
    master = files["logo/charter-logo.svg"].read_text(encoding="utf-8")
    assert "<text" not in master and "Shropshire Social Value Charter" in master
    assert badges.render_logo_files(tmp_path) == files
