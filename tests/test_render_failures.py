"""The renderer's own failures are messages: cairo missing, and render workers that outlive a killed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, ROOT, SITE_URL, write_register

# Runs the command line in a Python where the cairo C library cannot be loaded, as on a machine without libcairo2:
# ctypes cannot open it, and importing cairocffi fails the way cairocffi itself fails without it.
WITHOUT_CAIRO = """
import ctypes, sys
real = ctypes.CDLL
def refuse(name, *args, **kwargs):
    if "cairo" in str(name):
        raise OSError(f"{name}: cannot open shared object file: No such file or directory")
    return real(name, *args, **kwargs)
ctypes.CDLL = refuse
class NoCairo:
    def find_spec(self, name, path=None, target=None):
        if name == "cairocffi":
            raise OSError("no library called \\"cairo-2\\" was found")
        return None
sys.meta_path.insert(0, NoCairo())
from svcharter.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_cairo_the_build_says_what_to_install_before_validating(tmp_path: Path) -> None:
    broken = write_register(tmp_path, "  - id: broken\n    name: Broken\n")  # invalid: cairo must be reported first
    output = tmp_path / "site"
    result = subprocess.run([sys.executable, "-c", WITHOUT_CAIRO, "build", "--signatories", str(broken),
                             "--output", str(output), "--cache-dir", str(tmp_path / "cache"), "--quiet",
                             "--build-date", BUILD_DATE, "--site-url", SITE_URL],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cairo, the C library that draws the badges, cannot be loaded")
    assert "sudo apt-get install libcairo2" in result.stderr
    assert "Traceback" not in result.stderr and "sector" not in result.stderr
    assert not output.exists() and not (tmp_path / "cache").exists()


def session_processes(session: int) -> list[int]:
    """Every live process in a session (the build, its fork server and its render workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_render_workers_of_a_killed_build_exit(tmp_path: Path) -> None:
    records = "".join(f"  - id: org-{i}\n    name: Organisation {i}\n    sector: private\n    size: small\n"
                      f"    signed: 2018-03-01\n" for i in range(40))
    register = write_register(tmp_path, records)
    cache = tmp_path / "cache"
    build = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--signatories", str(register),
                              "--output", str(tmp_path / "site"), "--cache-dir", str(cache), "--quiet", "--workers",
                              "2", "--build-date", BUILD_DATE, "--site-url", SITE_URL],
                             cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not list(cache.glob("badges/tmp-*")) or len(session_processes(build.pid)) < 4:
            assert build.poll() is None and time.monotonic() < deadline, "the build never started rendering"
            time.sleep(0.1)
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while session_processes(build.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session_processes(build.pid) == []
    finally:
        if session_processes(build.pid):  # only this test's own session
            os.killpg(build.pid, signal.SIGKILL)


def test_a_card_that_fails_beside_the_renderer_fails_the_build_and_keeps_the_last_good_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cards are drawn on a thread while MkDocs renders: a failure there must still stop the swap."""
    from conftest import last_good_site, tree_snapshot

    from svcharter import build, cards
    from svcharter.config import Config
    from svcharter.errors import BuildError

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise BuildError("the card could not be drawn")

    register = write_register(tmp_path, "  - id: acme-ltd\n    name: Acme Ltd\n    sector: private\n    size: small\n"
                                        "    signed: 2018-03-01\n")
    output = tmp_path / "site"
    before = last_good_site(output)
    monkeypatch.setattr(cards, "render_png", broken)  # one worker: cards are drawn in this process
    cfg = Config(signatories=register, output=output, cache_dir=tmp_path / "cache", site_url=SITE_URL, workers=1,
                 quiet=True)
    with pytest.raises(BuildError, match="the card could not be drawn"):
        build.build(cfg)
    assert tree_snapshot(output) == before
    assert not list(tmp_path.glob(".site-staging*"))


def test_workers_beside_the_renderer_run_at_lower_priority(tmp_path: Path) -> None:
    """Card workers yield the core MkDocs renders on: each reports its own niceness back."""
    from svcharter import pool

    jobs = [(str(tmp_path), str(index)) for index in range(4)]
    pool.run_parallel(_report_niceness, jobs, 2, niceness=pool.BESIDE_RENDERER)
    seen = {int(report.read_text(encoding="ascii")) for report in tmp_path.iterdir()}
    assert seen == {min(19, os.nice(0) + pool.BESIDE_RENDERER)}  # 19 is the lowest priority there is
    pool.run_parallel(_report_niceness, jobs, 2)
    assert {int(report.read_text(encoding="ascii")) for report in tmp_path.iterdir()} == {os.nice(0)}


def _report_niceness(job: tuple[str, str]) -> None:
    """A worker's job: write down its own niceness."""
    folder, name = job
    (Path(folder) / name).write_text(str(os.nice(0)), encoding="ascii")
