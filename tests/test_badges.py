"""Badge kits: real renders checked for fit, safety, baking, repeatability and caching."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from svcharter import artwork, badges, openbadges, render, textpath
from svcharter.artwork import load_artwork
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


ARGUMENTS = {"m": 2, "l": 2, "h": 1, "v": 1, "q": 4, "t": 2, "c": 6, "z": 0}


def path_points(d: str) -> list[tuple[float, float]]:
    """Every point of path data, absolute or relative (glyph outlines are relative, in whole units)."""
    tokens = re.findall(r"[A-Za-z]|-?\d*\.?\d+", d)
    points: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    i, command = 0, ""
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "zZ":
                x, y = start_x, start_y
                continue
        lower = command.lower()
        count = ARGUMENTS[lower]
        numbers = [float(t) for t in tokens[i:i + count]]
        i += count
        base = (x, y) if command.islower() else (0.0, 0.0)
        if lower == "h":
            x = base[0] + numbers[0]
        elif lower == "v":
            y = base[1] + numbers[0]
        else:
            pairs = [(base[0] + numbers[j], base[1] + numbers[j + 1]) for j in range(0, count, 2)]
            points.extend(pairs)
            x, y = pairs[-1]
        points.append((x, y))
        if lower == "m":
            start_x, start_y = x, y
            command = "l" if command == "m" else "L"  # further pairs after a move are lines
    return points


def transformed(points: list[tuple[float, float]], transform: str, dx: float = 0.0) -> list[tuple[float, float]]:
    """Points through "translate(a b) scale(s [t])" (the only transforms the badge writes), after a shift by dx."""
    match = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\) scale\(([-\d.e]+)(?: ([-\d.e]+))?\)", transform)
    assert match, transform
    a, b, sx = float(match.group(1)), float(match.group(2)), float(match.group(3))
    sy = float(match.group(4)) if match.group(4) else sx
    return [(a + (px + dx) * sx, b + py * sy) for px, py in points]


def drawn_bounds(svg: str, key: str) -> Box:
    """The box of every point an element draws: its glyph uses expanded from <defs>, or its path through its transform."""
    root = ET.fromstring(svg)
    outlines = {path.get("id"): path.get("d") or "" for path in root.iter(f"{SVG_NS}path") if path.get("id")}
    element = next(e for e in root.iter() if e.get("id") == key)
    points: list[tuple[float, float]] = []
    if element.tag == f"{SVG_NS}path":
        points = transformed(path_points(element.get("d") or ""), element.get("transform") or "translate(0 0) scale(1)")
    for line in element.iter(f"{SVG_NS}g"):
        for use in line.findall(f"{SVG_NS}use"):
            outline = path_points(outlines[use.get("href", "").removeprefix("#")])
            points += transformed(outline, line.get("transform") or "", float(use.get("x", "0")))
    assert points, f"{key} draws nothing"
    return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)


@pytest.mark.parametrize("name", NAMES)
def test_outline_coordinates_match_layout(name: str) -> None:
    svg = badges.badge_svg(subject("acme-ltd", name))
    layout = badges.layout(subject("acme-ltd", name))
    drawn = {key: drawn_bounds(svg, key) for key in ("name", "since", "address", "caption", "qr")}
    for key, box in drawn.items():
        assert inside(box, badges.SAFE), (key, box)
        grown = (layout.boxes[key][0] - 1, layout.boxes[key][1] - 1, layout.boxes[key][2] + 1, layout.boxes[key][3] + 1)
        assert inside(box, grown), (key, box, layout.boxes[key])
    for ka, kb in itertools.combinations(drawn, 2):
        assert not overlap(drawn[ka], drawn[kb]), (ka, kb)


def test_each_glyph_is_outlined_once_and_every_use_finds_it() -> None:
    """Shared outlines: a name of repeated letters costs one outline per distinct letter, however long it is."""
    svg = badges.badge_svg(subject("acme", "Abba Abba Abba"))
    root = ET.fromstring(svg)
    defs = root.find(f"{SVG_NS}defs")
    assert defs is not None
    ids = [path.get("id") for path in defs]
    assert len(ids) == len(set(ids))
    uses = [use.get("href") for use in root.iter(f"{SVG_NS}use")]
    assert uses and {href.removeprefix("#") for href in uses} == set(ids)
    name = next(e for e in root.iter() if e.get("id") == "name")
    assert len(name.findall(f".//{SVG_NS}use")) == 12  # every letter drawn, the spaces not
    assert len({use.get("href") for use in name.iter(f"{SVG_NS}use")}) == 3  # A, b and a


def test_shared_glyphs_draw_what_whole_paths_drew() -> None:
    """The badge's words from shared outlines, and the logo's words redrawn from them, look as the paths did."""
    import io

    import cairosvg
    from PIL import Image, ImageChops

    subj = subject("acme", LONG_MIXED)
    shared = badges.badge_svg(subj)
    master = load_artwork().logo(False)
    scale = 76.0 / master.height
    logo = f'<g transform="translate(40 36) scale({scale:.6g})">{master.inner}</g>'
    parts = badges.layout(subj).parts
    words = {key: value for key, value in parts.items() if key not in ("logo",)}
    alone = shared.replace(parts["logo"], logo)
    assert alone != shared and all(value in alone for value in words.values())
    with Image.open(io.BytesIO(cairosvg.svg2png(bytestring=shared.encode(), output_width=1200))) as one, \
            Image.open(io.BytesIO(cairosvg.svg2png(bytestring=alone.encode(), output_width=1200))) as two:
        grey = Image.new("RGBA", one.size, (128, 128, 128, 255))
        histogram = ImageChops.difference(Image.alpha_composite(grey, one), Image.alpha_composite(grey, two)).convert("L").histogram()
    assert sum(histogram[48:]) == 0 and sum(histogram[3:]) < sum(histogram) * 0.01


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
    own_ids = {element.get("id") for element in root.iter() if element.get("id")}
    for element in root.iter():
        assert element.tag not in (f"{SVG_NS}image", f"{SVG_NS}text", f"{SVG_NS}script", f"{SVG_NS}foreignObject")
        for attr, value in element.attrib.items():
            if "href" in attr:  # only <use> of an outline in this file's own <defs>
                assert element.tag == f"{SVG_NS}use" and value.startswith("#") and value[1:] in own_ids, value
            elif attr != "verify":
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
    """The site publishes both SVGs and the print PDF; the browser makes the six PNGs and the ZIP of them all."""
    first, _second, subjects = two_renders
    assert first.rendered == 2
    for subj in subjects:
        ident = subj.id
        assert badges.published_files(ident) == [f"{ident}-badge.svg", f"{ident}-badge-white.svg", f"{ident}-badge.pdf"]
        for name in badges.published_files(ident):
            assert first.files[f"register/{ident}/badge/{name}"].is_file()
        made = [f for f in badges.kit_files(ident) if f.source]
        assert [(f.name, f.source, f.width) for f in made] == [
            *((f"{ident}-badge-{w}.png", f"{ident}-badge.svg", w) for w in (300, 600, 1200)),
            *((f"{ident}-badge-white-{w}.png", f"{ident}-badge-white.svg", w) for w in (300, 600, 1200)),
            (f"{ident}-badge-kit.zip", "zip", 0)]
        assert badges.zip_members(ident) == sorted([f"{ident}-badge.svg", f"{ident}-badge-white.svg",
                                                    f"{ident}-badge.pdf", "README.txt",
                                                    *(f.name for f in made if f.width)])
    assert len(first.files) == 3 * len(subjects)


def test_renders_are_byte_identical(two_renders: tuple) -> None:
    first, second, _subjects = two_renders
    assert first.files.keys() == second.files.keys()
    for key, path in first.files.items():
        assert path.read_bytes() == second.files[key].read_bytes(), key


def test_svgs_carry_the_assertion_the_browser_bakes_into_the_pngs(two_renders: tuple) -> None:
    """badge-kit.js reads the assertion from the SVG as XML: it must be exactly the text the build baked."""
    first, _second, subjects = two_renders
    for subj in subjects:
        svgs = [path for key, path in first.files.items() if key.startswith(f"register/{subj.id}/") and key.endswith(".svg")]
        assert len(svgs) == 2
        for path in svgs:
            element = ET.parse(path).getroot()[0]
            assert element.get("verify") == subj.assertion_url
            assert element.text == subj.assertion_json


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


@pytest.mark.parametrize("white", [False, True])
@pytest.mark.parametrize("name", [LONG_MIXED, "Acme", HOSTILE[1]])
def test_pdf_draws_what_the_svg_draws(name: str, white: bool) -> None:
    """svcharter/pdf.py writes the PDF from the SVG; PDFium's drawing of it must match cairo's drawing of the SVG."""
    import io

    import pypdfium2
    from PIL import Image, ImageChops, ImageStat

    from svcharter import pdf

    svg, glyphs = badges.badge_drawing(subject("acme", name), white)
    document = pypdfium2.PdfDocument(pdf.badge_pdf(svg, glyphs, "Title", "2017-01-01"))
    try:
        page = document[0]
        assert page.get_size() == (600.0, 315.0)
        printed = page.render(scale=2, fill_color=(128, 128, 128, 255)).to_pil().convert("RGBA")
    finally:
        document.close()
    with Image.open(io.BytesIO(render.png_bytes(render.draw(svg), 1200))) as drawn:
        grey = Image.alpha_composite(Image.new("RGBA", drawn.size, (128, 128, 128, 255)), drawn.convert("RGBA"))
    difference = ImageChops.difference(printed, grey).convert("L")
    histogram = difference.histogram()
    pixels = sum(histogram)
    # The letters are the embedded font's, which PDFium rasterises as text (its edges snap a little), while
    # cairo fills the SVG's outlines. Measured: mean 0.36 to 1.09 of 255, at most 0.4% of pixels off by 64. A
    # scale rounded to 0.04 instead of 0.0395 (a bug this caught) gave a mean of 7.6 and 4% of pixels off by 64.
    assert sum(level * count for level, count in enumerate(histogram)) / pixels < 1.5
    assert sum(histogram[64:]) < pixels * 0.008
    # One wrong letter hides in those totals, so look closely too: the worst 16-pixel square was 22.6 at most;
    # a bold "c" drawn as "o" gave 88.5.
    worst = max(ImageStat.Stat(difference.crop((x, y, x + 16, y + 16))).mean[0]
                for x in range(0, difference.width, 8) for y in range(0, difference.height, 8))
    assert worst < 45


def test_pdf_refuses_what_it_cannot_draw() -> None:
    from svcharter import pdf

    with pytest.raises(ValueError, match="<text> is not an element a badge uses"):
        pdf.badge_pdf('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>x</text></svg>', {}, "T", "2017")
    with pytest.raises(ValueError, match="path command 'A'"):
        pdf.badge_pdf('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0A1 1 0 0 0 5 5"/></svg>',
                      {}, "T", "2017")
    with pytest.raises(ValueError, match="'g0', which is not a glyph the badge placed"):
        pdf.badge_pdf('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><use href="#g0"/></svg>', {}, "T", "2017")


@pytest.mark.parametrize("name", [LONG_MIXED, "Ŵyn Naïve Çafé", HOSTILE[1]])
def test_pdf_text_reads_back_as_the_badge_says_it(name: str) -> None:
    """The letters are an embedded font's glyphs mapped back to characters, so the PDF's text can be copied."""
    import pypdfium2

    from svcharter import pdf

    subj = subject("acme", name)
    svg, glyphs = badges.badge_drawing(subj)
    document = pypdfium2.PdfDocument(pdf.badge_pdf(svg, glyphs, "Title", "2017-01-01"))
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    words = "".join(text.split())
    expected = textpath.normalise(subj.name).replace("\u00a0", " ")
    assert "".join(expected.split()) in words, (expected, text)
    for fixed in ("Shropshire", "Social Value", "Charter", "SIGNATORY", "Scan to check", "since 2017"):
        assert "".join(fixed.split()) in words, fixed


def test_pdf_font_program_holds_the_placed_glyphs_and_no_others() -> None:
    """Each embedded TrueType subset parses, keeps its glyph ids, and carries exactly the outlines it shows."""
    import io
    import zlib

    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    from svcharter import pdf, pdffont

    svg, glyphs = badges.badge_drawing(subject("acme", "Ŵyn Naïve Çafé"))
    document = pdf.badge_pdf(svg, glyphs, "Title", "2017-01-01")
    programs = [zlib.decompress(body) for body in re.findall(rb"/Length1 \d+/Filter/FlateDecode/Length \d+>>stream\n(.*?)\nendstream",
                                                               document, re.S)]
    fonts = sorted({font for font, _name in glyphs.values()}, key=lambda font: font.path.name)
    assert len(programs) == len(fonts) == 2
    for font in fonts:
        placed = {name for f, name in glyphs.values() if f is font}
        wanted = set(pdffont.closure(font, placed))
        if font is textpath.bold():
            assert placed < wanted, "the name's composite accents bring their parts"
        program = pdffont.subset(font, placed)
        assert program in programs
        embedded, original = TTFont(io.BytesIO(program)), TTFont(str(font.path))
        # The subset has no glyph names of its own ('post' is not embedded): glyphs are matched by id.
        order, ours_order = original.getGlyphOrder(), embedded.getGlyphOrder()
        assert len(ours_order) == len(order)
        ours_named = dict(zip(order, ours_order, strict=True))
        assert {n for n, o in ours_named.items() if embedded["glyf"][o].numberOfContours} == wanted
        for name in wanted:
            ours, theirs = DecomposingRecordingPen(embedded.getGlyphSet()), DecomposingRecordingPen(original.getGlyphSet())
            embedded.getGlyphSet()[ours_named[name]].draw(ours)
            original.getGlyphSet()[name].draw(theirs)
            assert ours.value == theirs.value, name
            assert embedded["hmtx"][ours_named[name]] == original["hmtx"][name]
        wanted = {ours_named[name] for name in wanted}
        assert all(not getattr(embedded["glyf"][name], "program", None) for name in wanted), "hinting is dropped"
        assert not {"fpgm", "prep", "cvt "} & set(embedded.keys())


def test_pdf_is_fixed_and_the_guide_is_filled_in_once(two_renders: tuple) -> None:
    first, _second, subjects = two_renders
    ident = subjects[0].id
    pdf = first.files[f"register/{ident}/badge/{ident}-badge.pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/CreationDate \((D:)?20170101", pdf)
    guide = badges.usage_guide(subject("odd", "Odd {url} Ltd", 2020))
    assert "This badge kit is for: Odd {url} Ltd\nSignatory since: 2020\nCheck it at: https://example.org/register/odd/\n" in guide
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
               if re.search(r"^\s*(import|from) (cairosvg|cairocffi|segno|fontTools|PIL)\b", path.read_text(encoding="utf-8"), re.M)}
    assert "render.py" in drawing
    assert drawing - {"cards.py"} <= set(artwork.RENDERER_SOURCES)  # cards.py adds itself to its own fingerprint


def test_logo_files(tmp_path: Path) -> None:
    files = badges.render_logo_files(tmp_path)
    assert "logo/charter-logo.svg" in files and "logo/charter-logo-white-1200.png" in files
    assert len(files) == 10 and all(p.is_file() for p in files.values())
    master = files["logo/charter-logo.svg"].read_text(encoding="utf-8")
    assert "<text" not in master and "Shropshire Social Value Charter" in master
    assert badges.render_logo_files(tmp_path) == files


@pytest.mark.parametrize("white", [False, True])
def test_qr_code_reads_back_module_for_module(white: bool) -> None:
    """Drawn, every module of the QR code is dark or light exactly as the code says, on the badge's own background."""
    import io

    from PIL import Image

    subj = subject("acme", LONG_MIXED)
    svg = badges.badge_svg(subj, white)
    modules = badges.qr_modules(subj.page_url)
    size, width = len(modules), 1200
    scale = width / badges.WIDTH
    with Image.open(io.BytesIO(render.png_bytes(render.draw(svg), width))) as drawn:
        ground = (0, 48, 43, 255) if white else (255, 255, 255, 255)  # the white badge goes on a dark page
        page = Image.alpha_composite(Image.new("RGBA", drawn.size, ground), drawn.convert("RGBA")).convert("L")
    left, top, right, _bottom = layout_box(subj, white, "qr")
    step = (right - left) / size
    read = [[page.getpixel((round((left + (x + 0.5) * step) * scale), round((top + (y + 0.5) * step) * scale))) < 128
             for x in range(size)] for y in range(size)]
    assert read == [list(row) for row in modules]
    assert any(any(row) for row in modules) and not all(all(row) for row in modules)


