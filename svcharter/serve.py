"""`python build.py serve`: a local preview that rebuilds when the register or the site's sources change.

Comms staff use it to see an edit before they commit it, so it must keep
going when they make a mistake: a build that fails prints the validator's
messages and the last good build stays on screen. It builds the real site
(the same pipeline as `build`) into a temporary folder, so a preview never
touches site/. Changes are found by polling modification times every 0.1 s
(half a millisecond of work for the shipped sources): simpler than
file-system events and the same on every platform, network drive and editor
(some editors save by renaming, which event watchers can miss).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .config import Config
from .errors import BuildError, CharterError, printable_lines
from .guard import check_output
from .writer import start_preview

POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.05
"""Wait this long after seeing a change, so a file still being saved is not read half-written."""

LOCK_WAIT_SECONDS = 3600.0
"""A rebuild waits for a `build` using the same cache (and says so) rather than failing the preview."""

Snapshot = dict[Path, tuple[int, int]]
Report = Callable[[CharterError], None]

PLACEHOLDER = """<!doctype html><html lang="en"><meta charset="utf-8"><title>No preview yet</title>
<p>The site could not be built yet: the terminal running <code>python build.py serve</code> says why.
Fix the problem, save, and reload this page.</p></html>
"""


class _Handler(SimpleHTTPRequestHandler):
    """Static files from the preview folder, never cached, so a reload always shows the newest build."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Keep the terminal for build messages, not one line per request."""


def watched_paths(cfg: Config) -> list[Path]:
    """Everything a build reads that people edit."""
    return [cfg.signatories, cfg.content_dir, cfg.templates_dir, cfg.mkdocs_file, cfg.logo_dir]


def snapshot(paths: list[Path]) -> Snapshot:
    """Modification time and size of every file under `paths` (missing paths are simply absent)."""
    found: Snapshot = {}
    for path in paths:
        try:
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        except OSError:  # a folder removed or renamed while it was listed: the next poll sees the result
            files = []
        for file in files:
            try:
                stat = file.stat()
            except OSError:  # removed between listing and stat
                continue
            found[file] = (stat.st_mtime_ns, stat.st_size)
    return found


def wait_for_change(paths: list[Path], before: Snapshot, stop: threading.Event) -> Snapshot:
    """Block until a file changes and stays still for a moment; return the new snapshot."""
    while not stop.wait(POLL_SECONDS):
        now = snapshot(paths)
        if now == before:
            continue
        while not stop.wait(SETTLE_SECONDS):
            settled = snapshot(paths)
            if settled == now:
                return settled
            now = settled
    return before


def rebuild(cfg: Config, report: Report) -> bool:
    """One build; on failure print why and keep the last good build. Returns whether it succeeded."""
    from .build import Progress, build

    started = time.perf_counter()
    try:
        result = build(cfg, Progress(quiet=True))
    except CharterError as error:
        report(error)
        print("The preview still shows the last good build.", flush=True)
        return False
    except Exception as error:  # noqa: BLE001 - a preview must outlive any failed build, even our own bug
        report(BuildError(f"the build stopped unexpectedly ({type(error).__name__}: {error}); "
                          "please report this with the change you saved"))
        print("The preview still shows the last good build.", flush=True)
        return False
    print(f"{time.strftime('%H:%M:%S')} rebuilt {result.signatories} signatories in "
          f"{time.perf_counter() - started:.1f} s.", flush=True)
    for warning in result.warnings:
        print(warning, flush=True)
    if result.changes:
        print(result.changes, flush=True)
    return True


def _print_error(error: CharterError) -> None:
    print(printable_lines(str(error)), flush=True)


def _start_server(output: Path, port: int) -> ThreadingHTTPServer:
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(output)))
    except OSError as exc:
        raise BuildError(f"cannot serve on port {port} ({exc.strerror}): try another with --port") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


def serve(cfg: Config, port: int, report: Report = _print_error, stop: threading.Event | None = None) -> None:
    """Build, serve on 127.0.0.1:port and rebuild on every change until Ctrl+C (or `stop` is set)."""
    stop = stop or threading.Event()
    if cfg.output != Config().output:
        check_output(cfg)  # an --output of its own must pass the same guard as `build`, before anything is written
    temporary = Path(tempfile.mkdtemp(prefix="svcharter-preview-")) if cfg.output == Config().output else None
    if temporary:
        cfg = dataclasses.replace(cfg, output=temporary / "site")
    cfg = dataclasses.replace(cfg, lock_wait=LOCK_WAIT_SECONDS)
    try:
        start_preview(cfg.output, PLACEHOLDER)
        server = _start_server(cfg.output, port)
    except BuildError:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    try:
        _watch(cfg, port, report, stop)
    except KeyboardInterrupt:
        print("\nStopped the preview.", flush=True)
    finally:
        server.shutdown()
        server.server_close()
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def _watch(cfg: Config, port: int, report: Report, stop: threading.Event) -> None:
    from . import render  # noqa: F401 - an edit re-renders a badge: load cairo now, not on the first edit

    paths = watched_paths(cfg)
    state = snapshot(paths)
    rebuild(cfg, report)
    quiet = dataclasses.replace(cfg, quiet=True)
    print(f"Preview at http://127.0.0.1:{port}/ - save a change to {cfg.display(cfg.signatories)} or the site's "
          "sources and reload the page. Press Ctrl+C to stop.", flush=True)
    while not stop.is_set():
        state = wait_for_change(paths, state, stop)
        if not stop.is_set():
            rebuild(quiet, report)
