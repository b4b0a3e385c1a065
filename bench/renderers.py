"""MkDocs and Zensical compared on one synthetic register: the nothing-changed rebuild and peak memory.

    python bench/run.py --sizes "" --renderer-sizes 1000 --repeat 3

Both renderers share one cache folder, so the badge kits and share cards are
rendered once, by the first (cold) MkDocs build, and the builds measured after
it differ only in what renders the pages. Each renderer's first build renders
every page (Zensical starts with an empty cache of its own); the rebuilds
then alternate between the renderers, so a shared machine whose speed drifts
over the run cannot favour either.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import run, synthetic

RENDERERS = ("mkdocs", "zensical")
NAMES = {"mkdocs": "MkDocs", "zensical": "Zensical"}


def compare(count: int, work: Path, *, repeat: int, seed: int, workers: int,
            save: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """First build and `repeat` nothing-changed rebuilds with each renderer, saved after every build."""
    work.mkdir(parents=True, exist_ok=True)
    register, cache = work / "register.yaml", work / "cache"
    synthetic.write_register(register, count, seed)
    shutil.rmtree(cache, ignore_errors=True)
    out: dict[str, Any] = {"n": count, "seed": seed, "started": dt.datetime.now().isoformat(timespec="seconds"),
                           "machine": run.machine_info(), "first": {}, "rebuilds": {r: [] for r in RENDERERS}}
    for renderer in RENDERERS:
        site = work / f"site-{renderer}"
        shutil.rmtree(site, ignore_errors=True)
        run.log(f"N={count}: first build with {NAMES[renderer]}")
        out["first"][renderer] = run.run_build(register, site, cache, workers, renderer=renderer).as_dict()
        out.setdefault("pages", {})[renderer] = sum(1 for _ in site.rglob("*.html"))
        save(out)
    for attempt in range(repeat):
        for renderer in RENDERERS:
            run.log(f"N={count}: nothing-changed rebuild {attempt + 1}/{repeat} with {NAMES[renderer]}")
            measured = run.run_build(register, work / f"site-{renderer}", cache, workers, renderer=renderer)
            out["rebuilds"][renderer].append(measured.as_dict())
            save(out)
    out["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    save(out)
    return out


def _largest_process(measured: dict[str, Any]) -> int:
    """Max RSS in bytes of the build process or of any one child it waited for (Zensical runs as one)."""
    result = measured["result"]
    return max(result["maxrss_self_kib"], result["maxrss_children_kib"]) * 1024


def _cells(entry: dict[str, Any], renderer: str) -> list[str]:
    first = entry["first"].get(renderer)
    rebuilds = entry["rebuilds"].get(renderer) or []
    best = run.best(rebuilds) if rebuilds else None
    runs = [r for r in [first, *rebuilds] if r]
    return [
        f"{first['wall']:.1f}" if first else run.NOT_MEASURED,
        ", ".join(f"{r['wall']:.1f}" for r in rebuilds) or run.NOT_MEASURED,
        f"{best['result']['timings']['mkdocs']:.1f}" if best else run.NOT_MEASURED,
        f"{run.kib(max(_largest_process(r) for r in runs))}" if runs else run.NOT_MEASURED,
        (f"{run.kib(max(r['peak_rss_kib'] for r in runs) * 1024)} / {run.kib(max(r['peak_pss_kib'] for r in runs) * 1024)}"
         if runs else run.NOT_MEASURED),
        str(entry.get("pages", {}).get(renderer, run.NOT_MEASURED)),
        ", ".join(f"{r['load_before'][0]:.1f}/{r['load_after'][0]:.1f}" for r in runs) or run.NOT_MEASURED,
    ]


ROWS = [
    "first build (s): MkDocs' is cold; Zensical's finds the badges and cards cached, and renders every page",
    "**nothing-changed rebuild (s), every run**",
    "rendering the pages in the best rebuild (s, BuildReport.timings['mkdocs'])",
    "**peak memory: largest single process, max RSS (any run)**",
    "peak memory: whole process tree, summed RSS / PSS (any run)",
    "HTML pages published",
    "load before/after, each run",
]


def section(store: dict[str, Any]) -> list[str]:
    """The renderer comparison for RESULTS.md, one pair of columns per register size."""
    sizes = sorted(int(n) for n in store)
    header = " | ".join(f"N = {n:,}: {NAMES[r]}" for n in sizes for r in RENDERERS)
    lines = ["## Renderers: MkDocs and Zensical", "",
             "`python bench/run.py --sizes \"\" --renderer-sizes N`: the same register built with "
             "`--renderer mkdocs` and `--renderer zensical`, sharing one cache, so only the page rendering differs "
             "(bench/renderers.py). The machine was shared with other engineers' work while this was measured: "
             "the load averages are in the last row.", "",
             f"| | {header} |", "|---" * (1 + 2 * len(sizes)) + "|"]
    columns = [_cells(store[str(n)], r) for n in sizes for r in RENDERERS]
    for number, label in enumerate(ROWS):
        lines.append(f"| {label} | " + " | ".join(column[number] for column in columns) + " |")
    lines.append("")
    for n in sizes:
        entry, machine = store[str(n)], store[str(n)].get("machine") or {}
        packages = ", ".join(f"{k} {v}" for k, v in (machine.get("packages") or {}).items())
        lines.append(f"- N = {n:,}: measured from {entry['started'].replace('T', ' ')} on {machine.get('cores')} cores, "
                     f"CPU: {machine.get('cpu')}; {packages}.")
    return [*lines, ""]
