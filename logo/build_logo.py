"""Write the charter's master logo SVGs (colour and one-colour white).

The emblem below is drawn by hand (a ring, a sun and three contour lines for
the Shropshire hills); only the wordmark is generated, because the logo must
carry its words as outlines and outlines are best made from the real font.
Run `python logo/build_logo.py` after changing the artwork; the resulting
SVGs are committed and are the masters that badges embed.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_textpath() -> types.ModuleType:
    """Import svcharter.textpath when run as a plain script from anywhere."""
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))
    return importlib.import_module("svcharter.textpath")


TEAL = "#00594f"
WHITE = "#ffffff"
HEIGHT = 100.0

EMBLEM = """\
<circle cx="50" cy="50" r="46" fill="none" stroke="{c}" stroke-width="5"/>
<circle cx="65" cy="31" r="8.5" fill="{c}"/>
<g fill="none" stroke="{c}" stroke-width="6" stroke-linecap="round">
<path d="M19 57C29 43 43 39 53 48S73 59 83 51"/>
<path d="M19 69C31 58 45 57 57 63S75 70 86 63"/>
<path d="M28 81C38 74 50 73 60 77S70 81 74 80"/>
</g>"""

LINES = (("Shropshire", "bold"), ("Social Value", "bold"), ("Charter", "regular"))


def wordmark(colour: str, x: float) -> tuple[str, float]:
    """The three-line wordmark as one outlined path; returns markup and its right edge."""
    size, leading, top = 27.0, 31.0, 14.0
    textpath = load_textpath()
    parts: list[str] = []
    right = x
    for i, (words, weight) in enumerate(LINES):
        font = textpath.bold() if weight == "bold" else textpath.regular()
        baseline = top + font.cap_height * size + i * leading
        d, box = textpath.draw(words, font, size, x, baseline)
        parts.append(d)
        right = max(right, box[2] if box else x)
    return f'<path fill="{colour}" d="{"".join(parts)}"/>', right


def logo_svg(colour: str) -> str:
    """A complete standalone logo SVG in one colour; the group id lets badges embed it."""
    words, right = wordmark(colour, 118.0)
    width = round(right + 4)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT:g}" '
        f'width="{width * 3}" height="{HEIGHT * 3:g}" role="img">\n'
        "<title>Shropshire Social Value Charter</title>\n"
        f'<g id="charter-logo">\n{EMBLEM.format(c=colour)}\n{words}\n</g>\n</svg>\n'
    )


def main() -> None:
    """Write both masters next to this script."""
    (HERE / "charter-logo.svg").write_text(logo_svg(TEAL), encoding="utf-8")
    (HERE / "charter-logo-white.svg").write_text(logo_svg(WHITE), encoding="utf-8")


if __name__ == "__main__":
    main()
