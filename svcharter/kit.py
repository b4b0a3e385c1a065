"""What a signatory's badge kit holds, and which of its files the browser makes.

The site publishes the two SVGs and the print PDF. The six PNGs (three
widths, two colours, each with the Open Badges assertion baked in) and the
ZIP kit are made in the visitor's browser from the published SVGs when asked
for (site_templates/assets/badge-kit.js): publishing them made each signatory
cost over a megabyte, and a national register too big for a free static
host. Every name and label is declared here; the signatory page hands them
to the script, so the two cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PNG_WIDTHS = (300, 600, 1200)
COLOURS = (("", False, "colour"), ("-white", True, "white, for dark backgrounds"))
"""(file-name suffix, white?, label) of each version of the badge."""


@dataclass(frozen=True)
class KitFile:
    """One file of a signatory's kit: its name, what the page calls it, and how it is made.

    `source` is empty for a file the site publishes; for a file made in the
    visitor's browser it names the published SVG it is drawn from (`width`
    is then the PNG's width), or "zip" for the ZIP kit.
    """

    name: str
    label: str
    source: str = ""
    width: int = 0


def kit_files(signatory_id: str) -> list[KitFile]:
    """Every file of the kit in display order: the published ones, then those the browser makes."""
    published: list[KitFile] = []
    made: list[KitFile] = []
    for suffix, _white, style in COLOURS:
        svg = f"{signatory_id}-badge{suffix}.svg"
        published.append(KitFile(svg, f"SVG, scalable, {style}"))
        made += [KitFile(f"{signatory_id}-badge{suffix}-{width}.png", f"PNG, {width} pixels wide, {style}", svg, width)
                 for width in PNG_WIDTHS]
    published.append(KitFile(f"{signatory_id}-badge.pdf", "PDF, vector for print, colour"))
    made.append(KitFile(f"{signatory_id}-badge-kit.zip", "ZIP kit: all of the above and a usage guide", "zip"))
    return published + made


def published_files(signatory_id: str) -> list[str]:
    """Names of the kit files the site publishes (the rest are made in the browser)."""
    return [file.name for file in kit_files(signatory_id) if not file.source]


def zip_members(signatory_id: str) -> list[str]:
    """Names inside the ZIP kit, in the order they are stored: every other kit file and the usage guide."""
    return sorted([file.name for file in kit_files(signatory_id) if file.source != "zip"] + [GUIDE_NAME])


GUIDE_NAME = "README.txt"
GUIDE_TEMPLATE = """Shropshire Social Value Charter - signatory badge
=================================================

This badge kit is for: {name}
Signatory since: {year}
Check it at: {url}

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
"""The usage guide in the ZIP. The site publishes it once, with its {name}, {year} and {url} left to fill in,
and the browser fills them in from the signatory's page (the name is plain text in a text file)."""


def usage_guide(name: str, year: int, url: str) -> str:
    """The guide for one signatory, exactly as the browser writes it into the ZIP."""
    values = {"name": name, "year": str(year), "url": url}
    return re.sub(r"\{(name|year|url)\}", lambda match: values[match.group(1)], GUIDE_TEMPLATE)


