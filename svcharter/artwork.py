"""The artwork every rendered file is drawn from, and the fingerprint that keys every render cache.

Both are derived from the files at each build, never remembered in the
process: `serve` runs many builds in one process, and a logo edited between
two of them must be drawn by the second, and must change the cache keys so
nothing drawn with the old logo is reused.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from svcharter import textpath
from svcharter.errors import BuildError

LOGO_DIR = Path(__file__).resolve().parent.parent / "logo"
LOGO_COLOUR = LOGO_DIR / "charter-logo.svg"
LOGO_WHITE = LOGO_DIR / "charter-logo-white.svg"


@dataclass(frozen=True)
class Logo:
    """One master logo file: its bytes (published as they are) and the artwork inside, with its viewBox size."""

    source: bytes
    inner: str
    width: float
    height: float


@dataclass(frozen=True)
class Artwork:
    """The charter logo in colour and white, read from the logo folder at each build.

    Nothing holds it between builds, so `serve` draws an edited logo at once;
    the render fingerprint is a hash of these same bytes.
    """

    colour: Logo
    white: Logo

    def logo(self, white: bool) -> Logo:
        return self.white if white else self.colour

    @functools.cached_property
    def fingerprint(self) -> str:
        """`renderer_fingerprint`, worked out once for the build that read this artwork (it takes a tenth of a second)."""
        return renderer_fingerprint(self)


def read_logo(path: Path) -> Logo:
    """A master logo SVG, which must hold its charter-logo group and a viewBox."""
    try:
        source = path.read_bytes()
        svg = source.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError(f"{path}: cannot read the logo ({error})") from None
    match = re.search(r'<g id="charter-logo">(.*)</g>\s*</svg>', svg, re.DOTALL)
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not match or not box:
        raise BuildError(f"{path}: the logo SVG lacks its <g id=\"charter-logo\"> group or its viewBox")
    return Logo(source, match.group(1), float(box.group(1)), float(box.group(2)))


def load_artwork(logo_dir: Path = LOGO_DIR) -> Artwork:
    """Read both master logos from `logo_dir` now (the configuration's logo folder)."""
    return Artwork(read_logo(logo_dir / LOGO_COLOUR.name), read_logo(logo_dir / LOGO_WHITE.name))


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


RENDERERS = ("cairosvg", "cairocffi", "segno", "fonttools", "pillow")
"""Packages whose versions are part of the fingerprint."""
RENDERER_SOURCES = ("artwork.py", "badges.py", "textpath.py", "glyphs.py", "kit.py", "pdf.py", "pdffont.py", "openbadges.py",
                    "render.py")
"""Our modules that shape a rendered file's bytes: a change to any of them renders every kit again."""
CAIRO_MISSING = ("cairo, the C library that draws the badges, cannot be loaded ({reason}). Install it and build "
                 "again: on Debian or Ubuntu `sudo apt-get install libcairo2`, on Fedora `sudo dnf install cairo`, "
                 "on macOS `brew install cairo`.")


def cairo_library_version() -> str:
    """The cairo C library's version, read without loading cairocffi (which is slow to load) where possible.

    Every build asks before it validates anything, so a missing library is one
    message saying what to install rather than a traceback from a render worker.
    """
    try:
        library = ctypes.CDLL("libcairo.so.2")
    except OSError:  # not Linux, or an unusual install: ask cairocffi
        try:
            import cairocffi
        except (OSError, ImportError) as error:
            raise BuildError(CAIRO_MISSING.format(reason=error)) from None
        return cairocffi.cairo_version_string()
    library.cairo_version_string.restype = ctypes.c_char_p
    return library.cairo_version_string().decode("ascii")


def renderer_fingerprint(art: Artwork) -> str:
    """Hash of the code, artwork, fonts and renderer versions that shape every file, computed afresh each build."""
    here = Path(__file__).resolve().parent
    inputs = [*(here / name for name in RENDERER_SOURCES), textpath.REGULAR, textpath.BOLD]
    digests = [*(file_digest(p) for p in inputs), *(hashlib.sha256(logo.source).hexdigest()
                                                   for logo in (art.colour, art.white))]
    versions = [*(metadata.version(package) for package in RENDERERS), cairo_library_version()]
    return hashlib.sha256(json.dumps([digests, versions]).encode()).hexdigest()
