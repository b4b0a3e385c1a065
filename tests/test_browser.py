"""The built site in a real browser: register filter, keyboard use, reflow, axe-core, downloads.

One fixture site (tests/data/browser-register.yaml) is built once per
session and served from 127.0.0.1; one headless Chromium context is shared
by every test. Each page a test opens is watched: a console error, an
uncaught exception, a dialog (a hostile name running as script) or a
request to anywhere but the local server fails the test.
"""

from __future__ import annotations

import statistics
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    BROWSER_REGISTER,
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

FIXTURE = BROWSER_REGISTER
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


class _RegisterRows(HTMLParser):
    """Each register-table row's name and data attributes, in page order, from the served HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._depth = 0  # inside #register-table
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "table" and values.get("id") == "register-table":
            self._depth = 1
        elif self._depth and tag == "tr" and "data-sector" in values:
            self.rows.append({**values, "name": ""})
        elif self._depth and tag == "a" and self.rows:
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False
        elif tag == "table":
            self._depth = 0

    def handle_data(self, data: str) -> None:
        if self._in_link and self.rows:
            self.rows[-1]["name"] += data


def _fold(text: str) -> str:
    """The filter's own folding: lower case, then accents dropped (NFD, combining marks U+0300 to U+036F)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not "\u0300" <= c <= "\u036f")


def expected_matches(rows: list[dict[str, str]], name: str = "", **want: str) -> list[str]:
    """The names the filter should find, in page order: the matching rules restated independently of register.js."""
    query = _fold(name.strip())
    found = []
    for row in rows:
        facts = {"sector": row["data-sector"], "size": row["data-size"], "year": row["data-signed"][:4],
                 "founding": row.get("data-founding") or "no"}
        if query and query not in _fold(row["name"]):
            continue
        if any(value and facts[key] != value for key, value in want.items() if key != "activity"):
            continue
        if want.get("activity") and want["activity"] not in row["data-activities"].split(" "):
            continue
        found.append(row["name"])
    return found


# One keystroke in the page: set the box, send the input event the browser would, then force style and layout
# so the time includes the rendering work the change caused, not just the script. A MutationObserver on the
# table and the count counts what the keystroke changed.
FILTER_KEY_JS = """text => {
    const box = document.getElementById('register-q');
    const table = document.getElementById('register-table');
    const count = document.getElementById('register-count');
    const changes = {rows: 0, nodes: 0, count: 0};
    const tally = records => records.forEach(record => {
        if (count.contains(record.target)) { changes.count += 1; return; }
        if (record.type === 'attributes') { changes.rows += 1; return; }
        changes.nodes += record.addedNodes.length + record.removedNodes.length;
    });
    const observer = new MutationObserver(tally);
    observer.observe(table, {subtree: true, childList: true, attributes: true, attributeFilter: ['hidden']});
    observer.observe(count, {subtree: true, childList: true, characterData: true});
    void table.offsetHeight;  // start from a clean layout
    const started = performance.now();
    box.value = text;
    box.dispatchEvent(new InputEvent('input', {bubbles: true}));
    void table.offsetHeight;
    const ms = performance.now() - started;
    tally(observer.takeRecords());  // the records so far, before the observer's own (later) delivery
    observer.disconnect();
    return {ms, ...changes, said: count.textContent};
}"""

# The floor: the cheapest full update of the same table, in the same page and the same run. A copy of the table
# (the same rows, each with the hidden state the filter last gave it) is put on the page; then, timed, its rows
# are moved into one new tbody that replaces its row groups in a single insertion, and style and layout are
# forced. Whatever register.js does to its own table, this always restyles all 10,000 rows and lays out the
# visible ones once: a full re-render done as cheaply as the DOM allows, with no matching at all.
FLOOR_JS = """() => {
    const table = document.getElementById('register-table');
    const copy = table.cloneNode(true);
    copy.removeAttribute('id');
    copy.querySelectorAll('[id]').forEach(el => el.removeAttribute('id'));
    table.after(copy);
    void copy.offsetHeight;
    const started = performance.now();
    const groups = Array.from(copy.tBodies);
    groups.forEach(group => group.remove());
    const body = document.createElement('tbody');
    groups.forEach(group => body.append(...group.childNodes));
    copy.append(body);
    void copy.offsetHeight;
    const ms = performance.now() - started;
    copy.remove();
    return ms;
}"""

