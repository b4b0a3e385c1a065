"""The Zensical build in Chromium: no page breaks its Content-Security-Policy (the search dialog
included, whose style Zensical's script adds at run time), and axe-core finds nothing on the register
and a signatory page.

A policy violation is caught twice: as the `securitypolicyviolation` event, and as the console error
Chromium prints. Either fails the test, as does a request that leaves the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    BROWSER_REGISTER,
    PageLog,
    Site,
    build_site,
    chromium_context,
    describe_violations,
    require_browser,
    run_axe,
    served_site,
)

pytestmark = pytest.mark.browser

FIXTURE = BROWSER_REGISTER
SIGNATORY = "severn-valley-housing"
MISSING = "no-such-page/"
"""Opened instead of 404.html, so the not-found page is seen as a visitor sees it: at another address."""
WATCH_POLICY = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile),
  true);
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The browser fixture register built by Zensical and served from 127.0.0.1."""
    require_browser()

    def build(root: Path, origin: str) -> None:
        build_site(FIXTURE, root, work / "cache", origin, "--renderer", "zensical")

    work = tmp_path_factory.mktemp("zensical-browser")
    with served_site(work, build) as site:
        yield site


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, served: Site, playwright_driver: Any) -> Iterator[tuple[Any, PageLog]]:
    """One tab, watched for policy violations, console errors and requests off the site."""
    with chromium_context(playwright_driver, tmp_path_factory.mktemp("zensical-chromium")) as context:
        context.add_init_script(WATCH_POLICY)
        tab = context.new_page()
        log = PageLog(served.origin, expected_missing={served.url(MISSING)})
        log.attach(tab)
        yield tab, log


def visit(tab: Any, origin: str, path: str) -> list[str]:
    """Open a page, let it settle, and return its policy violations."""
    response = tab.goto(origin + path, wait_until="load")
    assert response is not None and response.status == (404 if path == MISSING else 200), path
    tab.wait_for_load_state("networkidle")
    return tab.evaluate("() => window.__violations")


def test_no_page_breaks_the_policy(served: Site, page: tuple[Any, PageLog]) -> None:
    root, origin = served.root, served.origin
    tab, log = page
    paths = sorted(p.relative_to(root).as_posix().removesuffix("index.html").replace("404.html", MISSING)
                   for p in root.rglob("*.html"))
    assert len(paths) > 40  # every signatory page as well as the charter's own
    problems = {path: found for path in paths if (found := visit(tab, origin, path))}
    assert not problems, problems
    assert not log.problems(), log.problems()


def test_search_dialog_works_under_the_policy(served: Site, page: tuple[Any, PageLog]) -> None:
    origin = served.origin
    tab, log = page
    assert visit(tab, origin, "register/") == []
    tab.locator("button.md-search__button").click()
    tab.keyboard.type("valley")  # the dialog puts focus in its search box
    results = tab.get_by_role("listbox", name="Search results").get_by_role("option")
    results.first.wait_for()
    assert "Severn Valley Housing" in " ".join(results.all_inner_texts())
    assert tab.evaluate("() => window.__violations") == []
    assert tab.evaluate("() => [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector('style'))")
    assert not log.problems(), log.problems()


@pytest.mark.parametrize("path", ["register/", f"register/{SIGNATORY}/"])
def test_axe_finds_no_violation(served: Site, page: tuple[Any, PageLog], path: str) -> None:
    tab, _ = page
    assert visit(tab, served.origin, path) == []
    violations = run_axe(tab)
    assert not violations, f"axe-core found problems on /{path} (Zensical):\n{describe_violations(violations)}"
