"""One build at a time per cache and per output: a second one stops (or, for serve, waits) and names the first."""

from __future__ import annotations

import dataclasses
import queue
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, ROOT, VALID_RECORD, build_site, last_good_site, tree_snapshot, write_register

from svcharter import locks
from svcharter.config import Config
from svcharter.errors import BuildError

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from svcharter import locks
    from svcharter.config import Config

    cfg = Config(output=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
    with locks.build_lock(cfg):
        print("holding", flush=True)
        time.sleep(600)
""")


class Holder:
    """Another process holding the build locks of an output and a cache, as a running build does."""

    def __init__(self, output: Path, cache: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD, str(output), str(cache)], cwd=ROOT,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout and self.process.stdout.readline() == "holding\n"

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def holder(tmp_path: Path):
    running = Holder(tmp_path / "site", tmp_path / "cache")
    yield running
    if running.process.poll() is None:
        running.kill()




@pytest.mark.parametrize("shared", ["output", "cache", "both"])
def test_a_second_build_stops_and_names_the_first(tmp_path: Path, holder: Holder, shared: str) -> None:
    output = tmp_path / "site" if shared in ("output", "both") else tmp_path / "other-site"
    cache = tmp_path / "cache" if shared in ("cache", "both") else tmp_path / "other-cache"
    before = last_good_site(output) if output == tmp_path / "site" else None
    result = build_site(write_register(tmp_path, VALID_RECORD), output, cache)
    assert result.returncode == 1
    what = "the cache" if shared != "output" else "the output folder"
    assert f"error: another build (process {holder.pid}: python -c" in result.stderr
    assert f"is using {what}" in result.stderr and "Traceback" not in result.stderr
    if before is not None:
        assert tree_snapshot(output) == before
    else:
        assert not output.exists()


def test_a_killed_builds_lock_is_released(tmp_path: Path, holder: Holder) -> None:
    cfg = Config(output=tmp_path / "site", cache_dir=tmp_path / "cache")
    with pytest.raises(BuildError, match=f"process {holder.pid}"), locks.build_lock(cfg):
        pass
    holder.kill()
    with locks.build_lock(cfg):
        assert (tmp_path / "cache" / locks.CACHE_LOCK).read_text(encoding="utf-8").startswith(f"{_pid()}\n")


def _pid() -> int:
    import os

    return os.getpid()


def test_a_build_told_to_wait_waits_and_says_for_whom(tmp_path: Path, holder: Holder) -> None:
    cfg = dataclasses.replace(Config(output=tmp_path / "site", cache_dir=tmp_path / "cache"), lock_wait=60.0)
    notices: list[str] = []
    threading.Timer(1.0, holder.kill).start()
    started = time.monotonic()
    with locks.build_lock(cfg, notices.append):
        waited = time.monotonic() - started
    assert 0.9 < waited < 30
    command = f"python -c {tmp_path / 'site'} {tmp_path / 'cache'}"
    assert notices == [f"waiting for another build (process {holder.pid}: {command}) to finish with the cache "
                       f"{cfg.display(tmp_path / 'cache')}"]


def test_what_a_lock_file_says_is_shown_as_plain_text(tmp_path: Path, holder: Holder) -> None:
    lock = tmp_path / "cache" / locks.CACHE_LOCK
    lock.write_bytes(b"12x\n\x1b[31mred\x1b[0m\n")  # the holder's lock stays held: the file is only relabelled
    cfg = Config(output=tmp_path / "elsewhere", cache_dir=tmp_path / "cache")
    with pytest.raises(BuildError) as refused, locks.build_lock(cfg):
        pass
    assert "another build (process unknown: ?[31mred?[0m) is using the cache" in str(refused.value)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_waits_for_a_running_build_then_previews(tmp_path: Path, holder: Holder) -> None:
    register = write_register(tmp_path, VALID_RECORD)
    command = [sys.executable, "build.py", "serve", "--signatories", str(register), "--port", str(_free_port()),
               "--cache-dir", str(tmp_path / "cache"), "--build-date", BUILD_DATE]
    serve = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in serve.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        assert f"waiting for another build (process {holder.pid}" in _line_with(lines, "waiting for", 120)
        holder.kill()
        assert "rebuilt 1 signatories" in _line_with(lines, "rebuilt", 600)
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)


def _line_with(lines: queue.Queue[str], text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r}; printed:\n{''.join(seen)}")


def test_a_build_into_a_locked_output_leaves_the_site_and_cache_alone(tmp_path: Path, holder: Holder) -> None:
    """The lock is taken before any work: the register cache and the pages stay as they were."""
    cache = tmp_path / "cache"
    result = build_site(write_register(tmp_path, VALID_RECORD), tmp_path / "site", cache)
    assert result.returncode == 1
    assert sorted(p.name for p in cache.iterdir()) == [locks.CACHE_LOCK]
