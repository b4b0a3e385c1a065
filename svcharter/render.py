"""Drawing SVG with cairosvg and cairo: the only module that loads them.

Loading cairo takes a sixth to a third of a second, so this module is only
imported when something must be rendered: a rebuild that finds every badge
and card in the cache never pays for it.

cairosvg spends most of its time in Python, parsing path data; painting is
cheap. So each SVG is drawn once into a cairo recording surface and replayed
for every output (PNG widths, PDF). Replay keeps the vectors, so each output
is drawn at its own resolution.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import cairocffi
import cairosvg
import cairosvg.parser
import cairosvg.surface

from svcharter import textpath

PDF_POINTS_PER_PIXEL = 0.75  # CSS pixels are 1/96 inch, PDF points 1/72 inch, as cairosvg converts them


class _Recorder(cairosvg.surface.Surface):
    """cairosvg drawing into a cairo recording surface instead of a file."""

    device_units_per_user_units = 1

    def _create_surface(self, width: float, height: float) -> tuple:
        surface = cairocffi.RecordingSurface(cairocffi.CONTENT_COLOR_ALPHA, (0, 0, width, height))
        return surface, width, height


@dataclass
class Drawing:
    """One SVG, drawn once, ready to replay at any size."""

    recording: cairocffi.RecordingSurface
    width: float  # in CSS pixels
    height: float


def draw(svg: str) -> Drawing:
    """Parse and draw an SVG once (cairosvg's own parser, so the SVG stays the master)."""
    tree = cairosvg.parser.Tree(bytestring=svg.encode("utf-8"))
    recorder = _Recorder(tree, None, 96)
    return Drawing(recorder.cairo, recorder.width, recorder.height)


def _replay(drawing: Drawing, target: cairocffi.Surface, scale: float) -> None:
    context = cairocffi.Context(target)
    context.scale(scale, scale)
    context.set_source_surface(drawing.recording)
    context.paint()


def png_bytes(drawing: Drawing, width: int) -> bytes:
    """Transparent PNG `width` pixels wide, height rounded as cairosvg rounds it."""
    return layered_png([drawing], width)


def layered_png(layers: Sequence[Drawing], width: int) -> bytes:
    """PNG of drawings painted in order, sized by the first: parts shared by many images are drawn once."""
    scale = width / layers[0].width
    image = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, width, int(round(layers[0].height * scale)))
    for layer in layers:
        _replay(layer, image, scale)
    out = io.BytesIO()
    image.write_to_png(out)
    return out.getvalue()


def pdf_bytes(drawing: Drawing, date: str, title: str) -> bytes:
    """Vector PDF for print, dated from the badge rather than from the clock, with a document title."""
    out = io.BytesIO()
    pdf = cairocffi.PDFSurface(out, drawing.width * PDF_POINTS_PER_PIXEL, drawing.height * PDF_POINTS_PER_PIXEL)
    pdf.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, date)
    pdf.set_metadata(cairocffi.PDF_METADATA_TITLE, title)
    _replay(drawing, pdf, PDF_POINTS_PER_PIXEL)
    pdf.finish()
    return out.getvalue()


