#!/usr/bin/env python3
"""Benchmark the site build against floors measured on the same machine, in the same run.

    python bench/run.py [--sizes 100,1000,10000] [--out bench/RESULTS.md] [--workers N] [--repeat R]

Why floors and not absolute times: the machine is small (2 cores) and shared,
so "the build takes 40 s" means little; "the nothing-changed rebuild costs
1.1 x a bare `mkdocs build` of the same pages" says how much our own code
adds, and survives a busier or faster machine. For each N the script:

1. writes a synthetic register (bench/synthetic.py, seeded, every field used);
2. builds cold (empty cache and output), then again with nothing changed, then
   after renaming one signatory, each in a fresh process (bench/_runner.py)
   that reports BuildReport (badges_rendered, pages_written, timings), its own
   phase timings and max RSS, while this process samples the whole process
   tree's memory;
3. measures the floors: (a) `python -m mkdocs build` of a copy of the same
   generated Markdown with the same mkdocs.yml, no badges or extras; (b) bare
   cairosvg for the same badge SVGs to the same PNG widths and PDF, divided by
   the cores used (sampled and scaled linearly above 1,000 signatories);
4. records output size, the register page gzipped, the search index per
   signatory and, for the largest N, the register filter's keystroke-to-table
   time in headless Chromium.

Results are kept per N in <work>/results.json (so sizes can be run at
different times) and written with the machine, load and targets to --out.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/run.py`: make `bench` and `svcharter` importable
    sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402

RUNNER = Path(__file__).resolve().parent / "_runner.py"
SITE_URL = "https://charter.example.org/"
BUILD_DATE = synthetic.BUILD_DATE.isoformat()
GIB = 1024**3
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
                "playwright"]
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


def _tree_memory(root: int) -> tuple[int, int]:
    """Summed RSS and PSS (KiB) of a process and all its descendants, now."""
    tree = _children_map()
    todo, rss, pss = [root], 0, 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss


class TreeSampler:
    """Samples a process tree's total memory while it runs: max RSS per process misses the pool running beside it."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = _tree_memory(self.pid)
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
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
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)}
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
              dump_subjects: Path | None = None) -> Measured:
    """One build in a fresh process via bench/_runner.py (svcharter.build.build, report as JSON)."""
    options = {"signatories": str(signatories), "output": str(output), "cache_dir": str(cache),
               "site_url": SITE_URL, "build_date": BUILD_DATE, "workers": workers, "profile": profile,
               "dump_subjects": str(dump_subjects) if dump_subjects else None}
    return measure([sys.executable, str(RUNNER), "build", json.dumps(options)])


def mkdocs_floor(docs: Path, work: Path) -> Measured:
    """Floor (a): plain `mkdocs build` of the same generated pages, same mkdocs.yml, no badges or extras."""
    import yaml

    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    site = work / "floor-site"
    settings["docs_dir"] = str(docs)
    settings["site_dir"] = str(site)
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


def badge_floor(subjects: Path, sample: int, workers: int) -> Measured:
    """Floor (b): bare cairosvg for the same badge SVGs, per kit, summed and divided by the cores used."""
    options = {"subjects": str(subjects), "sample": sample, "workers": workers}
    return measure([sys.executable, str(RUNNER), "badge-floor", json.dumps(options)])


# ---------------------------------------------------------------- output facts


def tree_size(root: Path) -> tuple[int, int]:
    """(bytes, files) under a folder; hard-linked badge files count once per path, as a server would publish them."""
    total = files = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
            files += 1
    return total, files


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


