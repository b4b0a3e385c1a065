"""End to end: what a visitor and a data reuser get from a real build."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BUILD_DATE, DATA, ROOT, build_site, run_cli, write_register

FIXTURE = yaml.safe_load((DATA / "fixture-register.yaml").read_text(encoding="utf-8"))["signatories"]
PRIVATE_VALUES = ["Private Person", "Secret Role Holder", "private.person@example.com", "01743 000000",
                  "secret-owner@example.net", "07700 900123", "Unlisted Person"]
"""Everything in tests/data/fixture-contacts.yaml, which lies beside the register when fixture_site is built."""


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_page_per_signatory(fixture_site: Path) -> None:
    pages = sorted(p.parent.name for p in (fixture_site / "register").glob("*/index.html"))
    assert pages == sorted(r["id"] for r in FIXTURE)


def test_register_lists_exactly_the_current_and_withdrawn(fixture_site: Path) -> None:
    page = soup(fixture_site, "register/index.html")
    current = [a.get_text() for a in page.select("#register-table tbody tr td:first-child a")]
    withdrawn = [a.get_text() for a in page.select("#withdrawn-table tbody tr td:first-child a")]
    expected_current = sorted((r["name"] for r in FIXTURE if "withdrawn" not in r), key=str.casefold)
    assert current == expected_current
    assert withdrawn == ["Old Works Ltd"]
    table = page.select_one("#register-table")
    assert table.caption.get_text() == "Current signatories: 4"
    assert [th.get_text() for th in table.select("thead th")] == ["Name", "Sector", "Size", "Date signed"]
    assert all(th.get("scope") == "col" for th in table.select("thead th"))


def test_signatory_page_shows_every_public_field(fixture_site: Path) -> None:
    page = soup(fixture_site, "register/acme-ltd/index.html")
    text = page.get_text(" ", strip=True)
    for expected in ["Acme Ltd", "Private sector", "Small (10 to 49 staff)", "Manufacturing, Retail", "1 March 2018",
                     "1 March 2020", "Ludlow", "https://acme.example.com", "GB-COH-01234567",
                     "We buy locally & train apprentices.", "Number of apprenticeships created"]:
        assert expected in text
    panel = page.select_one("#verification").get_text(" ", strip=True)
    assert panel == "Current signatory since 1 March 2018 (register checked on 25 November 2026)."
    links = [a["href"] for a in page.select(".section-commitments ~ ul a")]
    assert "../../measures/apprenticeships/" in links and "../../measures/jobs-created/" in links


def test_withdrawn_page_says_badges_are_invalid(fixture_site: Path) -> None:
    page = soup(fixture_site, "register/old-works/index.html")
    panel = page.select_one("#verification").get_text(" ", strip=True)
    assert panel == ("Withdrew on 1 May 2019 : The company closed its Shropshire site. — "
                     "a badge shown by this organisation is no longer valid.")
    assert not (fixture_site / "register/old-works/badge/old-works-badge.svg").exists()


def _all_bytes(site: Path) -> list[tuple[str, bytes]]:
    """Every file's bytes, plus ZIP members and decompressed PDF streams, so nothing hides."""
    found = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                found += [(f"{path}:{name}", archive.read(name)) for name in archive.namelist()]
        if path.suffix in (".pdf", ".png", ".gz"):
            for start in [m.end() for m in re.finditer(rb"stream\r?\n|IDAT", data)]:
                try:
                    found.append((f"{path}@{start}", zlib.decompressobj().decompress(data[start:])))
                except zlib.error:
                    continue
    return found


def test_private_contact_details_appear_in_no_byte(fixture_site: Path) -> None:
    contents = _all_bytes(fixture_site)
    assert len(contents) > 100
    for value in PRIVATE_VALUES:
        for encoded in {value.encode("utf-8"), value.encode("utf-16-le")}:
            leaks = [name for name, data in contents if encoded in data]
            assert not leaks, f"{value!r} leaked into {leaks}"


def test_engagement_numbers_equal_the_report(fixture_site: Path) -> None:
    """The report's two tables, copied here by hand, against the built page."""
    statements = [[5, 6, 2, 0, 1], [3, 4, 5, 1, 1], [5, 7, 2, 0, 0], [6, 3, 0, 1, 0]]
    measures = [[8, 2, 1, 0, 0], [5, 5, 1, 0, 0], [3, 5, 2, 1, 0], [4, 4, 2, 0, 1], [6, 2, 2, 1, 0],
                [6, 2, 3, 0, 0], [5, 2, 3, 1, 0], [4, 5, 2, 0, 0], [4, 3, 3, 1, 0], [6, 4, 0, 0, 0],
                [7, 2, 1, 1, 0], [7, 3, 1, 1, 0], [4, 2, 1, 2, 3], [5, 2, 3, 2, 0]]
    page = soup(fixture_site, "engagement-results/index.html")
    tables = page.select("table.survey-table")
    assert len(tables) == 2
    for table, expected in zip(tables, [statements, measures], strict=True):
        rows = [[int(td.get_text()) for td in tr.select("td")[:5]] for tr in table.select("tbody tr")]
        assert rows == expected
        totals = [int(tr.select("td")[5].get_text()) for tr in table.select("tbody tr")]
        assert totals == [sum(r) for r in expected]
    text = page.get_text(" ", strip=True)
    assert "90% of organisations would be, or would consider being, a signatory" in text
    assert len(page.select("svg.chart")) == 2


