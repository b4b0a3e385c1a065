"""One build (or one floor measurement) in a fresh process, reported as JSON on stdout's last line.

Why a separate process: a real build starts cold (imports, font caches, a new
process pool), its memory must be measured on its own, and the benchmark
process must not carry MkDocs' or cairosvg's state from one measurement into
the next. The build's own phases are timed by wrapping the pipeline's
functions here, so the benchmark needs no hooks in svcharter itself.

    python bench/_runner.py build '{"signatories": ..., "output": ..., "cache_dir": ..., ...}'
    python bench/_runner.py badge-floor '{"subjects": FILE, "sample": 200, "workers": 2}'
"""

from __future__ import annotations

import cProfile
import dataclasses
import datetime as dt
import functools
import io
import json
import os
import pickle
import pstats
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: svcharter lives beside bench/
    sys.path.insert(0, str(ROOT))

from svcharter import badges, security, site_extras  # noqa: E402
from svcharter import build as pipeline  # noqa: E402
from svcharter.config import Config  # noqa: E402

CARD_SUBJECTS = "card-subjects.pickle"


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


def timed(phases: dict[str, dict[str, float]], name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a pipeline function to record its wall time and the CPU it (and its workers) used."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu_before = cpu_seconds()
        busy_before = system_busy_seconds()
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            wall = time.perf_counter() - started
            own, children = (after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True))
            busy = system_busy_seconds() - busy_before
            entry = phases.setdefault(name, {"wall": 0.0, "cpu_self": 0.0, "cpu_children": 0.0, "calls": 0,
                                             "cpu_machine_busy": 0.0})
            entry["cpu_machine_busy"] = entry.get("cpu_machine_busy", 0.0) + busy
            entry["wall"] += wall
            entry["cpu_self"] += own
            entry["cpu_children"] += children
            entry["calls"] += 1

    return wrapper


def instrument(phases: dict[str, dict[str, float]], dump_subjects: str | None) -> None:
    """Time each step of svcharter.build.build by replacing the names it calls through."""
    original_render = badges.render_badges

    def render_badges(subjects: Any, cache_dir: Path, workers: int = 0, **options: Any) -> badges.BadgeOutput:
        if dump_subjects:
            with open(dump_subjects, "wb") as handle:
                pickle.dump(list(subjects), handle)
        return original_render(subjects, cache_dir, workers, **options)

    badges.render_badges = timed(phases, "badges", render_badges)  # type: ignore[assignment]
    badges.render_logo_files = timed(phases, "logo_files", badges.render_logo_files)  # type: ignore[assignment]
    site_extras.make_extras = timed(phases, "extras (incl. badges)", site_extras.make_extras)  # type: ignore[assignment]
    # "finish_html" is the label earlier results use for the pass that secures HTML after MkDocs.
    for module, name, label in ((site_extras, "share_cards", "share_cards"), (security, "secure_site", "finish_html")):
        if hasattr(module, name):  # the pipeline grows steps; time the ones this version has
            setattr(module, name, timed(phases, label, getattr(module, name)))
    if hasattr(pipeline, "changes"):
        for name in ("compare_with_published", "write_markdown"):
            if hasattr(pipeline.changes, name):
                setattr(pipeline.changes, name, timed(phases, f"changes.{name}", getattr(pipeline.changes, name)))
    try:
        from svcharter import cards
    except ImportError:
        cards = None  # type: ignore[assignment]
    if cards is not None:
        original_cards = cards.render_cards

        def render_cards(subjects: Any, cache_dir: Path, workers: int = 0, **options: Any) -> Any:
            # Every build passes every card subject (the cache decides what renders), so any build can
            # leave them beside the cache for the card floor.
            with open(Path(cache_dir).parent / CARD_SUBJECTS, "wb") as handle:
                pickle.dump(list(subjects), handle)
            return original_cards(subjects, cache_dir, workers, **options)

        cards.render_cards = timed(phases, "cards", render_cards)  # type: ignore[assignment]
    for name in ("cached_register", "load_register", "make_docs", "sync_tree", "run_mkdocs", "add_files", "swap_in"):
        if hasattr(pipeline, name):
            setattr(pipeline, name, timed(phases, name, getattr(pipeline, name)))
    if hasattr(pipeline, "renderers"):  # MkDocs or Zensical rendering the pages (run_mkdocs before there were two)
        pipeline.renderers.render = timed(phases, "render", pipeline.renderers.render)  # type: ignore[assignment]


def run_build(options: dict[str, Any]) -> dict[str, Any]:
    """Build once with svcharter.build.build and return the report, phase timings and resource use."""
    phases: dict[str, dict[str, float]] = {}
    instrument(phases, options.get("dump_subjects"))
    cfg = Config(signatories=Path(options["signatories"]), output=Path(options["output"]),
                 cache_dir=Path(options["cache_dir"]), site_url=options["site_url"],
                 build_date=dt.date.fromisoformat(options["build_date"]), quiet=True,
                 workers=int(options.get("workers") or 0), renderer=options.get("renderer") or "mkdocs")
    profiler = cProfile.Profile() if options.get("profile") else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = pipeline.build(cfg)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    fields = {k: v for k, v in dataclasses.asdict(report).items() if isinstance(v, (int, float, dict))}
    result: dict[str, Any] = {
        **fields,  # signatories, pages_written, badges_rendered, cards_rendered, timings ...
        "changes_chars": len(str(getattr(report, "changes", ""))),
        "phases": phases,
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


def _bare_card(subject: Any) -> tuple[float, float, float]:
    """Wall and CPU seconds of cairosvg for one share card, and of its SVG layout."""
    import cairosvg

    from svcharter import cards

    started = time.perf_counter()
    svg = cards.card_svg(subject).encode("utf-8")
    layout = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    cairosvg.svg2png(bytestring=svg, output_width=cards.WIDTH, output_height=cards.HEIGHT)
    return time.perf_counter() - started, time.process_time() - cpu_started, layout


def _card_chunk(subjects: list[Any]) -> tuple[float, float, float]:
    import cairosvg  # noqa: F401 - loaded outside the timed calls

    return column_sums([_bare_card(subject) for subject in subjects])


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


def run_card_floor(path: Path, sample: int, workers: int) -> dict[str, Any]:
    """Floor for share cards, measured like the badge floor: bare cairosvg per distinct card, ÷ cores."""
    with open(path, "rb") as handle:
        subjects = pickle.load(handle)
    distinct = list({(s.headline, s.subline, s.address): s for s in subjects}.values())  # identical cards render once
    chosen = sample_of(distinct, sample)
    cairo, cpu, layout = parallel_sum(_card_chunk, chosen, workers)
    scale = len(distinct) / len(chosen) if chosen else 0.0
    return {"cards": len(distinct), "measured": len(chosen), "scale": scale, "cairosvg_seconds_all": cairo * scale,
            "cairosvg_cpu_seconds_all": cpu * scale, "layout_seconds_all": layout * scale,
            "floor_seconds": cairo * scale / workers}


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
    cards_file = Path(options["subjects"]).parent / CARD_SUBJECTS
    if cards_file.exists():
        result["card_floor"] = run_card_floor(cards_file, sample, workers)
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