def bench_size(count: int, work: Path, *, workers: int, repeat: int, badge_sample: int, profile: bool,
               browser: bool, seed: int = 2017) -> dict[str, Any]:
    """Every measurement for one register size; returns plain data for results.json."""
    work.mkdir(parents=True, exist_ok=True)
    register, cache, site = work / "register.yaml", work / "cache", work / "site"
    subjects = work / "subjects.pickle"
    records = synthetic.write_register(register, count, seed)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    out: dict[str, Any] = {"n": count, "seed": seed, "started": dt.datetime.now().isoformat(timespec="seconds"),
                           "withdrawn": sum(1 for r in records if "withdrawn" in r)}

    log(f"N={count}: cold build")
    cold = run_build(register, site, cache, workers, dump_subjects=subjects)
    out["cold"] = cold.as_dict()
    out["output_bytes"], out["output_files"] = tree_size(site)
    out["cache_bytes"], out["cache_files"] = tree_size(cache)
    log(f"N={count}: cold {cold.wall:.1f}s, {cold.result['badges_rendered']} badges")

    stamps = badge_stamps(site)
    rebuilds = []
    for attempt in range(repeat):
        log(f"N={count}: nothing-changed rebuild {attempt + 1}/{repeat}")
        rebuilds.append(run_build(register, site, cache, workers))
    after = badge_stamps(site)
    out["rebuilds"] = [r.as_dict() for r in rebuilds]
    out["badge_files"] = len(stamps)
    out["badge_files_untouched"] = sum(1 for k, v in stamps.items() if after.get(k) == v)

    docs = work / "floor-docs"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.copytree(cache / "docs", docs)
    floors = []
    for attempt in range(repeat):
        log(f"N={count}: mkdocs floor {attempt + 1}/{repeat}")
        floors.append(mkdocs_floor(docs, work))
    out["mkdocs_floor"] = [f.as_dict() for f in floors]

    if profile:
        log(f"N={count}: profiled nothing-changed rebuild")
        out["profiled_rebuild"] = run_build(register, site, cache, workers, profile=True).as_dict()

    renamed = synthetic.change_one_name(register, records)
    log(f"N={count}: one record changed ({renamed})")
    changed = run_build(register, site, cache, workers)
    out["one_changed"] = {**changed.as_dict(), "renamed": renamed}

    sample = 0 if count <= badge_sample else badge_sample
    log(f"N={count}: bare cairosvg floor ({'all' if not sample else sample} subjects)")
    out["badge_floor"] = badge_floor(subjects, sample, cold.result["worker_count"]).as_dict()

    page = (site / "register" / "index.html").read_bytes()
    out["register_html_bytes"] = len(page)
    out["register_html_gzip_bytes"] = len(gzip.compress(page, compresslevel=9))
    out["search_index_bytes"] = (site / "search" / "search_index.json").stat().st_size
    if browser:
        log(f"N={count}: register filter in Chromium")
        load_before = loadavg()
        out["browser"] = {**browser_filter(site), "load_before": load_before, "load_after": loadavg()}
    out["finished"] = dt.datetime.now().isoformat(timespec="seconds")
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


def derived(entry: dict[str, Any]) -> dict[str, Any]:
    """Ratios and target checks for one size."""
    rebuild, floor = best(entry["rebuilds"]), best(entry["mkdocs_floor"])
    badge = entry["badge_floor"]["result"]
    badges_phase = entry["cold"]["result"]["phases"].get("badges", {})
    cores = entry["cold"]["result"]["worker_count"]
    busy = None
    if badges_phase.get("wall"):
        busy = (badges_phase["cpu_self"] + badges_phase["cpu_children"]) / (badges_phase["wall"] * cores)
    peak_rss = max([entry["cold"]["peak_rss_kib"], *[r["peak_rss_kib"] for r in entry["rebuilds"]],
                    entry["one_changed"]["peak_rss_kib"]]) * 1024
    peak_pss = max([entry["cold"]["peak_pss_kib"], *[r["peak_pss_kib"] for r in entry["rebuilds"]],
                    entry["one_changed"]["peak_pss_kib"]]) * 1024
    largest_process = max(entry["cold"]["result"]["maxrss_self_kib"], entry["cold"]["result"]["maxrss_children_kib"]) * 1024
    return {
        "rebuild": rebuild["wall"], "floor": floor["wall"], "badge_floor": badge["floor_seconds"],
        "rebuild_ratio": rebuild["wall"] / floor["wall"],
        "cold_ratio": entry["cold"]["wall"] / (floor["wall"] + badge["floor_seconds"]),
        "busy": busy, "peak_rss": peak_rss, "peak_pss": peak_pss, "largest_process": largest_process,
    }


def growth(store: dict[str, Any]) -> tuple[str, float] | None:
    """Search index bytes per added signatory between the two largest sizes measured."""
    sizes = sorted(int(n) for n in store)
    if len(sizes) < 2:
        return None
    small, large = store[str(sizes[-2])], store[str(sizes[-1])]
    per = (large["search_index_bytes"] - small["search_index_bytes"]) / (large["n"] - small["n"])
    return f"{sizes[-2]:,} → {sizes[-1]:,}", per


