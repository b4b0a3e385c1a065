"""The white-space compactor: what readers, screen readers and scripts get stays the same, pages get smaller,
and no input makes it slow."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SITE_URL

from svcharter.compact import PRESERVED, compact

RAW_ELEMENTS = ("script", "style")
"""Elements whose text is not shown (html.parser reports it as data all the same)."""


class PageReading(HTMLParser):
    """What a page gives its readers: the shown text, every tag with its attributes in order, and the exact
    contents of each preserved element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self.hidden += tag in RAW_ELEMENTS

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("/" + tag, []))
        self.hidden -= tag in RAW_ELEMENTS

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)

    def shown_text(self) -> str:
        return " ".join("".join(self.text).split())


def read(html: str) -> PageReading:
    reading = PageReading()
    reading.feed(html)
    reading.close()
    return reading


def preserved_contents(html: str) -> list[str]:
    """The contents of every preserved element, found independently of the compactor's own patterns."""
    found = []
    for name in PRESERVED:
        found += re.findall(rf"<{name}\b[^>]*>(.*?)</{name}>", html, re.S | re.I)
    return found


@pytest.fixture(scope="session")
def theme_pages(fixture_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every page of the fixture site as the theme writes it, with nothing of ours applied: a plain `mkdocs build`
    of the very Markdown the fixture build generated (as bench/run.py measures its floor)."""
    work = tmp_path_factory.mktemp("theme-pages")
    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    settings.update(docs_dir=str(fixture_site.parent / "cache" / "docs"), site_dir=str(work / "site"),
                    site_url=SITE_URL)
    settings["theme"]["custom_dir"] = str(ROOT / settings["theme"]["custom_dir"])
    config = work / "mkdocs.yml"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], capture_output=True,
                            text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    return {page.relative_to(work / "site").as_posix(): page.read_text(encoding="utf-8")
            for page in sorted((work / "site").rglob("*.html"))}


def test_the_fixture_pages_are_the_themes_own_output(theme_pages: dict[str, str]) -> None:
    """Guards the tests below: they would prove nothing on pages without the theme's indentation."""
    assert len(theme_pages) > 10 and "register/index.html" in theme_pages
    assert all("\n      \n" in html for html in theme_pages.values())


def test_every_page_reads_the_same_compacted(theme_pages: dict[str, str]) -> None:
    """Shown text (white space normalised), every tag and every attribute value, in order, are unchanged."""
    for name, html in theme_pages.items():
        before, after = read(html), read(compact(html))
        assert after.shown_text() == before.shown_text(), name
        assert after.tags == before.tags, name


def test_preserved_contents_are_byte_identical_on_every_page(theme_pages: dict[str, str]) -> None:
    for name, html in theme_pages.items():
        assert preserved_contents(compact(html)) == preserved_contents(html), name


def test_the_published_pages_read_as_the_theme_wrote_them(fixture_site: Path, theme_pages: dict[str, str]) -> None:
    """The build really compacts, and what it publishes reads as the theme's page (apart from the added policy)."""
    for name, html in theme_pages.items():
        published = (fixture_site / name).read_text(encoding="utf-8")
        assert "\n  " not in re.sub(r"<(script|pre)\b.*?</\1>", "", published, flags=re.S), name
        assert read(published).shown_text() == read(html).shown_text(), name
        tags = [tag for tag in read(published).tags if tag[1][:1] != [("http-equiv", "Content-Security-Policy")]]
        assert tags == read(html).tags, name


def test_signatory_pages_are_at_least_a_tenth_smaller(fixture_site: Path, theme_pages: dict[str, str]) -> None:
    pages = [name for name in theme_pages if re.fullmatch(r"register/[^/]+/index\.html", name)]
    assert pages
    before = sum(len(theme_pages[name].encode("utf-8")) for name in pages)
    after = sum(len((fixture_site / name).read_bytes()) for name in pages)
    policy = sum(len(re.search(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n', (fixture_site / name)
                               .read_bytes()).group()) for name in pages)
    assert after - policy <= 0.9 * before, (before, after, policy)


@pytest.mark.parametrize("html", [
    "<pre>  two  spaces\n\n   and lines </pre>",
    "<PRE class=x>\n\t kept \n</PRE>",
    "<textarea name=t>  typed\n\n  text  </textarea>",
    "<script>if (a  <  b) {\n      go()\n}</script>",
    '<script type="application/json">{\n  "a":  1\n}</script>',
    "<style>\n  a  >  b  {  color: red  }\n</style>",
    "<p>say <code>a   =   b</code> and <kbd>Ctrl  +  C</kbd></p>",
    "<pre><code><span>  x</span>\n\n  <b> y </b></code></pre>",
    '<svg viewBox="0 0 9 9"><text x="1">two\n   words</text>\n  <text>b</text></svg>',
    "<script>never closed  \n   ",
])
def test_preserved_elements_keep_every_byte(html: str) -> None:
    page = f"<div>\n    <p>\n      before\n    </p>\n    {html}\n    </div>"
    assert preserved_contents(compact(page)) == preserved_contents(page)
    assert html in compact(page)
    assert "<div>\n<p>\nbefore\n</p>\n" in compact(page)


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>\n      one\n      two   three\n    </p>", "<p>\none\ntwo three\n</p>"),
    ("<b>a</b>   <i>b</i>", "<b>a</b> <i>b</i>"),
    ("<b>a</b>\n\n\n<i>b</i>", "<b>a</b>\n<i>b</i>"),
    ("<b>a</b><i>b</i>", "<b>a</b><i>b</i>"),
    ("<p>a\u00a0\u00a0 b</p>", "<p>a\u00a0\u00a0 b</p>"),
    ("<a title='x  >  y\n   z'  href=\"#\">\n  t\n</a>", "<a title='x  >  y\n   z'  href=\"#\">\nt\n</a>"),
    ('<img alt="a   b"\n     src="x.png">', '<img alt="a   b"\n     src="x.png">'),
    ("<!--  a  >  b\n   -->\n   <p>", "<!--  a  >  b\n   -->\n<p>"),
    ("a  <  b   and  c", "a < b and c"),
    ("<pre>x</pre>   <pre>y</pre>", "<pre>x</pre> <pre>y</pre>"),
])
def test_white_space_is_squeezed_only_between_tags_and_in_text(html: str, expected: str) -> None:
    """Never removed outright (words and inline elements stay apart), and never inside a tag or comment."""
    assert compact(html) == expected


