"""The few glyphs a badge PDF shows, embedded as a TrueType font program of their own.

Outlines written as PDF path operators take about 500 compressed bytes a
glyph, so letters were most of a badge PDF. TrueType stores the same outline
in about 100. Each PDF therefore carries, for each weight it uses, a copy of
the bundled font that keeps only its glyphs (at their original glyph ids, so
a composite accent still finds its parts), with hinting dropped: PDF viewers
scale the outlines themselves, and the hinting programs alone are 3 KB.

The PDF's text can then be selected, searched and read aloud, which outlines
never could: every glyph maps back to the character it was placed for.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from fontTools.ttLib import TTFont

from svcharter.textpath import Font


@dataclass(frozen=True)
class Source:
    """What every subset of one bundled font shares: its raw header tables, glyph ids and metrics."""

    tables: dict[str, bytes]
    glyph_ids: dict[str, int]
    glyph_count: int
    upm: int
    box: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int


@functools.lru_cache(maxsize=8)
def _parsed(font: Font) -> TTFont:
    """The font file parsed again for its tables; keyed by the Font object, which is new whenever the file changes."""
    return TTFont(str(font.path))


@functools.lru_cache(maxsize=8)
def source(font: Font) -> Source:
    """What every subset of this font shares: its raw header tables, glyph ids and the metrics PDF asks for."""
    tt = _parsed(font)
    head = tt["head"]
    return Source(
        tables={tag: tt.reader[tag] for tag in ("head", "hhea", "maxp")},
        glyph_ids={name: index for index, name in enumerate(tt.getGlyphOrder())},
        glyph_count=tt["maxp"].numGlyphs,
        upm=head.unitsPerEm,
        box=(head.xMin, head.yMin, head.xMax, head.yMax),
        ascent=tt["hhea"].ascent,
        descent=tt["hhea"].descent,
        cap_height=tt["OS/2"].sCapHeight,
    )


@functools.lru_cache(maxsize=4096)
def glyph_program(font: Font, name: str) -> tuple[bytes, int, int, tuple[str, ...]]:
    """(glyph data without hinting, padded to 4 bytes; advance; left side bearing; component names)."""
    tt = _parsed(font)
    table = tt["glyf"]
    glyph = copy.deepcopy(table[name])
    components = tuple(glyph.getComponentNames(table)) if glyph.isComposite() else ()
    glyph.removeHinting()
    data = glyph.compile(table, recalcBBoxes=False) if glyph.numberOfContours else b""
    advance, bearing = tt["hmtx"][name]
    return data + b"\0" * (-len(data) % 4), advance, bearing, components


def width(font: Font, name: str) -> int:
    """A glyph's advance in whole thousandths of an em: the PDF's /W array, by which text showing moves on.

    Whole, because PDFium reads /W as whole numbers: half units made letters drift along a line. The TJ
    adjustments are worked out from these same widths, so each glyph still lands where the SVG puts it.
    """
    return round(glyph_program(font, name)[1] * 1000 / source(font).upm)


def closure(font: Font, names: Iterable[str]) -> list[str]:
    """The glyphs named, with every component of a composite among them, in glyph-id order."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(glyph_program(font, name)[3])
    ids = source(font).glyph_ids
    return sorted(found, key=ids.__getitem__)


def subset(font: Font, names: Iterable[str]) -> bytes:
    """A TrueType font program holding only `names` (and their components), each at its own glyph id.

    Its tables are the ones a font program reached by glyph id needs in PDF (PDF 32000-1, 9.9): glyf, head,
    hhea, hmtx, loca and maxp.
    """
    info = source(font)
    kept = {info.glyph_ids[name]: glyph_program(font, name) for name in closure(font, names)}
    sizes = [0] * info.glyph_count
    hmtx = bytearray(4 * info.glyph_count)  # every glyph not kept: no advance, no bearing, no outline
    for glyph_id, (data, advance, bearing, _parts) in kept.items():
        sizes[glyph_id] = len(data)
        struct.pack_into(">Hh", hmtx, 4 * glyph_id, advance, bearing)
    glyf = b"".join(kept[glyph_id][0] for glyph_id in sorted(kept))
    loca = struct.pack(f">{info.glyph_count + 1}I", 0, *itertools.accumulate(sizes))
    head = bytearray(info.tables["head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    head[50:52] = struct.pack(">h", 1)  # indexToLocFormat: 32-bit offsets
    hhea = bytearray(info.tables["hhea"])
    hhea[34:36] = struct.pack(">H", info.glyph_count)  # numberOfHMetrics: every glyph has its own
    tables = {"glyf": glyf, "head": bytes(head), "hhea": bytes(hhea), "hmtx": bytes(hmtx), "loca": loca,
              "maxp": info.tables["maxp"]}
    program = bytearray(sfnt(tables))
    adjustment = (0xB1B0AFBA - checksum(bytes(program))) & 0xFFFFFFFF
    offset = program.find(bytes(head))
    program[offset + 8:offset + 12] = struct.pack(">I", adjustment)
    return bytes(program)


def checksum(data: bytes) -> int:
    """TrueType's table checksum: the sum of big-endian 32-bit words, modulo 2**32."""
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def sfnt(tables: dict[str, bytes]) -> bytes:
    """Tables in tag order behind the sfnt header and table directory, each on a 4-byte boundary."""
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, (count - power) * 16)
    offset = len(header) + 16 * count
    directory, body = bytearray(), bytearray()
    for tag in sorted(tables):
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode("ascii"), checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return header + bytes(directory) + bytes(body)


def subset_tag(font: Font, names: Iterable[str]) -> str:
    """Six capital letters naming this subset, as PDF asks of a subset font's name: a digest of its glyphs."""
    digest = hashlib.sha256(" ".join([font.path.name, *sorted(names)]).encode("utf-8")).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])


@functools.lru_cache(maxsize=8)
def characters(font: Font) -> dict[str, str]:
    """For each glyph name, the first character the font maps to it: what a PDF reader copies out."""
    mapped: dict[str, str] = {}
    for code in sorted(font.cmap):
        mapped.setdefault(font.cmap[code], chr(code))
    return mapped
