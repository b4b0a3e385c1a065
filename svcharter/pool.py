"""Run render jobs on every core: one place for the process-pool policy shared by badges and cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Job = TypeVar("Job")


def run_parallel(function: Callable[[Job], object], jobs: Sequence[Job], workers: int,
                 warm_up: Callable[[], object] | None = None) -> None:
    """Run `function` over `jobs`: in-process for one worker or one job (easy to debug), else in a process pool.

    `warm_up` loads shared read-only data (fonts, artwork) before the pool forks,
    so each worker inherits it instead of loading it again.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            function(job)
        return
    if warm_up is not None:
        warm_up()
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 4)))
        for _ in pool.map(function, jobs, chunksize=chunk):
            pass