def test_measures_page_lists_adopted_and_not_adopted(fixture_site: Path) -> None:
    page = soup(fixture_site, "measures/index.html")
    adopted = page.select("h2[id] + p + ul li a")
    assert len(adopted) == 12
    not_adopted = page.select_one("#not-adopted ~ ul").get_text(" ", strip=True)
    assert "Sickness rates" in not_adopted and "Staff turnover" in not_adopted
    measure = soup(fixture_site, "measures/apprenticeships/index.html").get_text(" ", strip=True)
    assert "Acme Ltd" in measure and "Caffi Tŷ Bryn – Café & Bar’s" in measure
    assert "1 signatory reported 3 apprenticeships in 2018" in measure
    assert "2 signatories reported 6 apprenticeships in 2019" in measure


def test_home_page_counts_and_lists_newest(fixture_site: Path) -> None:
    page = soup(fixture_site, "index.html")
    assert page.select_one(".register-count").get_text(" ", strip=True).startswith(
        "4 organisations have signed the charter")
    newest = [a.get_text() for a in page.select(".newest-signatories a")]
    assert newest[0] == '=HYPERLINK("http://evil.example")'
    assert "Old Works Ltd" not in newest


def test_signatory_pages_are_not_in_the_navigation(fixture_site: Path) -> None:
    nav = soup(fixture_site, "index.html").select_one("nav.md-nav--primary").get_text(" ", strip=True)
    assert "Register of signatories" in nav
    assert "Acme Ltd" not in nav