# Keys as a person types and corrects a name, ending where they began (an empty box). Short queries match
# thousands of rows, so each of those keys hides the 100 rows shown and shows 100 others: the most the filter
# ever does to the table in one keystroke.
BIG_KEYS = ("v", "va", "val", "valley", "valle", "", "l", "ll", "lla", "ll", "l", "", "n0999", "n099", "n0999", "")
PASSES = 3
FLOOR_FACTOR = 1.0
SHOWN_AT_ONCE = 100


def test_filter_is_quick_with_10000_rows(browser: Browser) -> None:
    """At 10,000 rows the slowest keystroke costs no more than FLOOR_FACTOR times a full re-render of the table.

    Times on a shared machine swing by a factor of two or more with its load, so the filter is not held to a
    number of milliseconds. Each key is timed next to the floor (FLOOR_JS), in the same page; the keys are
    typed PASSES times and each key's median is taken, so one pause of the machine is not read as a slow key
    while a key that is slow every time still is. The slowest key's median is compared with the median floor.

    The factor comes from measuring on this project's 2-core machine in headless Chromium, with the load
    average between 4.9 and 7.5 (other work running): the floor (a restyle of every row) had medians of 119
    to 220 ms; the current filter's slowest key came to 0.40 and 0.45 of it, and a filter that reads each
    shown row's layout as it writes it to 2.36. FLOOR_FACTOR = 1.0 gives the current code twice its measured
    ratio as headroom and fails that one. The filter as it was before long registers were split into tbodies
    came to 0.47 in one run on a very busy machine (and 1.42 in an earlier single-pass version of this
    test, with a median floor of 98 ms rather than 163): the time alone does not reliably catch that cost
    (Chromium checking every later row on each change of `hidden`), so the tbody assertion below does.
    """
    page = browser.page
    browser.open("register-big/")
    assert count_text(page) == "10000 of 10000 signatories"
    page.evaluate(FLOOR_JS)  # warm up: the first restyle of a copy is slower than the rest
    passes: list[list[dict[str, Any]]] = []
    floors = []
    for _ in range(PASSES):
        keys = []
        for text in BIG_KEYS:
            floors.append(page.evaluate(FLOOR_JS))
            keys.append({"text": text, **page.evaluate(FILTER_KEY_JS, text)})
        passes.append(keys)
        assert count_text(page) == "10000 of 10000 signatories"
    floor = statistics.median(floors)
    medians = [statistics.median(keys[index]["ms"] for keys in passes) for index in range(len(BIG_KEYS))]
    worst = max(range(len(BIG_KEYS)), key=lambda index: medians[index])
    print(f"10,000-row filter: slowest key {medians[worst]:.1f} ms ({BIG_KEYS[worst]!r}), median floor "
          f"{floor:.1f} ms, ratio {medians[worst] / floor:.2f}; key medians {[round(ms, 1) for ms in medians]}; "
          f"floors {min(floors):.0f} to {max(floors):.0f} ms")
    assert medians[worst] <= FLOOR_FACTOR * floor, (
        f"the slowest key ({BIG_KEYS[worst]!r}) took {medians[worst]:.0f} ms, over {FLOOR_FACTOR} x the "
        f"{floor:.0f} ms it takes this browser to re-render the whole table")

    # Structure: no tbody holds more than 100 rows. The theme's stylesheet has a rule of the form
    # `.a:not([hidden]) ~ .b`, so Chromium answers a change of `hidden` on a row by checking every later row in
    # the same tbody; in one tbody of 10,000 rows that cost ~80 ms a keystroke (a DevTools trace).
    sizes = page.evaluate("() => Array.from(document.getElementById('register-table').tBodies, b => b.rows.length)")
    assert sum(sizes) == 10_000 and max(sizes) <= 100, f"row groups of {sorted(set(sizes))} rows"

    # Structure: a keystroke changes `hidden` only on rows that appear or disappear (at most 100 each way), adds
    # or removes no nodes, and writes the live count at most once, so a screen reader hears one announcement.
    typed = [key for keys in passes for key in keys]
    for key in typed:
        assert key["rows"] <= 2 * SHOWN_AT_ONCE, f"{key['text']!r}: {key['rows']} rows changed"
        assert key["nodes"] == 0, f"{key['text']!r}: {key['nodes']} nodes added or removed"
        assert key["count"] <= 1, f"{key['text']!r}: the count was written {key['count']} times"
    for before, key in zip(["10000 of 10000 signatories"] + [key["said"] for key in typed], typed, strict=False):
        assert key["count"] == (key["said"] != before), f"{key['text']!r}: the count was not kept up to date"


