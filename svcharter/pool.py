"""Run render jobs on every core: one place for the process-pool policy shared by badges and cards."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import TypeVar

from .errors import BuildError

Job = TypeVar("Job")


BESIDE_RENDERER = 10
"""How much lower than the build the workers run that draw beside the renderer: MkDocs renders on one core
and every worker's turn on it lengthens the build, while the cards can wait for whatever core is free."""


def run_parallel(function: Callable[[Job], object], jobs: Sequence[Job], workers: int, *,
                 niceness: int = 0) -> None:
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
    # Only this process holds the lifeline's sending end: when it dies, however it dies, every worker reads
    # end-of-file and exits. The pool's own queues cannot tell them, because each worker holds both ends.
    lifeline, keep = context.Pipe(duplex=False)
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                 initializer=start_worker, initargs=(lifeline, niceness)) as pool:
            chunk = max(1, min(16, len(jobs) // (workers * 4)))
            for _ in pool.map(function, jobs, chunksize=chunk):
                pass
    except BrokenProcessPool:
        raise BuildError("a render worker stopped before finishing (out of memory, or killed?): run the build again") \
            from None
    finally:
        lifeline.close()
        keep.close()


def start_worker(lifeline: Connection, niceness: int) -> None:
    """Worker start-up: lower its priority by `niceness`, and watch the lifeline."""
    if niceness:
        os.nice(niceness)
    watch_lifeline(lifeline)


def watch_lifeline(lifeline: Connection) -> None:
    """Exit at once when the build that started this worker has gone."""
    threading.Thread(target=_exit_when_closed, args=(lifeline,), name="lifeline", daemon=True).start()


def _exit_when_closed(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os._exit(1)
