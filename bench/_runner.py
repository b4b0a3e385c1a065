"""One build (or one floor measurement) in a fresh process, reported as JSON on stdout's last line.

Why a separate process: a real build starts cold (imports, font caches, a new
process pool), its memory must be measured on its own, and the benchmark
process must not carry MkDocs' or cairosvg's state from one measurement into
the next. The build times its own phases (Progress.phase fills
BuildReport.timings); the runner's Progress adds the CPU each phase used.

    python bench/_runner.py build '{"signatories": ..., "output": ..., "cache_dir": ..., ...}'
    python bench/_runner.py badge-floor '{"subjects": FILE, "sample": 200, "workers": 2}'
"""

from __future__ import annotations

import contextlib
import cProfile
import dataclasses
import datetime as dt
import io
import json
import os
import pickle
import pstats
import resource
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: svcharter lives beside bench/
    sys.path.insert(0, str(ROOT))

from svcharter import badges, site_extras  # noqa: E402
from svcharter import build as pipeline  # noqa: E402
from svcharter.config import Config  # noqa: E402


def cpu_seconds() -> tuple[float, float]:
    """User+system CPU of this process and of its reaped children (the badge pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def system_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat; 0 where there is none).

    Fork-server workers are not the runner's children, so getrusage cannot see
    their CPU; the machine-wide count can, and on a quiet machine it is theirs.
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class MeasuredProgress(pipeline.Progress):
    """The build's own phases (Progress.phase), with the CPU each used beside its wall time.

    The build fills BuildReport.timings itself; this only adds CPU seconds
    (the build's, its reaped children's and the whole machine's busy time),
    which the benchmark needs to say whether the render workers kept the
    cores busy.
    """

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.phases: dict[str, dict[str, float]] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        cpu_before, busy_before = cpu_seconds(), system_busy_seconds()
        try:
            with super().phase(name):
                yield
        finally:
            own, children = (after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True))
            entry = self.phases.setdefault(name, {"wall": 0.0, "cpu_self": 0.0, "cpu_children": 0.0, "calls": 0,
                                                  "cpu_machine_busy": 0.0})
            entry["wall"] = self.timings[name]
            entry["cpu_self"] += own
            entry["cpu_children"] += children
            entry["cpu_machine_busy"] += system_busy_seconds() - busy_before
            entry["calls"] += 1


def dump_badge_subjects(cfg: Config, path: str) -> None:
    """The badge subjects of the register just built, for the cairosvg floor (read from the cached register)."""
    settings = pipeline.read_mkdocs_settings(cfg)
    register = pipeline.validated_register(cfg, settings, pipeline.Progress(quiet=True), [])
    with open(path, "wb") as handle:
        pickle.dump(site_extras.badge_subjects(register)[1], handle)


def run_build(options: dict[str, Any]) -> dict[str, Any]:
    """Build once with svcharter.build.build and return the report, phase timings and resource use."""
    progress = MeasuredProgress()
    cfg = Config(signatories=Path(options["signatories"]), output=Path(options["output"]),
                 cache_dir=Path(options["cache_dir"]), site_url=options["site_url"],
                 build_date=dt.date.fromisoformat(options["build_date"]), quiet=True,
                 workers=int(options.get("workers") or 0), renderer=options.get("renderer") or "mkdocs")
    profiler = cProfile.Profile() if options.get("profile") else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = pipeline.build(cfg, progress)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    if options.get("dump_subjects"):
        dump_badge_subjects(cfg, options["dump_subjects"])
    fields = {k: v for k, v in dataclasses.asdict(report).items() if isinstance(v, (int, float, dict))}
    result: dict[str, Any] = {
        **fields,  # signatories, pages_written, badges_rendered, cards_rendered, timings ...
        "changes_chars": len(str(getattr(report, "changes", ""))),
        "phases": progress.phases,
        "wall_in_process": wall,
        "worker_count": cfg.worker_count,
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(20)
        result["profile_cumulative"] = out.getvalue()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(20)
        result["profile_tottime"] = out.getvalue()
    return result


def _bare_cairosvg(subject: badges.BadgeSubject) -> tuple[float, float, float]:
    """Wall seconds of bare cairosvg work for one kit (2 colours x 3 PNG widths + PDF), its CPU seconds, and SVG layout.

    CPU seconds are kept too because the machine is shared: wall time per call
    grows with other people's load, CPU time much less.
    """
    import cairosvg  # loaded by _bare_chunk before any timing, so this only looks it up

    cairo = cpu = layout = 0.0
    for white in (False, True):
        started = time.perf_counter()
        svg = badges.badge_svg(subject, white).encode("utf-8")
        layout += time.perf_counter() - started
        started, cpu_started = time.perf_counter(), time.process_time()
        for width in badges.PNG_WIDTHS:
            cairosvg.svg2png(bytestring=svg, output_width=width)
        cairosvg.svg2pdf(bytestring=svg)
        cairo += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return cairo, cpu, layout


def _bare_chunk(subjects: list[badges.BadgeSubject]) -> tuple[float, float, float]:
    """Sum of per-kit times for a share of the subjects (runs in one pool worker)."""
    import cairosvg  # noqa: F401 - loaded outside the timed calls; a build loads it only when it must render

    badges.badge_svg(subjects[0])  # load fonts and glyph caches outside the timed calls, as a build worker would once
    return column_sums([_bare_cairosvg(subject) for subject in subjects])


def column_sums(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(wall, CPU, layout) seconds summed over per-item or per-chunk rows; zeros when there are none."""
    wall, cpu, layout = (sum(column) for column in zip(*rows, strict=True)) if rows else (0.0, 0.0, 0.0)
    return wall, cpu, layout


def sample_of(items: list[Any], sample: int) -> list[Any]:
    """An evenly spaced sample (all of them when sample is 0 or not smaller)."""
    if not sample or sample >= len(items):
        return items
    step = len(items) / sample
    return [items[int(i * step)] for i in range(sample)]


def parallel_sum(function: Callable[[list[Any]], tuple[float, ...]], items: list[Any], workers: int) -> list[float]:
    """Per-item times summed over `workers` processes (parallel only to save wall time)."""
    chunks = [items[i::workers] for i in range(workers) if items[i::workers]]
    if len(chunks) <= 1:
        parts = [function(chunk) for chunk in chunks]
    else:
        with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
            parts = list(pool.map(function, chunks))
    return list(column_sums(parts))


def run_badge_floor(options: dict[str, Any]) -> dict[str, Any]:
    """The bare cairosvg floor: the same badge SVGs to the same PNG sizes and PDF, no cache, bake or zip.

    The summed per-kit time is divided by the cores used. Workers measure in
    parallel only to save wall time; each call is timed on its own.
    """
    with open(options["subjects"], "rb") as handle:
        subjects: list[badges.BadgeSubject] = pickle.load(handle)
    sample = int(options.get("sample") or 0)
    chosen = sample_of(subjects, sample)
    workers = max(1, int(options.get("workers") or os.cpu_count() or 1))
    started = time.perf_counter()
    cairo, cpu, layout = parallel_sum(_bare_chunk, chosen, workers)
    wall = time.perf_counter() - started
    scale = len(subjects) / len(chosen) if chosen else 0.0
    result = {"subjects": len(subjects), "measured": len(chosen), "scale": scale, "workers": workers,
              "cairosvg_seconds_measured": cairo, "layout_seconds_measured": layout,
              "cairosvg_seconds_all": cairo * scale, "cairosvg_cpu_seconds_all": cpu * scale,
              "layout_seconds_all": layout * scale, "floor_seconds": cairo * scale / workers, "wall_measured": wall}
    return result


def main(argv: list[str]) -> int:
    mode, options = argv[0], json.loads(argv[1])
    result = run_build(options) if mode == "build" else run_badge_floor(options)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["maxrss_self_kib"] = own
    result["maxrss_children_kib"] = children
    sys.stdout.flush()
    print("\n" + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
