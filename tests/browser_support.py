"""Helpers for the browser tests: build a fixture site, serve it locally, drive Debian's Chromium.

Kept apart from tests/test_browser.py so the tests read as checks, and so
the server and browser set-up can be reused by other browser tests.
Nothing here downloads anything: Chromium is the system one and axe-core
comes from node_modules (pinned in package-lock.json).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSER_REGISTER = Path(__file__).parent / "data" / "browser-register.yaml"
"""The register both renderers' browser tests build: 30 records of every kind, two withdrawn, one hostile name."""
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "/__tests__/axe.min.js"
"""Where the test server offers axe-core: same origin, so the site's Content-Security-Policy
(script-src 'self') lets add_script_tag load it, where an inline copy would be blocked."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BUILD_DATE = "2026-11-25"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site like a static host: files as they are, and 404.html for anything missing."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".ttf": "font/ttf",
        ".woff2": "font/woff2",
        ".xml": "application/xml",
    }

    extra_files: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        """Test-only files (axe-core) are served from their own place, never copied into the site."""
        extra = self.extra_files.get(path.split("?", 1)[0])
        return str(extra) if extra else super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a missing page with the theme's 404 page, as GitHub Pages and most hosts do."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle(self) -> None:
        """A browser may drop a connection it no longer needs (a closed tab); that is not an error here."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def end_headers(self) -> None:
        # Every test run starts from a fresh build; caching would only hide a stale file.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: a line per request would bury pytest's output."""


class StaticServer:
    """http.server on 127.0.0.1 in a thread. The port is chosen (and bound) before the build needs the address."""

    def __init__(self, root: Path, extra_files: dict[str, Path] | None = None) -> None:
        self.root = root
        handler_class = type("SiteHandler", (_SiteHandler,), {"extra_files": dict(extra_files or {})})
        handler = functools.partial(handler_class, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)

    @property
    def origin(self) -> str:
        """The site's address with a trailing slash, e.g. http://127.0.0.1:41234/."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and free the port. Safe before start(): shutdown() alone would wait forever then."""
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()


@dataclass(frozen=True)
class Site:
    """A built site and the local address it is served from."""

    root: Path
    origin: str  # ends with "/"

    def url(self, path: str = "") -> str:
        return self.origin + path.lstrip("/")


def require_browser(axe: bool = True) -> None:
    """Fail, saying what to run, when the system Chromium (or axe-core, where a test needs it) is missing."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is not installed at /usr/bin/chromium: run `bash tests/run.sh`, which installs it")
    if axe and not AXE_SCRIPT.exists():
        pytest.fail("axe-core is not installed: run `bash tests/run.sh`, which runs `npm ci`")


@contextlib.contextmanager
def served_site(work: Path, build: Callable[[Path, str], None]) -> Iterator[Site]:
    """Serve `work`/site (with axe-core beside it) while `build(root, origin)` fills it, then hand it out.

    The server binds its port before the build, because the build needs the
    site's address; it serves only once the build has finished.
    """
    root = work / "site"
    root.mkdir()
    server = StaticServer(root, {AXE_URL_PATH: AXE_SCRIPT})
    try:
        build(root, server.origin)
        server.start()
        yield Site(root, server.origin)
    finally:
        server.stop()


def build_site(signatories: Path, output: Path, cache_dir: Path, site_url: str, *extra: str) -> None:
    """Run the real command line, as the council would, so the test covers the build too."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--quiet", "--output", str(output),
               "--cache-dir", str(cache_dir), "--build-date", BUILD_DATE, "--site-url", site_url,
               "--signatories", str(signatories), *extra]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the fixture site did not build:\n{result.stdout}\n{result.stderr}")


