"""The built site in a real browser: register filter, keyboard use, reflow, axe-core, downloads.

One fixture site (tests/data/browser-register.yaml) is built once per
session and served from 127.0.0.1; one headless Chromium context is shared
by every test. Each page a test opens is watched: a console error, an
uncaught exception, a dialog (a hostile name running as script) or a
request to anywhere but the local server fails the test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    FOCUS_STYLE_JS,
    KNOWN_THEME_404S,
    PageLog,
    Site,
    build_site,
    chromium_context,
    describe_violations,
    file_kind,
    focus_is_visible,
    make_big_register,
    require_browser,
    run_axe,
    served_site,
    tab_to,
)

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "data" / "browser-register.yaml"
CURRENT_COUNT = 28  # 30 records in the fixture, 2 of them withdrawn
HOSTILE_NAME = '<script>alert(1)</script> & "Co" </title>'
FULL_RECORD = "severn-valley-housing"
WITHDRAWN = "market-drayton-motors"
VISIBLE_ROWS = "#register-table tbody tr:not([hidden])"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Build the fixture register once, for the address of a server bound beforehand."""
    require_browser()

    def build(root: Path, origin: str) -> None:
        build_site(FIXTURE, root, work / "cache", origin)
        # The same register split into pages of 8 rows, as a 10,000-signatory register is split into pages of 1,000.
        build_site(FIXTURE, root / "paged", work / "cache", origin + "paged/", "--register-page-rows", "8")
        make_big_register(root)

    work = tmp_path_factory.mktemp("browser-site")
    with served_site(work, build) as served:
        yield served


@pytest.fixture(scope="session")
def context(tmp_path_factory: pytest.TempPathFactory, site: Site, playwright_driver: Any) -> Iterator[Any]:
    """One Chromium for the whole session, in a fresh profile, reused by every test."""
    with chromium_context(playwright_driver, tmp_path_factory.mktemp("chromium-profile")) as browser_context:
        yield browser_context


@dataclass
class Browser:
    """A page plus what it logged; `open` visits a site path and waits for it to settle."""

    page: Any
    log: PageLog
    site: Site

    def open(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.site.url(path), wait_until="load")
        assert response is not None and response.status == status, f"{path}: HTTP {response and response.status}"
        return response


@pytest.fixture
def browser(context: Any, site: Site) -> Iterator[Browser]:
    """A new tab for one test; afterwards, fail on console errors, dialogs or requests off the site."""
    page = context.new_page()
    log = PageLog(site.origin)
    log.attach(page)
    try:
        yield Browser(page, log, site)
        problems = log.problems()
        assert not problems, "\n".join(problems)
    finally:
        page.close()


def visible_names(page: Any) -> list[str]:
    return page.locator(VISIBLE_ROWS + " td:first-child a").all_inner_texts()


def count_text(page: Any) -> str:
    return page.locator("#register-count").inner_text().strip()


# ---------------------------------------------------------------- every page


def test_feed_links_cause_no_missing_sitemap_requests(browser: Browser) -> None:
    """The theme treats every <link rel="alternate"> as a language version and fetches a sitemap beside it."""
    browser.open("")
    browser.page.wait_for_load_state("networkidle")
    assert not browser.log.known_404s, f"missing files requested on every page: {sorted(KNOWN_THEME_404S)}"


# ---------------------------------------------------------------- register filter


