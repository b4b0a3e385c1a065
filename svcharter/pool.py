"""Run render jobs on every core: one place for the process-pool policy shared by badges and cards."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Job = TypeVar("Job")


def run_parallel(function: Callable[[Job], object], jobs: Sequence[Job], workers: int) -> None:
    """Run `function` over `jobs`: in-process for one worker or one job (easy to debug), else in a process pool.

    Workers start from a small fork server, not as forks of the build: a fork would
    inherit (and count in its memory) everything the build holds, which at 10,000
    signatories is hundreds of megabytes per worker. Each worker loads the fonts once.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            function(job)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 4)))
        for _ in pool.map(function, jobs, chunksize=chunk):
            pass
