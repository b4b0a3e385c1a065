"""Open Badges 2.0 documents for hosted verification, and baking them into images.

Each current signatory gets an Assertion hosted on the site; anyone (or any
badge backpack) holding the badge image can read the baked assertion, fetch
its hosted copy and see whether it is still valid or has been revoked. The
functions here are pure: they build dicts and bytes, the build writes files.
"""

from __future__ import annotations

import datetime
import json
import struct
import zlib
from xml.sax.saxutils import quoteattr

CONTEXT = "https://w3id.org/openbadges/v2"
ISSUER_NAME = "Shropshire Social Value Group"
BADGE_NAME = "Shropshire Social Value Charter signatory"
LOGO_PATH = "logo/charter-logo-600.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB_XMLNS = "http://openbadges.org"


def issuer_id(site_url: str) -> str:
    """URL of the hosted issuer profile."""
    return f"{site_url}openbadges/issuer.json"


def badge_class_id(site_url: str) -> str:
    """URL of the single hosted BadgeClass."""
    return f"{site_url}openbadges/badge-class.json"


def assertion_id(site_url: str, signatory_id: str) -> str:
    """URL of one signatory's hosted assertion, next to its badge kit."""
    return f"{site_url}register/{signatory_id}/badge/assertion.json"


def issuer(site_url: str) -> dict:
    """The issuer Profile; no email because none has been published."""
    return {
        "@context": CONTEXT,
        "type": "Profile",
        "id": issuer_id(site_url),
        "name": ISSUER_NAME,
        "url": site_url,
    }


def badge_class(site_url: str) -> dict:
    """The one BadgeClass every signatory's assertion points at."""
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_id(site_url),
        "name": BADGE_NAME,
        "description": (
            "The holder has signed the Shropshire Social Value Charter and is a "
            "current signatory. This is not a Charter Mark, award or endorsement."
        ),
        "image": f"{site_url}{LOGO_PATH}",
        "criteria": {
            "id": f"{site_url}how-to-sign/",
            "narrative": (
                "The organisation has signed the Shropshire Social Value Charter, "
                "committing to its principles, and appears as a current signatory "
                "in the public register."
            ),
        },
        "issuer": issuer_id(site_url),
    }


def issued_on(signed: datetime.date) -> str:
    """Midnight UTC on the signing date, the ISO 8601 datetime Open Badges requires."""
    moment = datetime.datetime(signed.year, signed.month, signed.day, tzinfo=datetime.UTC)
    return moment.isoformat()


def assertion(
    site_url: str,
    signatory_id: str,
    recipient_url: str,
    signed: datetime.date,
    revoked_reason: str | None = None,
) -> dict:
    """One signatory's hosted Assertion; revoked (with a reason) once it is no longer current."""
    page = f"{site_url}register/{signatory_id}/"
    doc: dict = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id(site_url, signatory_id),
        "recipient": {"type": "url", "hashed": False, "identity": recipient_url},
        "badge": badge_class_id(site_url),
        "issuedOn": issued_on(signed),
        "verification": {"type": "hosted"},
        "evidence": {
            "id": page,
            "narrative": "The public register entry for this signatory.",
        },
    }
    if revoked_reason is not None:
        doc["revoked"] = True
        doc["revocationReason"] = revoked_reason
    return doc


def to_json(obj: dict) -> str:
    """Compact, sorted JSON that is inert inside XML, CDATA and HTML.

    "]]>" would end a CDATA section early, and a hostile name should never
    appear raw in a file. JSON may escape any character inside a string, so
    <, > and & become \\u003c, \\u003e and \\u0026: the same value, and
    these characters cannot occur outside strings.
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC over type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking the structure as it goes."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        chunks.append((kind, png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def bake_png(png: bytes, assertion_json: str) -> bytes:
    """Insert one uncompressed iTXt 'openbadges' chunk just before IEND.

    Any existing openbadges chunk is dropped first so a PNG never carries two.
    """
    text = b"openbadges\x00\x00\x00\x00\x00" + assertion_json.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in png_chunks(png):
        if kind == b"iTXt" and data.startswith(b"openbadges\x00"):
            continue
        if kind == b"IEND":
            out.append(png_chunk(b"iTXt", text))
        out.append(png_chunk(kind, data))
    return b"".join(out)


def read_png_assertions(png: bytes) -> list[str]:
    """Texts of every iTXt 'openbadges' chunk, for verification and tests."""
    found: list[str] = []
    for kind, data in png_chunks(png):
        if kind == b"iTXt" and data.startswith(b"openbadges\x00"):
            rest = data[len(b"openbadges\x00") :]
            # compression flag, method, then empty language tag and translated keyword
            _flag, _method, tail = rest[0], rest[1], rest[2:]
            _lang, _translated, text = tail.split(b"\x00", 2)
            found.append(text.decode("utf-8"))
    return found


def bake_svg(svg: str, assertion_url: str, assertion_json: str) -> str:
    """Add the openbadges namespace and the assertion as the root's first child."""
    safe = assertion_json.replace("]]>", "]]]]><![CDATA[>")
    element = f"<openbadges:assertion verify={quoteattr(assertion_url)}><![CDATA[{safe}]]></openbadges:assertion>"
    head, sep, rest = svg.partition("<svg ")
    end = rest.index(">") + 1
    opening = rest[:end]
    if "xmlns:openbadges" not in opening:
        opening = f'xmlns:openbadges="{OB_XMLNS}" ' + opening
    return f"{head}{sep}{opening}{element}{rest[end:]}"