def render(store: dict[str, Any], machine: dict[str, Any], notes: list[str]) -> str:
    """RESULTS.md: machine, table, targets with PASS/MISS, and where the time goes."""
    sizes = sorted(int(n) for n in store)
    entries = [store[str(n)] for n in sizes]
    facts = {n: derived(store[str(n)]) for n in sizes}
    lines = ["# Benchmark results", "",
             f"Written {dt.datetime.now().isoformat(timespec='minutes')} by `python bench/run.py` "
             "(see bench/run.py for what each number means). Real measurements only; times are wall-clock seconds, "
             "best of the repeats for rebuilds and the MkDocs floor.", "",
             "## Machine", "",
             f"- {machine['cores']} cores, {machine['memory_gib']} GiB memory, CPU: {machine['cpu']}",
             f"- Python {machine['python']} on {machine['platform']}; cairo {machine['cairo']}; {machine['chromium']}",
             "- " + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()),
             "- The machine is shared with other engineers running tests: each step's 1-minute load average "
             "before/after is in the table (2.0 means both cores were already busy).", ""]
    lines += ["## Measurements", "", "| | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
              "|---|" + "---|" * len(sizes)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    def load(m: dict[str, Any]) -> str:
        return f"{m['load_before'][0]:.1f}/{m['load_after'][0]:.1f}"

    row("measured on", [e["started"].replace("T", " ") for e in entries])
    row("signatories (withdrawn)", [f"{e['cold']['result']['signatories']:,} ({e['withdrawn']:,})" for e in entries])
    row("cold build (s)", [f"{e['cold']['wall']:.1f}" for e in entries])
    row("cold: badges rendered", [f"{e['cold']['result']['badges_rendered']:,}" for e in entries])
    row("nothing changed: rebuild (s), all runs",
        [", ".join(f"{r['wall']:.1f}" for r in e["rebuilds"]) for e in entries])
    row("nothing changed: badges rendered / Markdown files written",
        [" / ".join([str(best(e["rebuilds"])["result"]["badges_rendered"]),
                     str(best(e["rebuilds"])["result"]["pages_written"])]) for e in entries])
    row("nothing changed: badge files left untouched (inode+mtime)",
        [f"{e['badge_files_untouched']:,} of {e['badge_files']:,}" for e in entries])
    row("one name changed: rebuild (s)", [f"{e['one_changed']['wall']:.1f}" for e in entries])
    row("one name changed: badges rendered / Markdown files written",
        [f"{e['one_changed']['result']['badges_rendered']} / {e['one_changed']['result']['pages_written']}"
         for e in entries])
    row("floor (a): plain mkdocs build (s), all runs",
        [", ".join(f"{r['wall']:.1f}" for r in e["mkdocs_floor"]) for e in entries])
    row("floor (b): bare cairosvg ÷ cores (s)",
        [f"{facts[n]['badge_floor']:.1f}" + (f" (sampled {store[str(n)]['badge_floor']['result']['measured']}, scaled "
                                             f"×{store[str(n)]['badge_floor']['result']['scale']:.1f})"
                                             if store[str(n)]["badge_floor"]["result"]["scale"] > 1 else "")
         for n in sizes])
    row("badge SVG layout, not in floor (b) (s ÷ cores)",
        [f"{e['badge_floor']['result']['layout_seconds_all'] / e['badge_floor']['result']['workers']:.1f}" for e in entries])
    row("**nothing-changed rebuild ÷ mkdocs floor**", [f"**{facts[n]['rebuild_ratio']:.2f}**" for n in sizes])
    row("**cold ÷ (mkdocs floor + badge floor)**", [f"**{facts[n]['cold_ratio']:.2f}**" for n in sizes])
    row("badge phase: wall (s), CPU use of the cores",
        [f"{e['cold']['result']['phases'].get('badges', {}).get('wall', 0):.1f}, "
         + (f"{facts[n]['busy']:.0%}" if facts[n]["busy"] is not None else "?") for n, e in zip(sizes, entries, strict=True)])
    row("peak memory, whole process tree (sum of RSS / PSS)",
        [f"{kib(facts[n]['peak_rss'])} / {kib(facts[n]['peak_pss'])}" for n in sizes])
    row("largest single process max RSS (cold)", [kib(facts[n]["largest_process"]) for n in sizes])
    row("output size (bytes, files)", [f"{kib(e['output_bytes'])}, {e['output_files']:,}" for e in entries])
    row("cache size (bytes, files)", [f"{kib(e['cache_bytes'])}, {e['cache_files']:,}" for e in entries])
    row("register page (raw / gzip -9)",
        [f"{kib(e['register_html_bytes'])} / {kib(e['register_html_gzip_bytes'])}" for e in entries])
    row("search index (total / per signatory)",
        [f"{kib(e['search_index_bytes'])} / {e['search_index_bytes'] / e['n']:,.0f} B" for e in entries])
    row("filter keystroke → table, median / max (ms)",
        [f"{e['browser']['median_ms']:.0f} / {e['browser']['max_ms']:.0f}" if "median_ms" in e.get("browser", {})
         else "not measured" for e in entries])
    row("load before/after: cold", [load(e["cold"]) for e in entries])
    row("load before/after: rebuilds", [", ".join(load(r) for r in e["rebuilds"]) for e in entries])
    row("load before/after: mkdocs floor", [", ".join(load(r) for r in e["mkdocs_floor"]) for e in entries])
    row("load before/after: badge floor", [load(e["badge_floor"]) for e in entries])

    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    for n in sizes:
        if n < 1000:
            continue
        f, e = facts[n], store[str(n)]
        rb = best(e["rebuilds"])["result"]
        lines.append(f"| N={n:,}: nothing-changed rebuild ≤ 1.2 × mkdocs floor | {f['rebuild']:.1f} s ÷ {f['floor']:.1f} s "
                     f"= {f['rebuild_ratio']:.2f} | {verdict(f['rebuild_ratio'] <= 1.2)} |")
        lines.append(f"| N={n:,}: nothing changed → no badge or page regenerated | {rb['badges_rendered']} badges, "
                     f"{rb['pages_written']} Markdown files, {e['badge_files_untouched']:,}/{e['badge_files']:,} badge "
                     f"files untouched | {verdict(rb['badges_rendered'] == 0 and rb['pages_written'] == 0 and e['badge_files_untouched'] == e['badge_files'])} |")  # noqa: E501
        oc = e["one_changed"]["result"]
        lines.append(f"| N={n:,}: one record changed → badges_rendered == 1 | {oc['badges_rendered']} | "
                     f"{verdict(oc['badges_rendered'] == 1)} |")
        lines.append(f"| N={n:,}: cold ≤ 1.2 × (mkdocs floor + badge floor) | {e['cold']['wall']:.1f} s ÷ "
                     f"({f['floor']:.1f} + {f['badge_floor']:.1f}) s = {f['cold_ratio']:.2f} | {verdict(f['cold_ratio'] <= 1.2)} |")
        if f["busy"] is not None:
            lines.append(f"| N={n:,}: badge phase keeps both cores busy (≥ 85% CPU use) | {f['busy']:.0%} | "
                         f"{verdict(f['busy'] >= 0.85)} |")
    if 10000 in facts:
        f, e = facts[10000], store["10000"]
        lines.append(f"| N=10,000: peak memory < 1 GiB (process tree, sum of RSS) | {kib(f['peak_rss'])} | "
                     f"{verdict(f['peak_rss'] < GIB)} |")
        if "median_ms" in e.get("browser", {}):
            lines.append(f"| N=10,000: filter keystroke → table < 100 ms (max of {len(e['browser']['samples'])} keys) | "
                         f"{e['browser']['max_ms']:.0f} ms (median {e['browser']['median_ms']:.0f}) | "
                         f"{verdict(e['browser']['max_ms'] < 100)} |")
        lines.append(f"| N=10,000: register page < 600 KB gzipped | {e['register_html_gzip_bytes'] / 1000:,.0f} KB | "
                     f"{verdict(e['register_html_gzip_bytes'] < 600_000)} |")
    else:
        lines.append("| N=10,000: peak memory, filter time, register page size | not measured in this run | n/a |")
    grown = growth(store)
    if grown:
        label, per = grown
        lines.append(f"| search index growth ≤ ~300 B per added signatory ({label}) | {per:,.0f} B | {verdict(per <= 300)} |")

    lines += ["", "## Where the time goes", ""]
    for n in sizes:
        e = store[str(n)]
        lines += [f"### N = {n:,}", "", "| phase | cold (s) | nothing changed (s) | one changed (s) |", "|---|---|---|---|"]
        runs = [e["cold"]["result"], best(e["rebuilds"])["result"], e["one_changed"]["result"]]
        names = list(dict.fromkeys(k for r in runs for k in r["phases"]))
        for name in names:
            row(name, [f"{r['phases'].get(name, {}).get('wall', 0):.2f}" for r in runs])
        for name in dict.fromkeys(k for r in runs for k in r["timings"]):
            row(f"BuildReport.timings[{name!r}]", [f"{r['timings'].get(name, 0):.2f}" for r in runs])
        row("whole process (wall)", [f"{e['cold']['wall']:.2f}", f"{best(e['rebuilds'])['wall']:.2f}",
                                     f"{e['one_changed']['wall']:.2f}"])
        lines.append("")
    profiled = next(((n, store[str(n)]["profiled_rebuild"]) for n in sizes if "profiled_rebuild" in store[str(n)]), None)
    if profiled:
        n, run = profiled
        lines += [f"### cProfile of one nothing-changed rebuild at N = {n:,} (under the profiler: {run['wall']:.1f} s)", "",
                  "Top 20 by cumulative time:", "", "```", trim_profile(run["result"]["profile_cumulative"]), "```", "",
                  "Top 20 by own time:", "", "```", trim_profile(run["result"]["profile_tottime"]), "```", ""]
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(lines) + "\n"


def trim_profile(text: str) -> str:
    """pstats output without its preamble, with paths shortened to the project or site-packages."""
    body = text[text.find("   ncalls"):] if "   ncalls" in text else text
    body = body.replace(str(ROOT) + "/", "")
    return re.sub(r"\S*site-packages/", "", body).strip()


NOTES = [
    "Floor (a) is `python -m mkdocs build -q` in a fresh process on a copy of `<cache-dir>/docs` with the same "
    "mkdocs.yml (absolute docs_dir, site_dir and custom_dir), so it includes interpreter start-up, as the build does.",
    "Floor (b) times only `cairosvg.svg2png` at 300, 600 and 1200 px and `cairosvg.svg2pdf` on `badges.badge_svg()` "
    "for both colours of every current signatory (no cache, baking, SVG writing or ZIP), summed per call and divided "
    "by the cores used. Above 1,000 signatories it is measured on an evenly spaced sample and scaled linearly, as the "
    "row says. The SVG layout time (fonts to outlines) is shown separately and is not part of the floor.",
    "Peak memory is sampled every 0.2 s as the summed RSS (and PSS, which shares copy-on-write pages fairly) of the "
    "build process and all its children; RSS over-counts pages the pool workers share with their parent.",
    "Filter timing: a capture-phase keydown listener starts `performance.now()`; a MutationObserver on "
    "#register-count notes when the script updated the count, and a requestAnimationFrame + setTimeout(0) scheduled "
    "from the keydown gives the time to the first frame after the update. The table lists the frame time.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated register sizes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out", help="scratch folder (git-ignored)")
    parser.add_argument("--workers", type=int, default=0, help="badge render processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the nothing-changed rebuild and mkdocs floor")
    parser.add_argument("--badge-sample", type=int, default=200,
                        help="above this many signatories, measure the cairosvg floor on this many and scale")
    parser.add_argument("--profile-size", type=int, default=1000, help="N at which to cProfile a rebuild")
    parser.add_argument("--browser-sizes", default="10000", help="sizes to open in Chromium ('all', or a list)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--fresh", action="store_true", help="forget results of earlier runs in --work")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    browser_sizes = set(sizes) if args.browser_sizes == "all" else {int(s) for s in args.browser_sizes.split(",") if s}
    args.work.mkdir(parents=True, exist_ok=True)
    store_file = args.work / "results.json"
    store: dict[str, Any] = {} if args.fresh or not store_file.exists() else json.loads(store_file.read_text())
    machine = machine_info()
    for count in sizes:
        entry = bench_size(count, args.work / f"n{count}", workers=args.workers, repeat=max(1, args.repeat),
                           badge_sample=args.badge_sample, profile=count == args.profile_size,
                           browser=count in browser_sizes, seed=args.seed)
        store[str(count)] = entry
        store_file.write_text(json.dumps(store, indent=1), encoding="utf-8")
        args.out.write_text(render(store, machine, NOTES), encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
