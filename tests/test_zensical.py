"""The same generated pages rendered by Zensical (`build --renderer zensical`).

Zensical is Material for MkDocs' successor. These tests build the fixture
register with both renderers and check what a visitor gets: the same pages,
the same text and tables in each page's content, links that all resolve,
and the Content-Security-Policy on every page although Zensical runs none of
the MkDocs plugins that add it. They also check that Zensical stays in its own
folder inside the cache, and that its failures read as the build's own errors.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BUILD_DATE, DATA, ROOT, SITE_URL, build_site, run_cli

from svcharter import renderers, security
from svcharter.config import Config
from svcharter.errors import BuildError

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
RAW_RELATIVE_LINK = re.compile(r'<(?:a|img)\b[^>]*\b(?:href|src)="(?![a-z]+:|/|#|\{)[^"]+"')


@pytest.fixture(scope="session")
def zensical_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture register built by Zensical: (site, cache folder)."""
    base = tmp_path_factory.mktemp("zensical")
    result = build_site(DATA / "fixture-register.yaml", base / "site", base / "cache", "--renderer", "zensical")
    assert result.returncode == 0, result.stderr
    return base / "site", base / "cache"


@pytest.fixture(scope="session")
def zensical_site(zensical_build: tuple[Path, Path]) -> Path:
    return zensical_build[0]


def html_pages(site: Path) -> list[str]:
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