def layout_box(subj: badges.BadgeSubject, white: bool, key: str) -> tuple[float, float, float, float]:
    return badges.layout(subj, white).boxes[key]


def test_glyph_ids_are_short_distinct_and_clash_with_no_other_id() -> None:
    """Glyph ids are A..Z, then Aa..Zz and on: every one different, and none a name the badge uses for its parts."""
    from svcharter.glyphs import glyph_id

    ids = [glyph_id(index) for index in range(30_000)]
    assert len(set(ids)) == len(ids)
    assert ids[:2] == ["A", "B"] and ids[26] == "Aa" and max(map(len, ids[:702])) == 2
    for white in (False, True):
        svg = badges.badge_svg(subject("acme", LONG_MIXED), white)
        every = re.findall(r'\bid="([^"]+)"', svg)
        assert len(every) == len(set(every))
        outlines = {path.get("id") for path in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}path")
                    if path.get("id") and re.search(r"<defs>.*\bid=\"" + re.escape(path.get("id")) + '"', svg)}
        assert outlines and all(re.fullmatch(r"[A-Z][a-z]*", ident) for ident in outlines)
        assert not [ident for ident in every if ident not in outlines and re.fullmatch(r"[A-Z][a-z]*", ident)]


def test_pdf_widths_are_whole_so_every_viewer_places_letters_alike() -> None:
    """PDFium reads /W as whole numbers; half units there made its letters drift along a line from the SVG's."""
    from svcharter import pdf

    svg, glyphs = badges.badge_drawing(subject("acme", LONG_MIXED))
    document = pdf.badge_pdf(svg, glyphs, "Title", "2017-01-01").decode("latin-1")
    arrays = re.findall(r"/W\[(.*?)\]>>", document)
    assert len(arrays) == 2
    for array in arrays:
        assert re.fullmatch(r"(\d+\[\d+\])+", array.replace(" ", "")), array[:80]