def make_big_register(site_dir: Path, rows: int = 10_000) -> str:
    """Copy /register/ to /register-big/ with its current-signatory rows repeated up to `rows`.

    The copy sits at the same depth, so its relative links to the theme and
    register.js still work; only the table is larger. Building a real
    10,000-record site would cost the suite far more time than it tests.
    """
    text = (site_dir / "register" / "index.html").read_text(encoding="utf-8")
    body = re.search(r'(<table[^>]*\bid="register-table"[^>]*>.*?<tbody>\n?)(.*?)(</tbody>)', text, re.S)
    if body is None:
        raise AssertionError("the register page has no register-table body to copy")
    originals = re.findall(r"<tr .*?</tr>", body.group(2), re.S)
    copies = []
    for index in range(rows):
        row = originals[index % len(originals)]
        copies.append(row.replace('/">', f'/">n{index:05d} ', 1))  # a unique, searchable name
    bigger = text[: body.start(2)] + "\n".join(copies) + "\n" + text[body.end(2):]
    target = site_dir / "register-big"
    target.mkdir(exist_ok=True)
    (target / "index.html").write_text(bigger, encoding="utf-8")
    return "register-big/"


KNOWN_THEME_404S: frozenset[str] = frozenset()
"""Missing files the theme is known to request. Empty: mkdocs-material fetches
sitemap.xml beside every <link rel="alternate"> (it takes them for language
versions), so the feeds are linked from page bodies, never from <head>."""


@dataclass
class PageLog:
    """What one page did: console errors, uncaught exceptions, every request and any dialog."""

    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    expected_missing: set[str] = field(default_factory=set)
    known_404s: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        if "404" in message.text and location in self.expected_missing:
            return
        if "404" in message.text and location.removeprefix(self.origin) in KNOWN_THEME_404S:
            self.known_404s.append(location)
            return
        self.errors.append(f"{message.text} ({location})")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def problems(self) -> list[str]:
        """Everything that should not have happened, as readable lines."""
        found = [f"console error: {text}" for text in self.errors]
        found += [f"request left the site: {url}" for url in self.requests
                  if not url.startswith((self.origin, "data:", "blob:"))]
        found += [f"a dialog opened: {text!r}" for text in self.dialogs]
        return found


def launch_context(playwright: Any, user_data_dir: Path) -> Any:
    """Debian's Chromium, headless, with nothing phoning home. Never downloads a browser."""
    return playwright.chromium.launch_persistent_context(
        user_data_dir=str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        accept_downloads=True,
    )


@contextlib.contextmanager
def chromium_context(playwright: Any, user_data_dir: Path, timeout_ms: int = 10_000) -> Iterator[Any]:
    """`launch_context` with a default timeout, closed when the block ends however it ends."""
    context = launch_context(playwright, user_data_dir)
    context.set_default_timeout(timeout_ms)
    try:
        yield context
    finally:
        context.close()


def launch_browser(playwright: Any) -> Any:
    """Debian's Chromium as a browser, for tests that need fresh contexts with their own options."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0 to 2.2 A and AA rules on the whole document; returns the violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + AXE_URL_PATH)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One block per rule: id, impact, help and the first few offending selectors."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


FOCUS_STYLE_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let target = style;
  let shown = el;
  // A focused hidden checkbox shows its ring on the label it stands for.
  if (el.id === '__drawer') {
    shown = document.querySelector('label.md-header__button[for="__drawer"]');
  } else if (el.matches('input[type=checkbox].md-toggle, input[type=checkbox].md-nav__toggle') && el.nextElementSibling) {
    shown = el.nextElementSibling;
  }
  target = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  const onScreen = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 &&
    box.left < innerWidth && getComputedStyle(shown).visibility !== 'hidden';
  return {
    onScreen,
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || el.value || '').trim().slice(0, 60),
    outlineStyle: target.outlineStyle, outlineWidth: target.outlineWidth, boxShadow: target.boxShadow,
  };
}
"""


def focus_is_visible(style: dict[str, Any] | None) -> bool:
    """True when the focused element is on screen and draws an outline or a box shadow."""
    if style is None or not style["onScreen"]:
        return False
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] not in ("0px", "")
    return outline or style["boxShadow"] != "none"


def file_kind(data: bytes) -> str | None:
    """What a downloaded file is by its first bytes: png, pdf, zip, svg, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    head = data[:2048].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        return "svg"
    return None


def tab_to(page: Any, predicate: str, limit: int = 120) -> list[dict[str, str]]:
    """Press Tab until the focused element matches a JS predicate; return every focus stop's style."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE_JS)
        stops.append(style)
        assert focus_is_visible(style), f"no visible focus indicator on {style}"
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!(el && ({predicate})); }}"):
            return stops
    raise AssertionError(f"Tab never reached an element where {predicate}; stops: {stops[-10:]}")