@pytest.mark.parametrize(("name", "selects"), [
    ("valley", {}), ("CAFE", {}), ("eglise", {}), ("<script>", {}), ("n0999", {}), ("n004", {}),
    ("", {"sector": "voluntary"}), ("n01", {"size": "micro", "founding": "no"}), ("a", {"activity": "social-care"}),
    ("no organisation is called this", {}),
], ids=lambda value: repr(value) if isinstance(value, str) else ",".join(f"{k}={v}" for k, v in value.items()))
def test_filter_finds_exactly_the_matching_rows_at_10000(browser: Browser, site: Site, name: str,
                                                         selects: dict[str, str]) -> None:
    """The rows shown, and the count, are what the matching rules give for the whole 10,000-row table."""
    parser = _RegisterRows()
    parser.feed((site.root / "register-big" / "index.html").read_text(encoding="utf-8"))
    assert len(parser.rows) == 10_000
    expected = expected_matches(parser.rows, name, **selects)
    page = browser.page
    browser.open("register-big/")
    labels = {"sector": "Sector", "size": "Size", "activity": "Area of activity", "year": "Year signed",
              "founding": "Founding members"}
    for field_name, value in selects.items():
        page.get_by_label(labels[field_name]).select_option(value)
    page.get_by_label("Search by name").fill(name)
    assert count_text(page) == f"{len(expected)} of 10000 signatories"
    assert visible_names(page) == expected[:SHOWN_AT_ONCE]
    if len(expected) > SHOWN_AT_ONCE:
        page.get_by_role("button", name=f"Show all {len(expected):,}").click()
        assert visible_names(page) == expected
    assert page.locator("#register-empty").is_visible() == (not expected)


def test_show_all_reveals_the_rest_and_moves_focus(browser: Browser) -> None:
    """Many matches: the first 100 are shown at once, the rest behind a button that says how many."""
    page = browser.page
    browser.open("register-big/")
    page.get_by_label("Sector").select_option("voluntary")
    matching = page.locator("#register-table tbody tr[data-sector='voluntary']").count()
    assert count_text(page) == f"{matching} of 10000 signatories"
    assert page.locator(VISIBLE_ROWS).count() == SHOWN_AT_ONCE
    show_all = page.get_by_role("button", name=f"Show all {matching:,}")
    show_all.click()
    assert page.locator(VISIBLE_ROWS).count() == matching
    assert page.locator("#register-more").is_hidden()
    focused_row = page.evaluate("() => [...document.querySelectorAll('#register-table tbody tr:not([hidden])')]"
                                ".indexOf(document.activeElement.closest('tr'))")
    assert focused_row == SHOWN_AT_ONCE, "focus should move to the first row the button revealed"
    # Sorting by date and back keeps every row and the page's own order.
    page.get_by_label("Sort by").select_option("newest")
    dates = page.locator(VISIBLE_ROWS).evaluate_all("rows => rows.map(r => r.dataset.signed)")
    assert dates == sorted(dates, reverse=True)
    page.get_by_label("Sort by").select_option("name")
    assert page.locator("#register-table tbody tr").count() == 10_000


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
