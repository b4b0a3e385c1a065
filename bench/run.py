#!/usr/bin/env python3
"""Benchmark the site build against a floor measured on the same machine, in the same run.

    python bench/run.py [--sizes 100,1000,10000] [--out bench/RESULTS.md] [--workers N] [--repeat R]

Why a floor and not only absolute times: the machine is small (2 cores) and shared,
so "the build takes 40 s" means little; "the nothing-changed rebuild costs
1.1 x a bare `mkdocs build` of the same pages" says how much our own code
adds, and survives a busier or faster machine. For each N the script:

1. writes a synthetic register (bench/synthetic.py, seeded, every field used);
2. builds cold (empty cache and output), then again with nothing changed, then
   after renaming one signatory, each in a fresh process (bench/_runner.py)
   that reports BuildReport (badges_rendered, pages_written, timings), its own
   phase timings and max RSS, while this process samples the whole process
   tree's memory;
3. measures the MkDocs floor: `python -m mkdocs build` of a copy of the same
   generated Markdown with the same mkdocs.yml, no badges or extras;
4. records output size, the register page gzipped, the search index per
   signatory and, for the largest N, the register filter's keystroke-to-table
   time in headless Chromium.

Results are kept per N in <work>/results.json (so sizes can be run at
different times) and written with the machine, load and targets to --out.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/run.py`: make `bench` and `svcharter` importable
    sys.path.insert(0, str(ROOT))

from bench import renderers, synthetic  # noqa: E402
from svcharter import writer  # noqa: E402

RUNNER = Path(__file__).resolve().parent / "_runner.py"
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
SITE_URL = "https://charter.example.org/"
BUILD_DATE = synthetic.BUILD_DATE.isoformat()
GIB = 1024**3
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SEARCH_SELECTORS = ("#register-tools input[type=search]", "#register-tools input")
FILTER_KEYS = ("a", "n", "Backspace", "Backspace", "l", "l", "a", "n", "Backspace", "Backspace", "Backspace", "Backspace")
"""Keystrokes typed into the filter: narrowing, widening and back to empty, so both directions are measured."""


# ---------------------------------------------------------------- the machine


def loadavg() -> list[float]:
    """1, 5 and 15 minute load averages: other engineers share this machine, so every step notes them."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model and versions, so results can be compared across machines."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    try:
        import cairocffi

        cairo = cairocffi.cairo_version_string()
    except Exception:  # noqa: BLE001 - informational only
        cairo = "?"
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "not found"
    packages = ["mkdocs", "mkdocs-material", "CairoSVG", "cairocffi", "segno", "fonttools", "PyYAML", "Jinja2",
                "playwright", "zensical"]
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024**2, 1), "cpu": model,
            "python": platform.python_version(), "platform": platform.platform(), "cairo": cairo,
            "chromium": chromium, "packages": {p: package_version(p) for p in packages}}


# ---------------------------------------------------------------- memory of a process tree


def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_pids(root: int) -> list[int]:
    tree = _children_map()
    todo, pids = [root], []
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(tree.get(pid, []))
    return pids