def test_register_without_javascript_shows_whole_table(browser: Browser) -> None:
    """With register.js unavailable the tools stay hidden and every current signatory is listed."""
    browser.page.route("**/assets/register.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body="/* script blocked by the test */"))
    browser.open("register/")
    assert browser.page.locator("#register-tools").is_hidden()
    assert browser.page.locator(VISIBLE_ROWS).count() == CURRENT_COUNT
    assert browser.page.locator("#register-table").is_visible()


def test_typing_narrows_rows_and_updates_count(browser: Browser) -> None:
    page = browser.page
    browser.open("register/")
    assert page.locator("#register-tools").is_visible()
    live = page.locator("#register-count")
    assert live.get_attribute("aria-live") == "polite"
    assert count_text(page) == f"{CURRENT_COUNT} of {CURRENT_COUNT} signatories"

    page.get_by_label("Search by name").fill("valley")
    names = visible_names(page)
    assert names and all("valley" in name.lower() for name in names)
    assert count_text(page) == f"{len(names)} of {CURRENT_COUNT} signatories"
    assert parse_qs(urlsplit(page.url).query) == {"name": ["valley"]}

    page.get_by_label("Search by name").fill("CAFE")  # case- and accent-insensitive
    assert visible_names(page) == ["Ludlow Café Cooperative"]
    page.get_by_label("Search by name").fill("eglise")
    assert visible_names(page) == ["Église Street Studio"]

    page.get_by_label("Search by name").fill("no organisation is called this")
    assert page.locator(VISIBLE_ROWS).count() == 0
    assert count_text(page) == f"0 of {CURRENT_COUNT} signatories"
    assert page.locator("#register-empty").is_visible()

    page.get_by_role("button", name="Clear filters").click()
    # A function, not an expression: the site's CSP forbids the eval Playwright would use for a bare string.
    page.wait_for_function(f"() => document.querySelectorAll('{VISIBLE_ROWS}').length === {CURRENT_COUNT}")
    assert urlsplit(page.url).query == ""
    assert page.locator("#register-empty").is_hidden()


def test_selects_filter_by_every_field(browser: Browser) -> None:
    page = browser.page
    browser.open("register/")
    checks = {"Sector": ("public", "r.dataset.sector"), "Size": ("micro", "r.dataset.size"),
              "Year signed": ("2019", "r.dataset.signed.slice(0, 4)"), "Founding members": ("yes", "r.dataset.founding")}
    for label, (value, read) in checks.items():
        page.get_by_label(label).select_option(value)
        rows = page.locator(VISIBLE_ROWS)
        assert rows.count() > 0, f"{label}={value} hid every row"
        assert set(rows.evaluate_all(f"rows => rows.map(r => {read})")) == {value}
        assert count_text(page) == f"{rows.count()} of {CURRENT_COUNT} signatories"
        page.get_by_label(label).select_option("")
    assert page.locator(VISIBLE_ROWS).count() == CURRENT_COUNT

    page.get_by_label("Area of activity").select_option("social-care")
    activities = page.locator(VISIBLE_ROWS).evaluate_all("rows => rows.map(r => r.dataset.activities.split(' '))")
    assert activities and all("social-care" in listed for listed in activities)
    assert page.locator("#register-founding option").all_inner_texts()[1] == "Founding members only"
    founding = page.locator("#register-table tbody tr[data-founding='yes']").count()
    assert founding == 2


def test_paged_register_filters_every_page(browser: Browser) -> None:
    """Without JavaScript a page shows its own rows; with it, the filter covers the whole register."""
    browser.open("paged/register/page/3/")
    page = browser.page
    page.wait_for_function("() => /^28 of 28/.test(document.getElementById('register-count').textContent)")
    assert len(visible_names(page)) == 28
    page.fill("#register-q", "valley")
    page.wait_for_function("() => !/^28 of/.test(document.getElementById('register-count').textContent)")
    names = visible_names(page)
    assert names and all("valley" in name.lower() for name in names)
    href = page.locator(VISIBLE_ROWS + " td:first-child a").first.get_attribute("href")
    assert href.startswith("../../")
    page.locator(VISIBLE_ROWS + " td:first-child a").first.click()
    page.wait_for_load_state("load")
    assert "/paged/register/" in page.url and page.locator("#verification").count() == 1


def test_sorting_by_date_and_name(browser: Browser) -> None:
    page = browser.page
    browser.open("register/")
    name_header = page.locator("#register-table th[data-sort='name']")
    date_header = page.locator("#register-table th[data-sort='signed']")
    names = visible_names(page)
    assert names == sorted(names, key=str.casefold)
    assert name_header.get_attribute("aria-sort") == "ascending"

    page.get_by_label("Sort by").select_option("newest")
    dates = page.locator(VISIBLE_ROWS).evaluate_all("rows => rows.map(r => r.dataset.signed)")
    assert dates == sorted(dates, reverse=True)
    assert date_header.get_attribute("aria-sort") == "descending"
    assert name_header.get_attribute("aria-sort") is None

    page.get_by_label("Sort by").select_option("oldest")
    dates = page.locator(VISIBLE_ROWS).evaluate_all("rows => rows.map(r => r.dataset.signed)")
    assert dates == sorted(dates)
    assert date_header.get_attribute("aria-sort") == "ascending"

    page.get_by_label("Sort by").select_option("name")
    assert visible_names(page) == names


def test_filtered_address_restores_the_view(browser: Browser) -> None:
    page = browser.page
    browser.open("register/?name=valley&sector=voluntary&sort=newest")
    assert page.get_by_label("Search by name").input_value() == "valley"
    assert page.get_by_label("Sector").input_value() == "voluntary"
    assert page.get_by_label("Sort by").input_value() == "newest"
    names = visible_names(page)
    assert names == ["Clun Valley Crafts"]
    assert count_text(page) == f"1 of {CURRENT_COUNT} signatories"

    # Unknown values in a shared address are ignored rather than hiding every row.
    browser.open("register/?sector=not-a-sector&year=1066&sort=sideways")
    assert page.get_by_label("Sector").input_value() == ""
    assert page.locator(VISIBLE_ROWS).count() == CURRENT_COUNT


def test_hostile_name_is_shown_as_text(browser: Browser) -> None:
    page = browser.page
    browser.open("register/")
    page.get_by_label("Search by name").fill("<script>")
    assert visible_names(page) == [HOSTILE_NAME]
    page.locator(VISIBLE_ROWS + " a").first.click()
    page.wait_for_url("**/register/hostile-name/")
    assert HOSTILE_NAME in page.title()
    assert page.locator("h1").inner_text() == HOSTILE_NAME
    assert not browser.log.dialogs


def test_filter_is_quick_with_10000_rows(browser: Browser) -> None:
    """From a keystroke to an updated table (style and layout done) in under 100 ms at 10,000 rows."""
    page = browser.page
    browser.open("register-big/")
    assert count_text(page) == "10000 of 10000 signatories"
    timings = []
    for text in ("v", "va", "val", "valley", "", "n0999"):
        timings.append(page.evaluate("""text => {
            const box = document.getElementById('register-q');
            const started = performance.now();
            box.value = text;
            box.dispatchEvent(new InputEvent('input', {bubbles: true}));
            void document.getElementById('register-table').offsetHeight;  // force style and layout
            return performance.now() - started;
        }""", text))
    assert count_text(page) == "10 of 10000 signatories"
    worst = max(timings)
    print(f"10,000-row filter: worst {worst:.1f} ms, all {[round(t, 1) for t in timings]}")
    assert worst < 100, f"filtering 10,000 rows took {worst:.0f} ms"

    # Many matches: the first 100 are shown at once, the rest behind a button that says how many.
    page.get_by_label("Search by name").fill("")
    page.get_by_label("Sector").select_option("voluntary")
    matching = page.locator("#register-table tbody tr[data-sector='voluntary']").count()
    assert count_text(page) == f"{matching} of 10000 signatories"
    assert page.locator(VISIBLE_ROWS).count() == 100
    show_all = page.get_by_role("button", name=f"Show all {matching:,}")
    show_all.click()
    assert page.locator(VISIBLE_ROWS).count() == matching
    assert page.locator("#register-more").is_hidden()
    focused_row = page.evaluate("() => [...document.querySelectorAll('#register-table tbody tr:not([hidden])')]"
                                ".indexOf(document.activeElement.closest('tr'))")
    assert focused_row == 100, "focus should move to the first row the button revealed"


# ---------------------------------------------------------------- keyboard


def test_register_works_with_keyboard_alone(browser: Browser) -> None:
    page = browser.page
    browser.open("register/")
    tab_to(page, "el.id === 'register-q'")
    page.keyboard.type("valley")
    assert count_text(page) == f"{len(visible_names(page))} of {CURRENT_COUNT} signatories"
    page.keyboard.press("Backspace")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")

    tab_to(page, "el.id === 'register-sector'")
    before = page.locator(VISIBLE_ROWS).count()
    page.keyboard.press("ArrowDown")  # a closed select changes value with the arrow keys
    chosen = page.get_by_label("Sector").input_value()
    assert chosen == "private"
    rows = page.locator(VISIBLE_ROWS)
    assert 0 < rows.count() < before
    assert parse_qs(urlsplit(page.url).query) == {"sector": ["private"]}

    tab_to(page, "el.closest('#register-table tbody') && el.tagName === 'A'")
    target = page.evaluate("() => document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(target)
    assert page.locator("#verification").is_visible()


def test_focus_stays_visible_where_the_menu_is_a_drawer(browser: Browser) -> None:
    """At tablet width the closed navigation drawer must not take focus off-screen, and Space opens it."""
    page = browser.page
    page.set_viewport_size({"width": 1000, "height": 800})
    browser.open("register/")
    tab_to(page, "el.id === 'register-q'", limit=12)
    browser.open("register/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "__drawer"
    page.keyboard.press("Space")
    assert page.evaluate("() => document.getElementById('__drawer').checked")
    # The drawer slides in over 250 ms; Tab before it arrives would find its first link still off-screen.
    page.wait_for_function("() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0")
    stops = tab_to(page, "el.classList.contains('md-nav__link') && el.textContent.trim() === 'The charter'", limit=12)
    assert stops[-1]["onScreen"]
    page.keyboard.press("Enter")
    page.wait_for_url(browser.site.url("charter/"))


def test_site_search_works_under_the_content_security_policy(browser: Browser) -> None:
    """The theme's search (a worker and a fetched index) still finds a signatory, and Tab reaches the results."""
    page = browser.page
    browser.open("register/")
    page.get_by_role("textbox", name="Search", exact=True).click()
    page.keyboard.type("valley")
    page.locator(".md-search-result__item").first.wait_for()
    # Wait for the result count: the list is re-rendered until the search settles, which would drop focus.
    page.wait_for_function("() => /matching/.test(document.querySelector('.md-search-result__meta').textContent)")
    page.keyboard.press("ArrowDown")  # the theme moves through results with the arrow keys
    page.wait_for_function("() => !!document.activeElement.closest('.md-search-result__item')")
    focused = page.evaluate(FOCUS_STYLE_JS)
    assert focus_is_visible(focused), focused
    assert page.evaluate("() => !!document.activeElement.closest('.md-search-result__item')")
    page.keyboard.press("Tab")  # Tab leaves the search; focus must land somewhere visible
    assert focus_is_visible(page.evaluate(FOCUS_STYLE_JS))


def badge_links(page: Any) -> list[str]:
    return page.locator("ul.badge-downloads a").evaluate_all("links => links.map(a => a.href)")


def test_badge_downloads_work_by_keyboard_and_are_valid_files(browser: Browser, context: Any) -> None:
    page = browser.page
    browser.open(f"register/{FULL_RECORD}/")
    links = badge_links(page)
    assert links, "a current signatory's page has no ul.badge-downloads links"

    tab_to(page, "el.closest('ul.badge-downloads') && el.tagName === 'A'")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    assert download_info.value.failure() is None

    kinds = set()
    for href in links:
        assert href.startswith(browser.site.origin), href
        response = context.request.get(href)
        assert response.ok, f"{href}: HTTP {response.status}"
        data = response.body()
        kind = file_kind(data)
        assert kind, f"{href} is not a PNG, PDF, ZIP or SVG file (starts {data[:16]!r})"
        if kind == "svg":
            ET.fromstring(data)  # raises if the SVG is not well-formed XML
        kinds.add(kind)
    assert kinds, "no badge file downloaded"


# ---------------------------------------------------------------- reflow at 320 px

REFLOW_PAGES = ["register/", f"register/{FULL_RECORD}/", "register/hostile-name/", f"register/{WITHDRAWN}/",
                "engagement-results/", "statistics/", "data/"]


def test_pages_reflow_at_320_px(browser: Browser) -> None:
    """No horizontal page scrolling at 320 CSS px (WCAG 1.4.10), and axe-core is still clean at that width
    (narrow layouts are where scrolling boxes that keyboards cannot reach appear)."""
    page = browser.page
    page.set_viewport_size({"width": 320, "height": 720})
    too_wide = {}
    problems = []
    for path in REFLOW_PAGES:
        browser.open(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 321)
                .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")
        violations = run_axe(page)
        if violations:
            problems.append(f"/{path} at 320 px:\n{describe_violations(violations)}")
    assert not too_wide, f"pages wider than 320 px: {too_wide}"
    assert not problems, "axe-core found problems:\n" + "\n".join(problems)


# ---------------------------------------------------------------- axe-core

AXE_PAGES = [
    "",
    "charter/",
    "measures/",
    "measures/apprenticeships/",
    "engagement-results/",
    "register/",
    "register/?name=valley",
    f"register/{FULL_RECORD}/",
    f"register/{WITHDRAWN}/",
    "statistics/",
    "data/",
    "news/",
    "news/posts/launch/",
    "accessibility/",
]


@pytest.mark.parametrize("path", AXE_PAGES, ids=lambda path: "/" + path)
def test_axe_finds_no_wcag_violations(browser: Browser, path: str) -> None:
    browser.open(path)
    violations = run_axe(browser.page)
    assert not violations, f"axe-core found problems on /{path}:\n{describe_violations(violations)}"


def test_404_page_is_helpful_and_accessible(browser: Browser) -> None:
    page = browser.page
    browser.log.expected_missing.add(browser.site.url("no-such-page/"))
    browser.open("no-such-page/", status=404)
    assert page.locator("h1").inner_text() == "Page not found"
    page.get_by_role("link", name="search the register of signatories").wait_for()
    assert page.get_by_role("link", name="search the register of signatories").get_attribute("href") == browser.site.url(
        "register/")
    violations = run_axe(page)
    assert not violations, f"axe-core found problems on the 404 page:\n{describe_violations(violations)}"
    page.get_by_role("link", name="search the register of signatories").click()
    page.wait_for_url(browser.site.url("register/"))


def test_screenshots(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Screenshots for a person to look at; saved under the session's temporary folder."""
    page = browser.page
    folder = tmp_path_factory.mktemp("screenshots")
    shots = [
        ("register-desktop.png", 1280, "register/?sector=voluntary"),
        ("register-320.png", 320, "register/"),
        ("signatory.png", 1280, f"register/{FULL_RECORD}/"),
    ]
    for name, width, path in shots:
        page.set_viewport_size({"width": width, "height": 900})
        browser.open(path)
        page.screenshot(path=str(folder / name), full_page=True)
        assert (folder / name).stat().st_size > 1000
    print(f"screenshots in {folder}")