def test_invalid_data_exits_1_and_keeps_the_last_good_output(tmp_path: Path) -> None:
    output = tmp_path / "site"
    good = build_site(DATA / "fixture-register.yaml", output, tmp_path / "cache")
    assert good.returncode == 0, good.stderr
    before = tree_digest(output)
    bad = write_register(tmp_path, "  - id: broken\n    name: Broken\n")
    result = build_site(bad, output, tmp_path / "cache")
    assert result.returncode == 1
    assert "'broken': sector: is missing" in result.stderr
    assert tree_digest(output) == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_failure_inside_mkdocs_keeps_the_last_good_output(tmp_path: Path) -> None:
    """Break a content page so MkDocs fails late in the build: the old site must survive untouched."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench"))
    output, cache = tmp_path / "site", tmp_path / "cache"
    args = ("build", "--output", str(output), "--cache-dir", str(cache), "--build-date", BUILD_DATE, "--quiet")
    first = run_cli(*args, cwd=project, script=project / "build.py")
    assert first.returncode == 0, first.stderr
    before = tree_digest(output)
    with (project / "content" / "faq.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA [broken link](no-such-page.md).\n")
    second = run_cli(*args, cwd=project, script=project / "build.py")
    assert second.returncode == 1
    assert "MkDocs could not build the site" in second.stderr
    assert "Traceback" not in second.stderr
    assert tree_digest(output) == before


def test_default_command_is_build_and_shipped_data_is_valid() -> None:
    result = run_cli("check", "--build-date", BUILD_DATE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "signatories.yaml: 6 signatories, no problems found.\n"


@pytest.mark.parametrize("page", ["index.html", "register/index.html", "register/acme-ltd/index.html",
                                  "engagement-results/index.html", "data/index.html", "statistics/index.html"])
def test_pages_request_nothing_from_another_origin(fixture_site: Path, page: str) -> None:
    html = soup(fixture_site, page)
    for tag, attribute in [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")]:
        for element in html.find_all(tag):
            value = element.get(attribute)
            if not value or (tag == "link" and element.get("rel") in (["canonical"], ["alternate"])):
                continue
            assert not re.match(r"^(https?:)?//", value) or value.startswith("https://charter.example.org/"), value


def test_a_large_register_is_split_into_pages_with_every_row_in_json(tmp_path: Path) -> None:
    result = build_site(DATA / "fixture-register.yaml", tmp_path / "site", tmp_path / "cache", "--register-page-rows", "3")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    first = soup(site, "register/index.html")
    second = soup(site, "register/page/2/index.html")
    names = [a.get_text() for page in (first, second) for a in page.select("#register-table tbody td:first-child a")]
    expected = sorted((r["name"] for r in FIXTURE if "withdrawn" not in r), key=str.casefold)
    assert names == expected
    assert [a["href"] for a in second.select("#register-table tbody td:first-child a")] == ["../../severn-care/"]
    assert first.select_one("#register-table")["data-rows-src"] == "rows.json"
    assert second.select_one("#register-table")["data-rows-src"] == "../../rows.json"
    assert second.select_one("#withdrawn-table") is None and first.select_one("#withdrawn-table") is not None
    rows = json.loads((site / "register/rows.json").read_text(encoding="utf-8"))["rows"]
    assert [row[1] for row in rows] == expected
    positions = json.loads(second.select_one('script[type="application/ld+json"]').string)
    assert [item["position"] for item in positions["itemListElement"]] == [4]


def test_a_small_register_is_one_page_without_rows_json(fixture_site: Path) -> None:
    assert not (fixture_site / "register/rows.json").exists()
    assert not (fixture_site / "register/page").exists()
    assert soup(fixture_site, "register/index.html").select_one("#register-table").get("data-rows-src") is None


def test_no_command_means_build(tmp_path: Path) -> None:
    """`python build.py` with only options builds the shipped register, exactly like `build`."""
    result = run_cli("--output", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"),
                     "--build-date", BUILD_DATE, "--quiet")
    assert result.returncode == 0, result.stderr
    pages = sorted(p.parent.name for p in (tmp_path / "site/register").glob("*/index.html"))
    shipped = yaml.safe_load((ROOT / "signatories.yaml").read_text(encoding="utf-8"))["signatories"]
    assert pages == sorted(r["id"] for r in shipped)


def test_every_html_file_has_one_policy_first_with_hashes_of_its_inline_scripts(fixture_site: Path) -> None:
    """The policy is added while MkDocs renders (pages and theme templates such as 404.html) and, for any
    other HTML file, afterwards: either way each file gets exactly one, before anything it governs."""
    import base64

    pages = sorted(fixture_site.rglob("*.html"))
    assert len(pages) > len(FIXTURE) and fixture_site / "404.html" in pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        policies = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
        assert len(policies) == 1, page
        assert html.index("Content-Security-Policy") < html.index("<script"), page
        script_src = next(d for d in policies[0].split("; ") if d.startswith("script-src "))
        for attrs, body in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S):
            if "application/" in attrs:  # data, not code
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
            assert f"'sha256-{digest}'" in script_src, page


def test_static_html_from_the_content_folder_gets_the_policy_too(tmp_path: Path) -> None:
    from svcharter import security

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    rendered = site / "index.html"
    rendered.write_text(security.add_policy('<html><head><meta charset="utf-8"></head></html>'), encoding="utf-8")
    static = site / "a" / "static.html"
    static.write_text('<html><head><meta charset="utf-8"><script>go()</script></head></html>', encoding="utf-8")
    assert security.secure_site(site, {rendered}) == 1
    assert static.read_text(encoding="utf-8").count("Content-Security-Policy") == 1
    assert security.secure_site(site) == 0  # a second pass changes nothing it has already secured
    assert rendered.read_text(encoding="utf-8").count("Content-Security-Policy") == 1


def test_policy_text_in_a_page_body_does_not_stop_the_policy() -> None:
    from svcharter import security

    page = ('<html><head><meta charset="utf-8"></head><body><pre>'
            '<meta http-equiv="Content-Security-Policy" content="x"></pre></body></html>')
    secured = security.add_policy(page)
    head = secured[:secured.index("</head>")]
    assert head.count("Content-Security-Policy") == 1 and "default-src 'self'" in head
    assert security.add_policy(secured) == secured


def test_theme_files_no_browser_asks_for_are_not_published(fixture_site: Path) -> None:
    """Source maps and the search's language files for languages other than English are left out of the site."""
    assets = fixture_site / "assets"
    assert not list(assets.rglob("*.map"))
    assert not (assets / "javascripts" / "lunr").exists()
    worker = next((assets / "javascripts" / "workers").glob("search.*.min.js")).read_text(encoding="utf-8")
    assert 'n!=="en"&&' in worker or "lunr." in worker  # the worker loads language files only for other languages
    assert list((assets / "javascripts").glob("bundle.*.min.js"))


def test_language_files_stay_when_the_search_needs_them(tmp_path: Path) -> None:
    from svcharter import renderers

    lunr = tmp_path / "assets" / "javascripts" / "lunr"
    lunr.mkdir(parents=True)
    (tmp_path / "assets" / "bundle.js.map").write_text("{}", encoding="utf-8")
    welsh_too = {"plugins": [{"search": {"lang": ["en", "cy"]}}]}
    assert renderers.unused_theme_files(tmp_path, welsh_too) == [tmp_path / "assets" / "bundle.js.map"]
    assert lunr in renderers.unused_theme_files(tmp_path, {"plugins": [{"search": {"lang": "en"}}]})
    assert lunr in renderers.unused_theme_files(tmp_path, {"plugins": ["search"]})
    assert lunr not in renderers.unused_theme_files(tmp_path, {"plugins": ["search"], "theme": {"language": "de"}})
