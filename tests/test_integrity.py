"""The built site holds together: links resolve, badges verify, builds repeat byte for byte, search finds names."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import DATA, SITE_URL, build_site, run_cli
from test_site import tree_digest

from svcharter import kit

LINK_ATTRIBUTES = [("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src")]


def _resolve(site: Path, page: Path, target: str) -> Path | None:
    """The file an internal link points at, or None for an external one."""
    page_url = SITE_URL + page.relative_to(site).as_posix().removesuffix("index.html")
    absolute = urljoin(page_url, target)
    if not absolute.startswith(SITE_URL):
        return None
    path = unquote(urlsplit(absolute).path.removeprefix(urlsplit(SITE_URL).path))
    file = site / path
    return file / "index.html" if path == "" or path.endswith("/") else file


def test_every_link_image_and_download_resolves(fixture_site: Path) -> None:
    broken, checked = [], 0
    for page in sorted(fixture_site.rglob("*.html")):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in LINK_ATTRIBUTES:
            for element in html.find_all(tag):
                target = element.get(attribute)
                if not target or target.startswith("#"):
                    continue
                scheme = urlsplit(target).scheme
                if scheme and scheme not in ("http", "https", "mailto"):
                    broken.append((page, target, "scheme"))
                    continue
                if scheme == "mailto":
                    continue
                file = _resolve(fixture_site, page, target)
                checked += 1
                if file is not None and not file.is_file():
                    broken.append((page.relative_to(fixture_site), target))
    assert checked > 500
    assert not broken


def test_two_builds_give_identical_trees(tmp_path: Path, fixture_site: Path) -> None:
    again = tmp_path / "again"
    result = build_site(DATA / "fixture-register.yaml", again, tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert tree_digest(again) == tree_digest(fixture_site)


def test_a_second_build_renders_nothing(tmp_path: Path) -> None:
    first = build_site(DATA / "fixture-register.yaml", tmp_path / "site", tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    second = run_cli("build", "--signatories", str(DATA / "fixture-register.yaml"), "--output", str(tmp_path / "site"),
                     "--cache-dir", str(tmp_path / "cache"), "--build-date", "2026-11-25", "--site-url", SITE_URL)
    assert second.returncode == 0, second.stderr
    assert "badge kits ready (0 rendered, 4 from the cache)" in second.stderr
    assert "wrote 0 changed Markdown files" in second.stderr


def _fetch_json(site: Path, url: str) -> dict:
    assert url.startswith(SITE_URL), url
    return json.loads((site / url.removeprefix(SITE_URL)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["acme-ltd-badge.svg", "acme-ltd-badge-white.svg"])
def test_badges_carry_a_verifiable_assertion(fixture_site: Path, name: str) -> None:
    """The assertion each SVG carries (and the browser bakes into each PNG made from it) verifies against the site."""
    root = ET.parse(fixture_site / "register/acme-ltd/badge" / name).getroot()
    baked = [element.text for element in root.iter("{http://openbadges.org}assertion")]
    assert len(baked) == 1
    assertion = json.loads(baked[0])
    hosted = _fetch_json(fixture_site, assertion["id"])
    assert hosted == assertion
    assert hosted["recipient"] == {"type": "url", "hashed": False, "identity": "https://acme.example.com"}
    assert hosted["issuedOn"].startswith("2018-03-01T00:00:00")
    badge_class = _fetch_json(fixture_site, hosted["badge"])
    issuer = _fetch_json(fixture_site, badge_class["issuer"])
    assert issuer["type"] == "Profile"
    assert (fixture_site / badge_class["image"].removeprefix(SITE_URL)).is_file()
    assert "revoked" not in hosted


def test_svg_badge_carries_its_assertion_url(fixture_site: Path) -> None:
    root = ET.parse(fixture_site / "register/bryn-cafe/badge/bryn-cafe-badge.svg").getroot()
    element = root.find("{http://openbadges.org}assertion")
    assert element is not None
    assertion = json.loads(element.text)
    assert element.get("verify") == assertion["id"] == f"{SITE_URL}register/bryn-cafe/badge/assertion.json"
    assert assertion["recipient"]["identity"] == f"{SITE_URL}register/bryn-cafe/"
    assert _fetch_json(fixture_site, assertion["id"]) == assertion


def test_withdrawn_signatory_has_a_revoked_assertion_and_no_kit(fixture_site: Path) -> None:
    assertion = _fetch_json(fixture_site, f"{SITE_URL}register/old-works/badge/assertion.json")
    assert assertion["revoked"] is True
    assert assertion["revocationReason"] == ("Withdrew from the charter on 2019-05-01: "
                                             "The company closed its Shropshire site.")
    assert sorted(p.name for p in (fixture_site / "register/old-works/badge").iterdir()) == ["assertion.json"]


def test_signatory_page_lists_each_download_with_its_size(fixture_site: Path) -> None:
    html = BeautifulSoup((fixture_site / "register/acme-ltd/index.html").read_text(encoding="utf-8"), "html.parser")
    links = html.select("ul.badge-downloads li a")
    assert [a["href"] for a in links] == [f"badge/{name}" for name in kit.published_files("acme-ltd")]
    for link in links:
        size = (fixture_site / "register/acme-ltd" / link["href"]).stat().st_size
        assert link.parent.get_text().endswith(f"({max(1, round(size / 1024))} KB)")
    maker = html.select_one("[data-badge-kit]")
    assert maker.has_attr("hidden")  # shown only where the script runs (tests/test_badge_browser.py)
    made = [f for f in kit.kit_files("acme-ltd") if f.source]
    assert [(b["data-make"], b["data-source"], int(b["data-width"]), b.get_text()) for b in maker.select("button")] == [
        (f.name, f.source, f.width, f.label) for f in made]
    assert maker["data-zip-members"].split(" ") == kit.zip_members("acme-ltd")
    assert (fixture_site / "register/acme-ltd" / maker["data-guide"]).read_text(encoding="utf-8") == kit.GUIDE_TEMPLATE
    image = html.select_one("img.badge-preview")
    assert image["alt"] == "Shropshire Social Value Charter signatory badge for Acme Ltd, since 2018"


def test_site_search_finds_a_signatory_by_name(fixture_site: Path) -> None:
    index = json.loads((fixture_site / "search/search_index.json").read_text(encoding="utf-8"))
    titles = {doc["location"]: doc["title"] for doc in index["docs"]}
    assert titles["register/bryn-cafe/"] == "Caffi Tŷ Bryn – Café &amp; Bar’s" or \
        titles["register/bryn-cafe/"] == "Caffi Tŷ Bryn – Café & Bar’s"


def test_check_rejects_a_name_the_font_cannot_draw(tmp_path: Path) -> None:
    register = tmp_path / "signatories.yaml"
    register.write_text("signatories:\n  - id: kanji\n    name: 漢字 Ltd\n    sector: other\n    size: micro\n"
                        "    signed: 2020-01-01\n", encoding="utf-8")
    result = run_cli("check", "--signatories", "signatories.yaml", "--build-date", "2026-11-25", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "signatories.yaml:3:11: 'kanji': name: holds characters the charter's font cannot draw: "
        "'字' (U+5B57), '漢' (U+6F22)")


def test_dates_come_from_the_data_and_build_date(fixture_site: Path) -> None:
    sitemap = (fixture_site / "sitemap.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)) == {"2026-11-25"}


def test_search_index_stays_small_per_signatory(fixture_site: Path) -> None:
    """Each signatory adds one short entry (name and status); lists of names elsewhere stay out of the index."""
    index = json.loads((fixture_site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = [doc for doc in index["docs"] if re.fullmatch(r"register/[a-z0-9-]+/(#.*)?", doc["location"])]
    assert len(entries) == 5
    assert all(len(json.dumps(doc, ensure_ascii=False)) <= 300 for doc in entries)
    measure_text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("measures/"))
    assert "Acme Ltd" not in measure_text
    register_text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("register/#")
                             or doc["location"] == "register/")
    assert "Severn Care Trust" not in register_text