def content(site: Path, page: str) -> tuple[str, list[list[list[str]]]]:
    """A page's main content as a reader gets it: its text, and each table as rows of cell texts."""
    article = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").select_one("article")
    assert article is not None, f"{page} has no <article>"
    tables = [[[" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
               for row in table.find_all("tr")] for table in article.find_all("table")]
    return " ".join(article.get_text(" ").split()), tables


def test_both_renderers_publish_the_same_pages(fixture_site: Path, zensical_site: Path) -> None:
    assert html_pages(zensical_site) == html_pages(fixture_site)
    assert "register/acme-ltd/index.html" in html_pages(zensical_site)


def test_every_page_has_the_same_text_and_tables(fixture_site: Path, zensical_site: Path) -> None:
    different = [page for page in html_pages(fixture_site) if content(fixture_site, page) != content(zensical_site, page)]
    assert not different, f"the main content differs between MkDocs and Zensical on {different}"
    text, tables = content(zensical_site, "engagement-results/index.html")
    assert tables and "Strongly agree" in text  # the comparison compared something


def head_facts(site: Path, page: str) -> tuple[str, list[tuple[str, str]]]:
    """A page's title and share metadata (Open Graph, Twitter, description), which charter-meta.html writes."""
    html = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    metas = [(meta.get("property") or meta.get("name"), meta.get("content")) for meta in html.find_all("meta")
             if (meta.get("property") or meta.get("name") or "").startswith(("og:", "twitter:", "description"))]
    return (html.title.string if html.title else ""), metas


def test_every_page_has_the_same_title_and_share_metadata(fixture_site: Path, zensical_site: Path) -> None:
    different = [page for page in html_pages(fixture_site) if head_facts(fixture_site, page) != head_facts(zensical_site, page)]
    assert not different, f"titles or share metadata differ between MkDocs and Zensical on {different}"
    _, metas = head_facts(zensical_site, "register/acme-ltd/index.html")
    assert ("og:url", SITE_URL + "register/acme-ltd/") in metas


def test_signatory_pages_stay_out_of_the_navigation(zensical_site: Path) -> None:
    home = BeautifulSoup((zensical_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in home.select("nav.md-nav--primary a[href]")]
    assert "./register/" in links and "./logo/" in links
    assert not [link for link in links if re.search(r"register/[a-z0-9-]+/|measures/[a-z0-9-]+/", link)]


def broken_links(site: Path) -> list[str]:
    """Every link, image, script and stylesheet on every page that points into the site at nothing."""
    broken = []
    for page in html_pages(site):
        address = urljoin(SITE_URL, page.removesuffix("index.html"))
        html = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        for element in html.find_all(["a", "img", "link", "script"]):
            value = element.get("href") or element.get("src")
            target = urlsplit(urljoin(address, value or ""))
            if not value or target.netloc != urlsplit(SITE_URL).netloc:
                continue
            path = site / unquote(target.path).lstrip("/")
            if not (path / "index.html" if target.path.endswith("/") else path).is_file():
                broken.append(f"{page}: {value}")
    return broken


@pytest.mark.parametrize("renderer", ["mkdocs", "zensical"])
def test_no_internal_link_is_broken(renderer: str, fixture_site: Path, zensical_site: Path) -> None:
    site = zensical_site if renderer == "zensical" else fixture_site
    assert not broken_links(site)
    logo = (site / "logo/index.html").read_text(encoding="utf-8")
    assert 'href="charter-logo.svg"' in logo  # resolved against /logo/, not the site root


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def test_every_zensical_page_carries_the_policy(zensical_site: Path) -> None:
    dialog_styles = security.runtime_styles(zensical_site)
    assert len(dialog_styles) == 1 and ".l{position:absolute" in dialog_styles[0]
    for page in html_pages(zensical_site):
        html = (zensical_site / page).read_text(encoding="utf-8")
        policies = POLICY.findall(html[:html.index("</head>")])
        assert len(policies) == 1, f"{page}: {len(policies)} policies in <head>"
        directives = dict(part.strip().split(" ", 1) for part in policies[0].split(";"))
        assert sha256(dialog_styles[0]) in directives["style-src"].split(), page
        for attributes, body in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S):
            if "application/" not in attributes:
                assert sha256(body) in directives["script-src"].split(), f"{page}: an inline script is not allowed"
        assert "'unsafe-inline'" not in policies[0]


def test_mkdocs_pages_allow_no_runtime_style(fixture_site: Path) -> None:
    """Material for MkDocs adds no <style> at run time, so its pages' policy is unchanged by Zensical's needs."""
    assert security.runtime_styles(fixture_site) == []


def test_what_differs_from_mkdocs_is_as_the_readme_says(fixture_site: Path, zensical_site: Path) -> None:
    assert (zensical_site / "search.json").is_file() and not (zensical_site / "search").exists()
    assert (fixture_site / "search/search_index.json").is_file()
    assert "<lastmod>" not in (zensical_site / "sitemap.xml").read_text(encoding="utf-8")
    assert not (zensical_site / "sitemap.xml.gz").exists() and (fixture_site / "sitemap.xml.gz").is_file()
    assert "<lastmod>2026-11-25</lastmod>" in (fixture_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "stylesheets/classic/main." in (zensical_site / "index.html").read_text(encoding="utf-8")


def test_zensical_keeps_to_its_own_folder_in_the_cache(zensical_build: tuple[Path, Path]) -> None:
    site, cache = zensical_build
    folder = cache / "zensical"
    settings = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert (settings["docs_dir"], settings["site_dir"], settings["site_url"]) == ("docs", "site", SITE_URL)
    assert settings["theme"]["custom_dir"] == str(ROOT / "site_templates" / "overrides")
    assert (folder / "docs/register/acme-ltd/index.md").is_file()
    assert (folder / ".cache").is_dir()  # Zensical's own cache, beside its config and nowhere else
    assert not list((folder / "site").iterdir())  # its output was moved into the published site
    assert not (cache / "docs").exists() and not (cache / ".cache").exists()


def test_generated_pages_with_relative_html_links_are_folder_indexes(fixture_site: Path) -> None:
    """Zensical resolves relative links in raw HTML against the source file, MkDocs against the page's
    address: the two agree only for pages named index.md, so every such page must be one."""
    docs = fixture_site.parent / "cache" / "docs"
    linked = [path.relative_to(docs).as_posix() for path in docs.rglob("*.md")
              if RAW_RELATIVE_LINK.search(path.read_text(encoding="utf-8"))]
    assert "measures/apprenticeships/index.md" in linked and "logo/index.md" in linked
    assert [path for path in linked if not path.endswith("index.md")] == []


def test_a_zensical_failure_is_a_build_error_and_keeps_the_last_good_output(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench"))
    output, cache = tmp_path / "site", tmp_path / "cache"
    args = ("build", "--renderer", "zensical", "--output", str(output), "--cache-dir", str(cache),
            "--build-date", BUILD_DATE, "--quiet")
    first = run_cli(*args, cwd=project, script=project / "build.py")
    assert first.returncode == 0, first.stderr
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    with (project / "content" / "faq.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA [broken link](no-such-page.md).\n")
    second = run_cli(*args, cwd=project, script=project / "build.py")
    assert second.returncode == 1
    assert re.search(r"^error: Zensical could not build the site: faq\.md:\d+:\d+: page does not exist$",
                     second.stderr, re.M), second.stderr
    assert "Traceback" not in second.stderr
    assert {path: path.read_bytes() for path in output.rglob("*") if path.is_file()} == before
    assert not (project / ".cache").exists()


def test_zensical_problem_names_the_place_or_the_error() -> None:
    log = ("Build started\n\x1b[33mWarning:\x1b[0m page does not exist\n    \x1b[38;5;246m╭─[\x1b[0m faq.md:62:12 "
           "\x1b[38;5;246m]\x1b[0m\n1 issue found\nTraceback (most recent call last):\n  File \"x\"\n"
           "RuntimeError: Aborted because --strict flag is set\n")
    assert renderers.zensical_problem(log) == "faq.md:62:12: page does not exist"
    error = "Traceback (most recent call last):\nRuntimeError: could not render include: unknown method\n"
    assert renderers.zensical_problem(error) == "could not render include: unknown method"
    assert renderers.zensical_problem("\n") == "it stopped without saying why"
    both = ("\x1b[33mWarning:\x1b[0m page does not exist\n  ╭─[ news.md:3:4 ]\n"
            "RuntimeError: could not render include: error in \"partials/toc.html\"\n")
    assert renderers.zensical_problem(both) == ('could not render include: error in "partials/toc.html"; '
                                                "news.md:3:4: page does not exist")


def test_runtime_styles_read_the_literal_the_bundle_inserts(tmp_path: Path) -> None:
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    (scripts / "bundle.1234.min.js").write_text(
        "var Xa='.a{content:\"\\\\2014\"}\\n.b{c:\\'d\\'}\\u0041',Tc=1;"
        'function f(o){o.appendChild(C("style",{},Xa.toString()))}', encoding="utf-8")
    assert security.runtime_styles(tmp_path) == ['.a{content:"\\2014"}\n.b{c:\'d\'}A']


def test_a_missing_zensical_is_a_build_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(renderers.importlib.util, "find_spec", lambda name: None)
    cfg = Config(renderer="zensical", cache_dir=tmp_path)
    with pytest.raises(BuildError, match=r'Zensical is not installed: run  python3 -m pip install -e "\.\[zensical\]"'):
        renderers.render(cfg, {}, SITE_URL, renderers.docs_dir(cfg), tmp_path / "staging")


def test_unknown_renderer_is_a_usage_error() -> None:
    result = run_cli("build", "--renderer", "hugo")
    assert result.returncode == 2
    assert "argument --renderer: invalid choice: 'hugo' (choose from 'mkdocs', 'zensical')" in result.stderr


def test_the_zensical_extra_pins_the_version_the_tests_run() -> None:
    """`pip install -e ".[zensical]"` installs what these tests checked, and tests/run.sh installs it."""
    import tomllib
    from importlib.metadata import version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["optional-dependencies"]["zensical"] == [f"zensical=={version('zensical')}"]
    assert '-e ".[test,zensical]"' in (ROOT / "tests" / "run.sh").read_text(encoding="utf-8")