def best_time(function: Callable[[str], object], text: str) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return min(times)


def trivial_pass(text: str) -> str:
    """One simple linear pass over the same text, to time against."""
    return re.sub(r"[ \t\n\r\f]+", " ", text)


@pytest.mark.parametrize("unit", ["<", " ", "\n ", "<a", '<a b="', "<a b='", "<!--", "<pre>", "<code", "= ",
                                  "<a\n", "<p>x  </p>  ", "</", "<a =\"", "</pre"])
def test_hostile_input_compacts_in_linear_time(unit: str) -> None:
    """Compared with a trivial pass over the same input, at 4 KB and then 1 MB: a quadratic scan takes hundreds of
    times as long as the trivial pass already at 4 KB (so it fails there, rather than hanging at 1 MB)."""
    small, large = unit * (2 ** 12 // len(unit)), unit * (2 ** 20 // len(unit))
    small_ratio = best_time(compact, small) / best_time(trivial_pass, small)
    assert small_ratio < 40, small_ratio
    large_ratio = best_time(compact, large) / best_time(trivial_pass, large)
    assert large_ratio < 40, (small_ratio, large_ratio)


def test_the_logo_icon_is_written_once_and_the_drawer_reuses_it(fixture_site: Path) -> None:
    """The header's logo SVG carries the id; the drawer's <use> points at it, inside its own named link."""
    for page in sorted(fixture_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if 'class="md-nav__button md-logo"' not in html:
            continue
        assert html.count('<svg id="__logo" ') == 1, page
        drawer = html[html.index('class="md-nav__button md-logo"'):]
        assert drawer.index('<use href="#__logo"/>') < drawer.index("</a>"), page
        assert html.index('id="__logo"') < html.index('href="#__logo"'), page
        assert html.count("M21.71 8.71") == 1, page
