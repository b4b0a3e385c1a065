"""Open Badges 2.0 documents and baking."""

from __future__ import annotations

import datetime
import io
import json
import xml.etree.ElementTree as ET

from PIL import Image

from svcharter import openbadges

SITE = "https://example.org/"


def small_png() -> bytes:
    """A tiny real PNG to bake into."""
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 89, 79, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_issuer_profile() -> None:
    doc = openbadges.issuer(SITE)
    assert doc["type"] == "Profile"
    assert doc["id"] == "https://example.org/openbadges/issuer.json"
    assert doc["name"] == "Shropshire Social Value Group"
    assert doc["url"] == SITE and "email" not in doc
    assert doc["@context"] == "https://w3id.org/openbadges/v2"


def test_badge_class() -> None:
    doc = openbadges.badge_class(SITE)
    assert doc["type"] == "BadgeClass"
    assert doc["id"] == "https://example.org/openbadges/badge-class.json"
    assert doc["issuer"] == openbadges.issuer(SITE)["id"]
    assert doc["criteria"]["id"] == "https://example.org/how-to-sign/"
    assert doc["criteria"]["narrative"]
    assert doc["image"].startswith(SITE)


def test_assertion_current() -> None:
    doc = openbadges.assertion(SITE, "acme", "https://acme.example/", datetime.date(2017, 4, 1))
    assert doc["id"] == "https://example.org/register/acme/badge/assertion.json"
    assert doc["type"] == "Assertion"
    assert doc["recipient"] == {"type": "url", "hashed": False, "identity": "https://acme.example/"}
    assert doc["badge"] == openbadges.badge_class(SITE)["id"]
    assert doc["issuedOn"] == "2017-04-01T00:00:00+00:00"
    assert doc["verification"] == {"type": "hosted"}
    assert "revoked" not in doc


def test_assertion_revoked() -> None:
    doc = openbadges.assertion(SITE, "acme", "https://example.org/register/acme/", datetime.date(2019, 1, 2), "Withdrawn")
    assert doc["revoked"] is True and doc["revocationReason"] == "Withdrawn"


def test_to_json_is_compact_sorted_and_cdata_safe() -> None:
    obj = {"b": "x ]]> y", "a": "Tŷ"}
    text = openbadges.to_json(obj)
    assert "]]>" not in text and "Tŷ" in text and " " not in text.replace("x ]]", "").replace(" y", "")
    assert text.index('"a"') < text.index('"b"')
    assert json.loads(text) == obj


def test_png_baking_round_trip_and_single_chunk() -> None:
    text = openbadges.to_json({"id": "x", "name": "Café ]]>"})
    once = openbadges.bake_png(small_png(), text)
    twice = openbadges.bake_png(once, text)
    assert openbadges.read_png_assertions(twice) == [text]
    kinds = [kind for kind, _data in openbadges.png_chunks(twice)]
    assert kinds[-1] == b"IEND" and kinds[-2] == b"iTXt" and kinds.count(b"iTXt") == 1
    with Image.open(io.BytesIO(twice)) as image:
        image.load()  # CRCs and structure are valid
        assert json.loads(image.text["openbadges"]) == json.loads(text)


def test_svg_baking_is_well_formed_even_with_cdata_terminator() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><path d="M0 0"/></svg>'
    hostile = '{"x":"]]><script>alert(1)</script>"}'
    baked = openbadges.bake_svg(svg, 'https://e.org/a.json?"x"', hostile)
    root = ET.fromstring(baked)
    element = root[0]
    assert element.tag == "{http://openbadges.org}assertion"
    assert element.get("verify") == 'https://e.org/a.json?"x"'
    assert element.text == hostile
