"""Hostile text comes out escaped and inert in every format the site publishes."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import DATA, built_fixture

RECORDS = yaml.safe_load((DATA / "hostile-register.yaml").read_text(encoding="utf-8"))["signatories"]
NAMES = {r["id"]: r["name"] for r in RECORDS}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_fixture(tmp_path_factory, "hostile-register.yaml")


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_html_has_no_injected_elements_or_handlers(hostile_site: Path) -> None:
    for page in _pages(hostile_site):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in html.find_all("script"):
            if script.get("type") not in ("application/ld+json", "application/json"):
                assert "alert(" not in (script.string or ""), page
        assert not html.find_all(attrs={"onerror": True}), page
        assert not html.find_all(attrs={"onclick": True}), page
        assert not html.select('img[src="x"]'), page
        assert not [a for a in html.find_all("a", href=True) if a["href"].lower().startswith("javascript:")], page


@pytest.mark.parametrize("signatory_id", sorted(NAMES))
def test_names_show_as_the_exact_text_written(hostile_site: Path, signatory_id: str) -> None:
    html = BeautifulSoup((hostile_site / "register" / signatory_id / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    name = NAMES[signatory_id]
    assert html.title.get_text() == f"{name} - Shropshire Social Value Charter"
    assert html.select_one("h1").get_text() == name
    assert html.select_one("dl.signatory-details dd").get_text() == name
    assert html.select_one('meta[property="og:title"]')["content"] == name


def test_template_syntax_is_never_evaluated(hostile_site: Path) -> None:
    text = BeautifulSoup((hostile_site / "register/title-co/index.html").read_text(encoding="utf-8"),
                         "html.parser").get_text()
    assert "{{ 7*7 }}{% raw %}" in text
    assert "</title>]]>" in text
    statement = BeautifulSoup((hostile_site / "register/script-co/index.html").read_text(encoding="utf-8"),
                              "html.parser").select_one(".signatory-statement").get_text()
    assert statement == RECORDS[0]["statement"]


def test_markdown_in_names_stays_text(hostile_site: Path) -> None:
    html = BeautifulSoup((hostile_site / "register/index.html").read_text(encoding="utf-8"), "html.parser")
    cell = html.select_one('#register-table a[href="markdown-co/"]')
    assert cell.get_text() == NAMES["markdown-co"]
    assert not cell.find_all(["strong", "em", "code", "a"])


def test_badge_svgs_hold_no_raw_markup(hostile_site: Path) -> None:
    svgs = sorted(hostile_site.glob("register/*/badge/*.svg"))
    assert len(svgs) == 6  # three current signatories, colour and white
    for svg in svgs:
        data = svg.read_text(encoding="utf-8")
        name = NAMES[svg.parent.parent.name]
        assert "<" not in name or name not in data
        root = ET.fromstring(data)
        for element in root.iter():
            local = element.tag.rsplit("}", 1)[-1]
            assert local not in ("script", "foreignObject", "img", "image", "iframe"), svg
            for attribute, value in element.attrib.items():
                name = attribute.rsplit("}", 1)[-1]
                assert not name.lower().startswith("on"), (svg, attribute)
                if name == "href":
                    assert value.startswith("#"), (svg, value)


def test_feeds_parse_as_atom_and_keep_names_as_text(hostile_site: Path) -> None:
    for feed in ["register/feed.xml", "news/feed.xml"]:
        root = ET.parse(hostile_site / feed).getroot()
        assert root.tag == f"{ATOM}feed"
        assert root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    titles = [e.text for e in ET.parse(hostile_site / "register/feed.xml").getroot().iter(f"{ATOM}title")]
    assert f"{NAMES['title-co']} withdrew from the charter" in titles
    assert f"{NAMES['script-co']} signed the charter" in titles


def test_json_ld_cannot_close_its_script_element(hostile_site: Path) -> None:
    raw = (hostile_site / "register/script-co/index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert blocks
    for block in blocks:
        assert "<" not in block
        data = json.loads(block)
        assert data["name"] == NAMES["script-co"]


def test_csv_neutralises_formulas_and_keeps_text(hostile_site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((hostile_site / "data/signatories.csv").read_text(encoding="utf-8"))))
    by_id = {row["id"]: row for row in rows}
    assert by_id["markdown-co"]["statement"] == "'" + RECORDS[3]["statement"]
    assert by_id["script-co"]["name"] == NAMES["script-co"]
    assert by_id["img-co"]["name"] == NAMES["img-co"]


def test_json_in_a_page_writes_characters_html_forbids_as_escapes() -> None:
    """The sign-up rules name noncharacters to refuse them; the page itself may not hold them (nor C1 controls)."""
    import json

    from svcharter.pages import json_ld

    data = {"rule": "[\ufdd0-\ufdef\ufffe\uffff\U0010fffe\U0010ffff\x85]", "name": "Siân </script> & Cymru"}
    text = json_ld(data)
    assert json.loads(text) == data
    assert not any(0x7F <= ord(c) <= 0x9F or 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in text)
    assert "</script>" not in text and "Siân" in text
