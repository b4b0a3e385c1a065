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
from collections.abc import Sequence
from dataclasses import dataclass

import cairocffi
import cairosvg
import cairosvg.parser
import cairosvg.surface

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


def glyph_runs_pixels(base: Drawing, width: int, runs: Sequence[tuple]) -> tuple[int, int, bytes]:
    """A drawing with lines of text painted over it straight from the font's outlines, as raw pixels.

    Each run is (colour "#rrggbb", textpath.Font, size, x, baseline, text), in the drawing's units, placed
    exactly as textpath.draw places its paths; each is filled at once with the non-zero rule, as SVG fills.
    Returns (width, height, bytes): cairo's native 32-bit pixels (B, G, R, A on little-endian machines, alpha
    premultiplied), rows packed without padding, for a caller that encodes them itself (no PNG round trip).
    """
    from fontTools.pens.cairoPen import CairoPen

    from svcharter import textpath

    scale = width / base.width
    height = int(round(base.height * scale))
    image = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, width, height)
    _replay(base, image, scale)
    context = cairocffi.Context(image)
    context.scale(scale, scale)
    for colour, font, size, x, baseline, text in runs:
        em = size / font.upm
        for name, gx in textpath.place(text, font)[:-1]:
            context.save()
            context.translate(x + gx * em, baseline)
            context.scale(em, -em)
            font.outline(name).replay(CairoPen(None, context))
            context.restore()  # the path is kept, in device space
        context.set_source_rgb(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))
        context.fill()
    image.flush()
    stride, data = image.get_stride(), bytes(image.get_data())
    rows = b"".join(data[row * stride:row * stride + width * 4] for row in range(height))
    return width, height, rows