def _rss_kib(pid: int) -> int:
    """Resident set size from /proc/PID/statm: cheap enough to read several times a second."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size from smaps_rollup: fair to forked workers, but it walks page tables, so read it rarely."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler:
    """Samples a process tree's total memory while it runs: max RSS per process misses the pool running beside it.

    RSS is summed every `interval` seconds; PSS (which shares copy-on-write
    pages fairly between the pool's forked workers) every `pss_every` samples,
    because reading it costs about 20 ms of CPU for a large process and the
    sampler must not steal time from the build it measures.
    """

    def __init__(self, pid: int, interval: float = 0.25, pss_every: int = 8) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            pids = _tree_pids(self.pid)
            self.peak_rss_kib = max(self.peak_rss_kib, sum(_rss_kib(p) for p in pids))
            if count % self.pss_every == 0:
                self.peak_pss_kib = max(self.peak_pss_kib, sum(_pss_kib(p) for p in pids))
            count += 1
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measured:
    """One subprocess: its JSON result (if it has one), wall time, memory and the load around it."""

    result: dict[str, Any]
    wall: float
    peak_rss_kib: int
    peak_pss_kib: int
    load_before: list[float]
    load_after: list[float]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"result": self.result, "wall": self.wall, "peak_rss_kib": self.peak_rss_kib,
                "peak_pss_kib": self.peak_pss_kib, "load_before": self.load_before, "load_after": self.load_after,
                **self.extra}


def measure(command: list[str], timeout: float = 4 * 3600) -> Measured:
    """Run a command, timing it and sampling its process tree's memory; parse a JSON last line if there is one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load_before = loadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        sampler.stop()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed ({process.returncode}):\n{stderr[-4000:]}")
    lines = [line for line in stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Measured(result, wall, sampler.peak_rss_kib, sampler.peak_pss_kib, load_before, loadavg())


def run_build(signatories: Path, output: Path, cache: Path, workers: int = 0, *, profile: bool = False,
              renderer: str = "mkdocs") -> Measured:
    """One build in a fresh process via bench/_runner.py (svcharter.build.build, report as JSON)."""
    options = {"signatories": str(signatories), "output": str(output), "cache_dir": str(cache),
               "site_url": SITE_URL, "build_date": BUILD_DATE, "workers": workers, "profile": profile,
               "renderer": renderer}
    measured = measure([sys.executable, str(RUNNER), "build", json.dumps(options)])
    measured.extra["old_site_deleted_after"] = wait_for_old_site(output)
    return measured


def wait_for_old_site(output: Path, limit: float = 600.0) -> float:
    """Seconds until the build's background process has deleted the site it replaced.

    The build hands that deletion to another process once the new site is
    live; waiting for it here keeps it from overlapping the next measurement.
    """
    started = time.perf_counter()
    while writer.retired_outputs(output) and time.perf_counter() - started < limit:
        time.sleep(0.02)
    return time.perf_counter() - started


def mkdocs_floor(docs: Path, work: Path) -> Measured:
    """The floor: plain `mkdocs build` of the same generated pages, same mkdocs.yml, no badges or extras."""
    import yaml

    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    site = work / "floor-site"
    settings["docs_dir"] = str(docs.resolve())
    settings["site_dir"] = str(site.resolve())
    settings["site_url"] = SITE_URL
    theme = settings.get("theme") or {}
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme["custom_dir"] = str((ROOT / theme["custom_dir"]).resolve())
    config = work / "floor-mkdocs.yml"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.rmtree(site, ignore_errors=True)
    measured = measure([sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-q"])
    shutil.rmtree(site, ignore_errors=True)
    return measured


# ---------------------------------------------------------------- output facts


def tree_size(root: Path) -> tuple[int, int]:
    """(bytes, files) under a folder; hard-linked badge files count once per path, as a server would publish them."""
    total = files = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
            files += 1
    return total, files


KINDS = (
    ("signatory page", re.compile(r"^register/[^/]+/index\.html$")),
    ("share card", re.compile(r"(^|/)card\.png$")),
    ("badge SVG", re.compile(r"^register/[^/]+/badge/[^/]+\.svg$")),
    ("badge PDF", re.compile(r"^register/[^/]+/badge/[^/]+\.pdf$")),
    ("assertion", re.compile(r"^register/[^/]+/badge/assertion\.json$")),
    ("other badge file", re.compile(r"^register/[^/]+/badge/")),
    ("register and other pages", re.compile(r"\.html$")),
)
"""What each published file is, first match wins; the rest is "everything else" (data, search index, assets)."""


def sizes_by_kind(site: Path) -> dict[str, list[int]]:
    """[bytes, files] of the published site by kind of file, to say where a signatory's bytes go."""
    totals: dict[str, list[int]] = {}
    for folder, _dirs, names in os.walk(site):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, site).replace(os.sep, "/")
            kind = next((label for label, pattern in KINDS if pattern.search(relative)), "everything else")
            entry = totals.setdefault(kind, [0, 0])
            entry[0] += os.lstat(path).st_size
            entry[1] += 1
    return totals


def pages_artifact_bytes(site: Path) -> int | None:
    """Bytes of the tar that actions/upload-pages-artifact makes of the site (hard links written out in full).

    It runs the same tar command the action runs (`--dereference --hard-dereference`, without the .git
    folder), into a pipe, so nothing is written to disk. None where tar is missing.
    """
    tar = shutil.which("tar")
    if tar is None:
        return None
    command = [tar, "--dereference", "--hard-dereference", "--exclude=.git", "--exclude=.github", "-cf", "-",
               "-C", str(site), "."]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        total = sum(len(chunk) for chunk in iter(lambda: process.stdout.read(1 << 20), b""))
    return total if process.returncode == 0 else None


def rows_json_sizes(site: Path) -> dict[str, int]:
    """Size of the register's row data, when the register pages load their rows from register/rows.json."""
    rows = site / "register" / "rows.json"
    if not rows.is_file():
        return {}
    data = rows.read_bytes()
    return {"register_rows_json_bytes": len(data), "register_rows_json_gzip_bytes": len(gzip.compress(data, compresslevel=9))}


def badge_stamps(site: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every published badge file, to prove a rebuild left them alone."""
    stamps: dict[str, tuple[int, int]] = {}
    for path in (site / "register").glob("*/badge/*"):
        if path.name != "assertion.json":
            info = path.stat()
            stamps[str(path.relative_to(site))] = (info.st_ino, info.st_mtime_ns)
    return stamps


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Serve silently: the benchmark's output is its results."""


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site on 127.0.0.1 (a random free port) from a thread, for the browser."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


INSTALL_PROBE = """
(selector) => {
  const input = document.querySelector(selector);
  const count = document.getElementById('register-count');
  const probe = window.__bench = {start: 0, script: null, frame: null, text: '', done: false};
  probe.reset = () => { probe.start = 0; probe.script = null; probe.frame = null; probe.done = false; };
  // Capture phase on window: runs before the page's own handlers, so the clock starts first.
  window.addEventListener('keydown', (event) => {
    if (event.target !== input) return;
    probe.start = performance.now();
    // A frame after the keystroke's input handler has run, then a task: the table is painted by then.
    requestAnimationFrame(() => setTimeout(() => {
      probe.frame = performance.now() - probe.start;
      probe.text = count ? count.textContent : '';
      probe.done = true;
    }, 0));
  }, true);
  if (count) {
    new MutationObserver(() => {
      if (probe.start && probe.script === null) probe.script = performance.now() - probe.start;
    }).observe(count, {childList: true, characterData: true, subtree: true});
  }
  input.focus();
  return !!input;
}
"""


def browser_filter(site: Path) -> dict[str, Any]:
    """Keystroke-to-table time of the register filter in headless Chromium, measured in the page."""
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(base + "register/", wait_until="load", timeout=120_000)
            load_seconds = time.perf_counter() - started
            page.wait_for_function("() => { const t = document.getElementById('register-tools');"
                                   " return t && !t.hidden; }", timeout=120_000)
            ready_seconds = time.perf_counter() - started
            selector = next((s for s in SEARCH_SELECTORS if page.query_selector(s)), None)
            if selector is None:
                return {"error": "no search input in #register-tools"}
            page.evaluate(INSTALL_PROBE, selector)
            rows = page.evaluate("() => document.querySelectorAll('#register-table tbody tr').length")
            samples = []
            for key in FILTER_KEYS:
                page.evaluate("() => window.__bench.reset()")
                page.keyboard.press(key)
                page.wait_for_function("() => window.__bench.done", timeout=60_000)
                probe = page.evaluate("() => ({script: window.__bench.script, frame: window.__bench.frame,"
                                      " text: window.__bench.text})")
                probe["key"] = key
                probe["query"] = page.eval_on_selector(selector, "el => el.value")
                samples.append(probe)
                page.wait_for_timeout(100)
        finally:
            browser.close()
    frames = [s["frame"] for s in samples]
    return {"selector": selector, "rows": rows, "load_seconds": load_seconds, "ready_seconds": ready_seconds,
            "samples": samples, "median_ms": statistics.median(frames), "max_ms": max(frames)}


# ---------------------------------------------------------------- one size


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {loadavg()[0]:.2f}] {message}", file=sys.stderr, flush=True)


def bench_size(count: int, work: Path, *, workers: int, repeat: int, profile: bool, browser: bool,
               save: Callable[[dict[str, Any]], None], seed: int = 2017, keep_cache: bool = False) -> dict[str, Any]:
    """Every measurement for one register size, saved after each step so a run cut short still reports.

    The page facts and the browser come straight after the cold build: they
    are quick and need only its output, so a large N that runs out of time
    still yields them.
    """
    work.mkdir(parents=True, exist_ok=True)
    register, cache, site = work / "register.yaml", work / "cache", work / "site"
    records = synthetic.write_register(register, count, seed)
    if not keep_cache:  # --keep-cache: resume after a cold build that rendered its badges and then failed
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    out: dict[str, Any] = {"n": count, "seed": seed, "started": dt.datetime.now().isoformat(timespec="seconds"),
                           "withdrawn": sum(1 for r in records if "withdrawn" in r), "kept_cache": keep_cache}
    save(out)

    log(f"N={count}: cold build")
    cold = run_build(register, site, cache, workers)
    out["cold"] = cold.as_dict()
    out["output_bytes"], out["output_files"] = tree_size(site)
    out["cache_bytes"], out["cache_files"] = tree_size(cache)
    out["kinds"] = sizes_by_kind(site)
    out["pages_artifact_bytes"] = pages_artifact_bytes(site)
    page = (site / "register" / "index.html").read_bytes()
    out["register_html_bytes"] = len(page)
    out["register_html_gzip_bytes"] = len(gzip.compress(page, compresslevel=9))
    out["search_index_bytes"] = (site / "search" / "search_index.json").stat().st_size
    out.update(rows_json_sizes(site))
    save(out)
    log(f"N={count}: cold {cold.wall:.1f}s, {cold.result['badges_rendered']} badges")

    if browser:
        log(f"N={count}: register filter in Chromium")
        load_before = loadavg()
        out["browser"] = {**browser_filter(site), "load_before": load_before, "load_after": loadavg()}
        save(out)

    stamps = badge_stamps(site)
    docs = work / "floor-docs"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.copytree(cache / "docs", docs)
    # Rebuilds and floors alternate, so each pair is measured within a minute or two of each other: on a shared
    # machine the speed drifts over tens of minutes (the same floor took 42 s and 52 s an hour apart).
    rebuilds, floors = [], []
    for attempt in range(repeat):
        log(f"N={count}: nothing-changed rebuild {attempt + 1}/{repeat}")
        rebuilds.append(run_build(register, site, cache, workers))
        after = badge_stamps(site)
        out["rebuilds"] = [r.as_dict() for r in rebuilds]
        out["badge_files"] = len(stamps)
        out["badge_files_untouched"] = sum(1 for k, v in stamps.items() if after.get(k) == v)
        save(out)
        log(f"N={count}: mkdocs floor {attempt + 1}/{repeat}")
        floors.append(mkdocs_floor(docs, work))
        out["mkdocs_floor"] = [f.as_dict() for f in floors]
        out["rebuild_floor_interleaved"] = True
        save(out)

    if profile:
        log(f"N={count}: profiled nothing-changed rebuild")
        out["profiled_rebuild"] = run_build(register, site, cache, workers, profile=True).as_dict()
        save(out)

    renamed = synthetic.change_one_name(register, records)
    log(f"N={count}: one record changed ({renamed})")
    changed = run_build(register, site, cache, workers)
    out["one_changed"] = {**changed.as_dict(), "renamed": renamed}
    out["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    save(out)
    log(f"N={count}: done")
    return out


# ---------------------------------------------------------------- the report


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs: noise from a shared machine only ever adds time."""
    return min(runs, key=lambda r: r["wall"])


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def kib(value: float) -> str:
    return f"{value / 1024:,.0f} KiB" if value < 1024**2 else f"{value / 1024**2:,.1f} MiB"


NOT_MEASURED = "not measured"


def cell(make: Callable[[], str]) -> str:
    """A table cell, or 'not measured' when that step did not run (a size cut short keeps what it has)."""
    try:
        return make()
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return NOT_MEASURED


def derived(entry: dict[str, Any]) -> dict[str, Any]:
    """Ratios and target checks for one size; None where a step has not been measured."""
    facts: dict[str, Any] = dict.fromkeys(("rebuild", "floor", "rebuild_ratio", "cold_ratio", "busy"))
    cold = entry.get("cold")
    if entry.get("rebuilds"):
        facts["rebuild"] = best(entry["rebuilds"])["wall"]
    if entry.get("mkdocs_floor"):
        facts["floor"] = best(entry["mkdocs_floor"])["wall"]
    if facts["rebuild"] is not None and facts["floor"]:
        facts["rebuild_ratio"] = facts["rebuild"] / facts["floor"]
    if entry.get("rebuild_floor_interleaved"):
        pairs = zip(entry["rebuilds"], entry["mkdocs_floor"], strict=False)
        facts["paired_ratios"] = [rebuild["wall"] / floor["wall"] for rebuild, floor in pairs]
    if cold and not entry.get("kept_cache") and facts["floor"]:
        facts["cold_ratio"] = cold["wall"] / facts["floor"]
    runs = [r for r in [cold, *entry.get("rebuilds", []), entry.get("one_changed")] if r]
    facts["peak_rss"] = max((r["peak_rss_kib"] for r in runs), default=0) * 1024
    facts["peak_pss"] = max((r["peak_pss_kib"] for r in runs), default=0) * 1024
    facts["largest_process"] = 0
    if cold:
        phase = cold["result"]["phases"].get("badges", {})
        if phase.get("wall") and not entry.get("kept_cache"):
            cores = cold["result"]["worker_count"]
            if phase.get("cpu_children"):
                facts["busy"] = (phase["cpu_self"] + phase["cpu_children"]) / (phase["wall"] * cores)
            elif phase.get("cpu_machine_busy"):
                # Fork-server workers are not the runner's children, so getrusage cannot see their CPU: use the
                # machine's busy time over the phase (all of it ours when the load before the build was low).
                facts["busy"] = phase["cpu_machine_busy"] / (phase["wall"] * (os.cpu_count() or cores))
                facts["busy_machine_wide"] = True
    facts["largest_process"] = max((max(r["result"]["maxrss_self_kib"], r["result"]["maxrss_children_kib"]) * 1024
                                    for r in runs if r.get("result")), default=0)
    return facts


def growth(store: dict[str, Any]) -> tuple[str, float] | None:
    """Search index bytes per added signatory between the two largest sizes measured."""
    sizes = sorted(int(n) for n in store if "search_index_bytes" in store[n])
    if len(sizes) < 2:
        return None
    small, large = store[str(sizes[-2])], store[str(sizes[-1])]
    per = (large["search_index_bytes"] - small["search_index_bytes"]) / (large["n"] - small["n"])
    return f"{sizes[-2]:,} → {sizes[-1]:,}", per


def render(store: dict[str, Any], machine: dict[str, Any], notes: list[str]) -> str:
    """RESULTS.md: machine, table, targets with PASS/MISS, and where the time goes."""
    sizes = sorted(int(n) for n in store if n.isdigit())  # "renderers" holds the renderer comparison
    entries = [store[str(n)] for n in sizes]
    facts = [derived(e) for e in entries]
    lines = ["# Benchmark results", "",
             f"Written {dt.datetime.now().isoformat(timespec='minutes')} by `python bench/run.py` "
             "(bench/README.md says how to run it; bench/run.py what each number means). Real measurements only: "
             "times are wall-clock seconds of a whole build process, best of the repeats for rebuilds and the MkDocs "
             "floor; \"not measured\" marks a step that did not run.", "",
             "## Machine", "",
             f"- {machine['cores']} cores, {machine['memory_gib']} GiB memory, CPU: {machine['cpu']}",
             f"- Python {machine['python']} on {machine['platform']}; cairo {machine['cairo']}; {machine['chromium']}",
             "- " + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()),
             "- The machine is shared with other engineers running tests at the same time: each step's 1-minute "
             "load average before/after is in the table (2.0 means both cores already busy), so times and ratios "
             "are pessimistic where the load was high.", ""]
    lines += ["## Measurements", "", "| | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
              "|---|" + "---|" * len(sizes)]

    def row(label: str, makers: list[Callable[[], str]]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(m) for m in makers) + " |")

    def each(make: Callable[[dict[str, Any], dict[str, Any]], str]) -> list[Callable[[], str]]:
        return [functools.partial(make, e, f) for e, f in zip(entries, facts, strict=True)]

    def load(m: dict[str, Any]) -> str:
        return f"{m['load_before'][0]:.1f}/{m['load_after'][0]:.1f}"

    def counts(m: dict[str, Any]) -> str:
        cards = m["result"].get("cards_rendered")
        return " / ".join(str(x) for x in (m["result"]["badges_rendered"], "?" if cards is None else cards,
                                            m["result"]["pages_written"]))

    row("measured from", each(lambda e, f: e["started"].replace("T", " ")))
    row("signatories (of which withdrawn)", each(lambda e, f: f"{e['n']:,} ({e['withdrawn']:,})"))
    row("cold build (s)", each(lambda e, f: f"{e['cold']['wall']:.1f}" + (
        " (NOT cold: badge kits were already cached)" if e.get("kept_cache") else "")))
    row("cold: badge kits / share cards rendered / Markdown files written", each(lambda e, f: counts(e["cold"])))
    row("nothing changed: rebuild (s), every run", each(lambda e, f: ", ".join(f"{r['wall']:.1f}" for r in e["rebuilds"])))
    row("nothing changed: badge kits / share cards rendered / Markdown files written",
        each(lambda e, f: counts(best(e["rebuilds"]))))
    row("nothing changed: published badge files untouched (inode + mtime)",
        each(lambda e, f: f"{e['badge_files_untouched']:,} of {e['badge_files']:,}"))
    row("one name changed: rebuild (s)", each(lambda e, f: f"{e['one_changed']['wall']:.1f}"))
    row("one name changed: badge kits / share cards rendered / Markdown files written",
        each(lambda e, f: counts(e["one_changed"])))
    row("mkdocs floor: plain mkdocs build (s), every run",
        each(lambda e, f: ", ".join(f"{r['wall']:.1f}" for r in e["mkdocs_floor"])))
    row("**nothing-changed rebuild ÷ mkdocs floor**", each(lambda e, f: f"**{f['rebuild_ratio']:.2f}**"))
    row("nothing-changed rebuild ÷ the floor measured straight after it, each pair",
        each(lambda e, f: ", ".join(f"{r:.2f}" for r in f["paired_ratios"]) if f.get("paired_ratios")
             else "not measured (rebuilds and floors were not interleaved)"))
    row("cold ÷ mkdocs floor (what the badges and cards add to a plain mkdocs build; informational)",
        each(lambda e, f: f"{f['cold_ratio']:.2f}"))
    row("cold: share cards drawn beside MkDocs, wall (s)",
        each(lambda e, f: f"{e['cold']['result']['phases']['draw_cards']['wall']:.1f}"))
    row("cold: badge phase wall (s), CPU use of the cores",
        each(lambda e, f: f"{e['cold']['result']['phases']['badges']['wall']:.1f}, "
                          + (f"{f['busy']:.0%}" + (" (machine-wide)" if f.get("busy_machine_wide") else "")
                             if f["busy"] is not None else "CPU not measurable (fork-server workers)")))
    row("peak memory, whole process tree (sum of RSS / PSS)",
        each(lambda e, f: f"{kib(f['peak_rss'])} / {kib(f['peak_pss'])}" if f["peak_rss"] else NOT_MEASURED))
    row("largest single process max RSS (any build run)",
        each(lambda e, f: kib(f["largest_process"]) if f["largest_process"] else NOT_MEASURED))
    row("output size (bytes, files)", each(lambda e, f: f"{kib(e['output_bytes'])}, {e['output_files']:,}"))
    row("cache size (bytes, files)", each(lambda e, f: f"{kib(e['cache_bytes'])}, {e['cache_files']:,}"))
    row("GitHub Pages artifact (tar of the site, as upload-pages-artifact makes it)",
        each(lambda e, f: f"{e['pages_artifact_bytes']:,} B ({kib(e['pages_artifact_bytes'])})"))
    row("published bytes / files per signatory, all shared pages included",
        each(lambda e, f: f"{e['output_bytes'] / e['n'] / 1000:,.1f} KB / {e['output_files'] / e['n']:.2f}"))
    row("register page (raw / gzip -9)",
        each(lambda e, f: f"{kib(e['register_html_bytes'])} / {kib(e['register_html_gzip_bytes'])}"))
    row("register/rows.json, fetched by the filter (raw / gzip -9)",
        each(lambda e, f: f"{kib(e['register_rows_json_bytes'])} / {kib(e['register_rows_json_gzip_bytes'])}"))
    row("search index (total / per signatory)",
        each(lambda e, f: f"{kib(e['search_index_bytes'])} / {e['search_index_bytes'] / e['n']:,.0f} B"))
    row("register filter: keystroke → table, median / max (ms)",
        each(lambda e, f: f"{e['browser']['median_ms']:.0f} / {e['browser']['max_ms']:.0f} "
                          f"({len(e['browser']['samples'])} keys, {e['browser']['rows']:,} rows)"))
    row("register page: load / filter ready (s)",
        each(lambda e, f: f"{e['browser']['load_seconds']:.1f} / {e['browser']['ready_seconds']:.1f}"))
    row("load before/after: cold", each(lambda e, f: load(e["cold"])))
    row("load before/after: rebuilds", each(lambda e, f: ", ".join(load(r) for r in e["rebuilds"])))
    row("load before/after: mkdocs floor", each(lambda e, f: ", ".join(load(r) for r in e["mkdocs_floor"])))
    row("load before/after: browser", each(lambda e, f: load(e["browser"])))

    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]

    def target(label: str, measured: Callable[[], str], ok: Callable[[], bool]) -> None:
        shown = cell(measured)
        lines.append(f"| {label} | {shown} | {verdict(None) if shown == NOT_MEASURED else verdict(ok())} |")

    for n, e, f in zip(sizes, entries, facts, strict=True):
        if n < 1000:
            continue
        target(f"N={n:,}: nothing-changed rebuild ≤ 1.2 × mkdocs floor",
               lambda f=f: f"{f['rebuild']:.1f} s ÷ {f['floor']:.1f} s = {f['rebuild_ratio']:.2f}",
               lambda f=f: f["rebuild_ratio"] <= 1.2)
        target(f"N={n:,}: nothing changed → no badge kit or Markdown page regenerated, badge files untouched",
               lambda e=e: f"{counts(best(e['rebuilds']))}, {e['badge_files_untouched']:,} of {e['badge_files']:,} untouched",
               lambda e=e: (best(e["rebuilds"])["result"]["badges_rendered"] == 0
                            and best(e["rebuilds"])["result"]["pages_written"] == 0
                            and e["badge_files_untouched"] == e["badge_files"]))
        target(f"N={n:,}: one record changed → badges_rendered == 1",
               lambda e=e: str(e["one_changed"]["result"]["badges_rendered"]),
               lambda e=e: e["one_changed"]["result"]["badges_rendered"] == 1)
        target(f"N={n:,}: badge phase keeps both cores busy (≥ 85% of the cores' time)",
               lambda f=f: f"{f['busy']:.0%}", lambda f=f: f["busy"] >= 0.85)
    e10 = store.get("10000", {})
    f10 = derived(e10) if e10 else {}
    target("N=10,000: peak memory < 1 GiB (max RSS of the build process or any child, getrusage)",
           lambda: (f"{kib(f10['largest_process'])} (whole tree at once: {kib(f10['peak_pss'])} PSS, "
                    f"{kib(f10['peak_rss'])} summed RSS)") if f10.get("largest_process") else NOT_MEASURED,
           lambda: f10["largest_process"] < GIB)
    target("N=10,000: register filter keystroke → table < 100 ms (slowest key)",
           lambda: f"{e10['browser']['max_ms']:.0f} ms (median {e10['browser']['median_ms']:.0f} ms)",
           lambda: e10["browser"]["max_ms"] < 100)
    target("N=10,000: register page < 600 KB gzipped",
           lambda: f"{e10['register_html_gzip_bytes'] / 1000:,.0f} KB", lambda: e10["register_html_gzip_bytes"] < 600_000)
    grown = growth(store)
    target(f"search index growth ≤ ~300 B per added signatory ({grown[0] if grown else 'two sizes needed'})",
           lambda: f"{grown[1]:,.0f} B" if grown else NOT_MEASURED, lambda: grown is not None and grown[1] <= 300)
    e1k = store.get("1000", {})
    for label, measured, ok in size_targets(e1k, e10):
        target(label, measured, ok)
    lines += size_tables(sizes, entries)

    lines += ["", "## Where the time goes", "",
              "Phase times are the build's own (`Progress.phase`, reported in BuildReport.timings): \"extras\" "
              "includes \"badges\" and \"logo_files\", and \"register\" includes \"validate\", which appears only "
              "when the register was validated afresh. \"cards\" checks the cached share cards before MkDocs starts; "
              "\"draw_cards\" draws the missing ones on a thread beside MkDocs' \"render\", so their wall times "
              "overlap and the phases no longer add up to the whole build.", ""]
    for n, e in zip(sizes, entries, strict=True):
        runs = [r["result"] if r else None for r in (e.get("cold"), best(e["rebuilds"]) if e.get("rebuilds") else None,
                                                     e.get("one_changed"))]
        present = [r for r in runs if r]
        if not present:
            continue
        lines += [f"### N = {n:,}", "", "| phase | cold (s) | nothing changed (s) | one changed (s) |", "|---|---|---|---|"]
        for name in dict.fromkeys(k for r in present for k in r["phases"]):
            row(name, [functools.partial(lambda r, name: f"{r['phases'][name]['wall']:.2f}", r, name) for r in runs])
        for name in dict.fromkeys(k for r in present for k in r["timings"]):
            row(f"BuildReport.timings[{name!r}]", [functools.partial(lambda r, name: f"{r['timings'][name]:.2f}", r, name)
                                                   for r in runs])
        row("whole build process (wall)", [functools.partial(lambda m: f"{m['wall']:.2f}", m) for m in
                                           (e.get("cold"), best(e["rebuilds"]) if e.get("rebuilds") else None,
                                            e.get("one_changed"))])
        lines.append("")
    profiled = next(((n, store[str(n)]["profiled_rebuild"]) for n in sizes if "profiled_rebuild" in store[str(n)]), None)
    if profiled:
        n, run = profiled
        lines += [f"### cProfile of one nothing-changed rebuild at N = {n:,} ({run['wall']:.1f} s under the profiler)", "",
                  "Top 20 by cumulative time:", "", "```", trim_profile(run["result"]["profile_cumulative"]), "```", "",
                  "Top 20 by own time:", "", "```", trim_profile(run["result"]["profile_tottime"]), "```", ""]
    if store.get("renderers"):
        lines += renderers.section(store["renderers"])
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    if ANALYSIS.exists():  # hand-written findings, kept apart so RESULTS.md can be regenerated from results.json
        lines += [ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines) + "\n"


GB, MB = 10**9, 10**6
HOSTS = (
    ("GitHub Pages", GB, None, "1 GB published site; a deployment times out after 10 minutes (not measured here)"),
    ("GitLab Pages", GB, 200_000, "1 GB, 200,000 files"),
    ("Cloudflare Pages, free", None, 20_000, "20,000 files"),
    ("Cloudflare Pages, paid", None, 100_000, "100,000 files"),
)
"""(host, byte limit, file limit, the limit as the brief states it). GB is taken as 10^9 bytes, the smaller
reading. Netlify's limits are not in the documentation this was checked against: unverified, so not listed."""


def size_targets(e1k: dict[str, Any], e10: dict[str, Any]) -> list[tuple[str, Callable[[], str], Callable[[], bool]]]:
    """The size and time targets of a national register (issue 13)."""
    return [
        ("N=1,000: published site ≤ 100 MB", lambda: f"{e1k['output_bytes'] / MB:,.1f} MB",
         lambda: e1k["output_bytes"] <= 100 * MB),
        ("N=10,000: published site ≤ 1 GB", lambda: f"{e10['output_bytes'] / GB:,.3f} GB",
         lambda: e10["output_bytes"] <= GB),
        ("N=10,000: GitHub Pages artifact ≤ 1 GB", lambda: f"{e10['pages_artifact_bytes'] / GB:,.3f} GB",
         lambda: e10["pages_artifact_bytes"] <= GB),
        ("N=10,000: published files ≤ 60,000", lambda: f"{e10['output_files']:,}", lambda: e10["output_files"] <= 60_000),
        ("N=10,000: cache ≤ 2 GB", lambda: f"{e10['cache_bytes'] / GB:,.3f} GB", lambda: e10["cache_bytes"] <= 2 * GB),
        ("N=10,000: cold build ≤ 5 minutes", lambda: f"{e10['cold']['wall']:,.0f} s", lambda: e10["cold"]["wall"] <= 300),
    ]


def linear(points: list[tuple[int, float]]) -> tuple[float, float]:
    """(fixed, per signatory) through the two largest sizes; through zero when there is only one."""
    if len(points) == 1:
        return 0.0, points[0][1] / points[0][0]
    (n1, v1), (n2, v2) = points[-2], points[-1]
    per = (v2 - v1) / (n2 - n1)
    return v1 - per * n1, per


def size_tables(sizes: list[int], entries: list[dict[str, Any]]) -> list[str]:
    """Where the published bytes go, per signatory, and at which register size each host's limit is reached."""
    measured = [(n, e) for n, e in zip(sizes, entries, strict=True) if e.get("kinds")]
    if not measured:
        return []
    lines = ["", "## Where the published bytes go", "",
             "Bytes and files of the published site by kind of file, and per signatory (shared pages included).", ""]
    for n, e in measured:
        lines += [f"### N = {n:,}", "", "| kind of file | bytes | files | bytes per signatory | files per signatory |",
                  "|---|---|---|---|---|"]
        for kind, (size, files) in sorted(e["kinds"].items(), key=lambda item: -item[1][0]):
            lines.append(f"| {kind} | {kib(size)} | {files:,} | {size / n / 1000:,.1f} KB | {files / n:.2f} |")
        lines += [f"| **all** | **{kib(e['output_bytes'])}** | **{e['output_files']:,}** | "
                  f"**{e['output_bytes'] / n / 1000:,.1f} KB** | **{e['output_files'] / n:.2f}** |", ""]
    bytes_fit = linear([(n, float(e["pages_artifact_bytes"] or e["output_bytes"])) for n, e in measured])
    files_fit = linear([(n, float(e["output_files"])) for n, e in measured])
    basis = " and ".join(f"{n:,}" for n, _e in measured[-2:])
    lines += ["## Which hosts fit which register", "",
              f"Extrapolated linearly from the measured N = {basis} (bytes: the Pages artifact).", "",
              "| host | limit | reached at about N = |", "|---|---|---|"]
    for host, byte_limit, file_limit, text in HOSTS:
        reached = [int((limit - fit[0]) / fit[1]) for limit, fit in ((byte_limit, bytes_fit), (file_limit, files_fit))
                   if limit is not None and fit[1] > 0]
        lines.append(f"| {host} | {text} | {min(reached):,} |" if reached else f"| {host} | {text} | not reached |")
    lines.append("| Netlify | not in the documentation checked: unverified | not computed |")
    return lines


def trim_profile(text: str) -> str:
    """pstats output without its preamble, with paths shortened to the project or site-packages."""
    body = text[text.find("   ncalls"):] if "   ncalls" in text else text
    body = body.replace(str(ROOT) + "/", "")
    # A run from another checkout of the project (results are kept per N across runs) names its own root.
    body = re.sub(r"\S*/(?=(?:svcharter|bench|site_templates)/)", "", body)
    return re.sub(r"\S*site-packages/", "", body).strip()


NOTES = [
    "The MkDocs floor is `python -m mkdocs build -q` in a fresh process on a copy of `<cache-dir>/docs` with the same "
    "mkdocs.yml (absolute docs_dir, site_dir and custom_dir), so it includes interpreter start-up, as the build does.",
    "The cold build can never beat the MkDocs floor (it renders the same pages with MkDocs, and draws the badges "
    "and share cards besides), so \"cold ÷ mkdocs floor\" says how much the badges and cards add on top; it is "
    "informational, and the cold build's target is the absolute one (N=10,000 within 5 minutes).",
    "Sizes: bytes are each file's size, counted once per path (as a host stores them); the GitHub Pages artifact is "
    "the byte count of `tar --dereference --hard-dereference` of the site, the command actions/upload-pages-artifact "
    "runs. 1 GB is taken as 10^9 bytes.",
    "Peak memory: the target row uses the brief's definition, max RSS of the build process or any one child "
    "(getrusage RUSAGE_SELF / RUSAGE_CHILDREN in the runner). The tree rows are sampled while it runs: summed RSS "
    "every 0.25 s (over-counts pages the forked pool shares with its parent) and summed PSS every 2 s (shares them "
    "fairly). The sampler costs about 1% of one core.",
    "Filter timing: a capture-phase keydown listener starts `performance.now()`; a MutationObserver on "
    "#register-count notes when the script updated the count, and a requestAnimationFrame + setTimeout(0) scheduled "
    "from the keydown gives the time to the first frame after the update. The table lists the frame time.",
    "The synthetic names are uniformly 1 to 150 characters long (mean about 75), roughly three times a real "
    "register's, and ids are made from them; page and index sizes per signatory are therefore pessimistic.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated register sizes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out", help="scratch folder (git-ignored)")
    parser.add_argument("--workers", type=int, default=0, help="badge render processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the nothing-changed rebuild and mkdocs floor")
    parser.add_argument("--profile-size", type=int, default=1000, help="N at which to cProfile a rebuild")
    parser.add_argument("--browser-sizes", default="10000", help="sizes to open in Chromium ('all', or a list)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--fresh", action="store_true", help="forget results of earlier runs in --work")
    parser.add_argument("--keep-cache", action="store_true",
                        help="keep <work>/nN/cache (the first build is then not cold; results say so)")
    parser.add_argument("--render-only", action="store_true", help="rewrite --out from results.json, measure nothing")
    parser.add_argument("--renderer-sizes", default="",
                        help="sizes at which to compare the renderers, MkDocs and Zensical (a list; default none)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    browser_sizes = set(sizes) if args.browser_sizes == "all" else {int(s) for s in args.browser_sizes.split(",") if s}
    args.work = args.work.resolve()  # MkDocs reads docs_dir relative to its config file: use absolute paths
    args.work.mkdir(parents=True, exist_ok=True)
    store_file = args.work / "results.json"
    store: dict[str, Any] = {} if args.fresh or not store_file.exists() else json.loads(store_file.read_text())
    machine = machine_info()
    def save_store() -> None:
        store_file.write_text(json.dumps(store, indent=1), encoding="utf-8")
        args.out.write_text(render(store, machine, NOTES), encoding="utf-8")

    def save(entry: dict[str, Any]) -> None:
        store[str(entry["n"])] = entry
        save_store()

    if args.render_only:
        args.out.write_text(render(store, machine, NOTES), encoding="utf-8")
        return 0
    # Byte-compile the package first, as an installed one is: otherwise every build process would pay
    # for compiling it, which the MkDocs floor (importing compiled site-packages) never does.
    compileall.compile_dir(ROOT / "svcharter", quiet=1)
    for count in sizes:
        bench_size(count, args.work / f"n{count}", workers=args.workers, repeat=max(1, args.repeat),
                   profile=count == args.profile_size, browser=count in browser_sizes, save=save, seed=args.seed,
                   keep_cache=args.keep_cache)
        log(f"wrote {args.out}")
    for count in (int(s.replace("_", "")) for s in args.renderer_sizes.split(",") if s.strip()):
        def save_comparison(entry: dict[str, Any]) -> None:
            store.setdefault("renderers", {})[str(entry["n"])] = entry
            save_store()
        renderers.compare(count, args.work / f"renderers-n{count}", repeat=max(1, args.repeat), seed=args.seed,
                          workers=args.workers, save=save_comparison)
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
