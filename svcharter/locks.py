"""One build at a time per cache and per output folder.

Two builds writing one output, or two outputs sharing a cache, would publish
a site made of both registers. Each build holds an operating-system lock
(fcntl.flock) on a file in the cache and on one beside the output. The
system releases a lock when its process ends, however it ends, so a killed
build never leaves a stale lock. The holder writes its process id and
command into the file, so a second build can say who is in the way.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .config import Config
from .errors import BuildError

POLL_SECONDS = 0.1
CACHE_LOCK = "build.lock"

Notice = Callable[[str], None]


def lock_files(cfg: Config) -> list[tuple[Path, str]]:
    """The lock files a build holds, each with what it protects (in the order they are taken)."""
    output = Path(os.path.realpath(cfg.output))
    return [(cfg.cache_dir / CACHE_LOCK, f"the cache {cfg.display(cfg.cache_dir)}"),
            (output.parent / f".{output.name}.lock", f"the output folder {cfg.display(output)}")]


@contextmanager
def build_lock(cfg: Config, notice: Notice | None = None) -> Iterator[None]:
    """Hold both locks for the body; wait up to cfg.lock_wait seconds for another build, then refuse."""
    with ExitStack() as stack:
        for path, what in lock_files(cfg):
            stack.enter_context(_held(path, what, cfg.lock_wait, notice))
        yield


@contextmanager
def _held(path: Path, what: str, wait: float, notice: Notice | None) -> Iterator[None]:
    fd = _open(path, what)
    try:
        _acquire(fd, what, wait, notice)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{_command()}\n".encode("utf-8", "replace"))
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _open(path: Path, what: str) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot create the lock file {os.path.relpath(path)} for {what}: "
                         f"{exc.strerror or exc}: make the folder writable, or choose another") from None


def _acquire(fd: int, what: str, wait: float, notice: Notice | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
        if time.monotonic() >= deadline:
            raise BuildError(f"another build ({holder}) is using {what}: wait for it to finish, or stop it, "
                             "then try again (nothing was changed)")
        if notice and not told:
            notice(f"waiting for another build ({holder}) to finish with {what}")
            told = True
        time.sleep(POLL_SECONDS)


def _holder(fd: int) -> str:
    """Who holds the lock, from what it wrote: a process id and command, shown as plain text only."""
    try:
        text = os.pread(fd, 1024, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    lines = text.splitlines()
    pid = lines[0] if lines and lines[0].isascii() and lines[0].isdigit() else "unknown"
    command = "".join(c if c.isprintable() else "?" for c in (lines[1] if len(lines) > 1 else ""))[:200]
    return f"process {pid}" + (f": {command}" if command else "")


def _command() -> str:
    """This process's command line, for the message another build prints."""
    return " ".join(["python", *(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))])