_glyph_paths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per font object: glyph name -> its outline as a cairo path in font units (with the buffer it points into)."""


def glyph_path(font: textpath.Font, name: str) -> tuple:
    """A glyph's outline as cairo path data, made once per font object rather than once per use.

    Replaying the recorded outline through fontTools' CairoPen costs a Python call per segment; appending
    ready-made path data is one C call, and cairo transforms it by the current matrix as it appends, so the
    glyph lands exactly where the pen would have put it. Kept per Font object: a font file edited in a
    long-running `serve` is loaded as a new object (textpath.load_font), so it can never be served stale.

    The path is kept as cairo's own struct and appended with the C function on the context's handle: the
    public Context.append_path re-encodes a Python list on every call (measured 41 us a glyph, against 5 us
    this way and 97 us through the pen). cairocffi's version is in the render fingerprint, and a test
    compares the pixels with the pen's.
    """
    from fontTools.pens.cairoPen import CairoPen

    paths = _glyph_paths.setdefault(font, {})
    if name not in paths:
        scratch = cairocffi.Context(cairocffi.RecordingSurface(cairocffi.CONTENT_ALPHA, None))
        font.outline(name).replay(CairoPen(None, scratch))
        paths[name] = _encode(scratch.copy_path())
    return paths[name]


def _encode(items: list[tuple[int, tuple[float, ...]]]) -> tuple:
    """Path items as cairo's own cairo_path_t, built once; the data array is kept beside the pointer to it."""
    counts = {cairocffi.PATH_MOVE_TO: 1, cairocffi.PATH_LINE_TO: 1, cairocffi.PATH_CURVE_TO: 3, cairocffi.PATH_CLOSE_PATH: 0}
    length = sum(1 + counts[kind] for kind, _points in items)
    data = cairocffi.ffi.new("cairo_path_data_t[]", length)
    at = 0
    for kind, points in items:
        data[at].header.type, data[at].header.length = kind, 1 + counts[kind]
        for i in range(counts[kind]):
            data[at + 1 + i].point.x, data[at + 1 + i].point.y = points[2 * i], points[2 * i + 1]
        at += 1 + counts[kind]
    path = cairocffi.ffi.new("cairo_path_t *", {"status": cairocffi.STATUS_SUCCESS, "data": data, "num_data": length})
    return path, data


_ground: list[tuple[Drawing, int, bytes]] = []
"""The last drawing replayed as pixels, at the width it was replayed."""


def ground_pixels(base: Drawing, width: int) -> bytes:
    """The base drawing's pixels at `width`, replayed once per drawing object and copied for each image.

    Cards share one backdrop and logo: copying its 3 MB of pixels is a tenth of the cost of replaying it. The
    drawing object itself is the key (cards draw a new one for each artwork), so nothing else can match.
    """
    if not _ground or _ground[0][0] is not base or _ground[0][1] != width:
        scale = width / base.width
        image = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, width, int(round(base.height * scale)))
        _replay(base, image, scale)
        image.flush()
        _ground[:] = [(base, width, bytes(image.get_data()))]
    return _ground[0][2]


def glyph_runs_pixels(base: Drawing, width: int, runs: Sequence[tuple],
                      units: float | None = None) -> tuple[int, int, bytes | bytearray]:
    """A drawing with lines of text painted over it straight from the font's outlines, as raw pixels.

    Each run is (colour "#rrggbb", textpath.Font, size, x, baseline, text), in the drawing's units (or on a
    grid `units` wide), placed
    exactly as textpath.draw places its paths; each is filled at once with the non-zero rule, as SVG fills.
    Returns (width, height, pixels): cairo's native 32-bit pixels (B, G, R, A on little-endian machines, alpha
    premultiplied), rows packed without padding, for a caller that encodes them itself (no PNG round trip).
    They are the buffer cairo painted into, not a copy: copying 3 MB was a tenth of a card's time.
    """
    scale = width / base.width
    height = int(round(base.height * scale))
    scale = width / (units or base.width)  # the runs may be placed on a finer grid than the base was drawn at
    stride = cairocffi.ImageSurface.format_stride_for_width(cairocffi.FORMAT_ARGB32, width)
    pixels = bytearray(ground_pixels(base, width))
    image = cairocffi.ImageSurface.create_for_data(pixels, cairocffi.FORMAT_ARGB32, width, height, stride)
    context = cairocffi.Context(image)
    context.scale(scale, scale)
    for colour, font, size, x, baseline, text in runs:
        em = size / font.upm
        for name, gx in textpath.place(text, font)[:-1]:
            context.save()
            context.translate(x + gx * em, baseline)
            context.scale(em, -em)
            cairocffi.cairo.cairo_append_path(context._pointer, glyph_path(font, name)[0])
            context.restore()  # the path is kept, in device space
        context.set_source_rgb(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))
        context.fill()
    image.finish()
    if stride == width * 4:
        return width, height, pixels
    return width, height, b"".join(pixels[row * stride:row * stride + width * 4] for row in range(height))
