"""One build in a fresh process, reported as JSON on stdout's last line.

Why a separate process: a real build starts cold (imports, font caches, a new
process pool), its memory must be measured on its own, and the benchmark
process must not carry MkDocs' or cairosvg's state from one measurement into
the next. The build times its own phases (Progress.phase fills
BuildReport.timings); the runner's Progress adds the CPU each phase used.

    python bench/_runner.py build '{"signatories": ..., "output": ..., "cache_dir": ..., ...}'
"""

from __future__ import annotations

import contextlib
import cProfile
import dataclasses
import datetime as dt
import io
import json
import os
import pstats
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: svcharter lives beside bench/
    sys.path.insert(0, str(ROOT))

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


def main(argv: list[str]) -> int:
    mode, options = argv[0], json.loads(argv[1])
    if mode != "build":
        raise SystemExit(f"unknown mode {mode!r}: the only one is 'build'")
    result = run_build(options)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["maxrss_self_kib"] = own
    result["maxrss_children_kib"] = children
    sys.stdout.flush()
    print("\n" + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
