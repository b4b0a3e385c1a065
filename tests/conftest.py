"""Shared fixtures: small registers in tmp_path and one built fixture site per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BUILD_DATE = "2026-11-25"
SITE_URL = "https://charter.example.org/"

VALID_RECORD = """\
  - id: acme-ltd
    name: Acme Ltd
    sector: private
    size: small
    signed: 2018-03-01
"""


def write_register(folder: Path, records: str, name: str = "signatories.yaml") -> Path:
    path = folder / name
    path.write_text("signatories:\n" + records, encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None, script: Path = ROOT / "build.py") -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` as a person would, from `cwd`."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def build_site(signatories: Path, output: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--signatories", str(signatories), "--output", str(output), "--cache-dir", str(cache),
                   "--build-date", BUILD_DATE, "--site-url", SITE_URL, "--quiet", *extra)


def built_fixture(tmp_path_factory: pytest.TempPathFactory, register_name: str) -> Path:
    """Build tests/data/REGISTER_NAME into a fresh folder; fail the test with MkDocs' own words if it breaks."""
    base = tmp_path_factory.mktemp(register_name.removesuffix(".yaml"))
    result = build_site(DATA / register_name, base / "site", base / "cache")
    assert result.returncode == 0, result.stderr
    return base / "site"


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from tests/data/fixture-register.yaml, shared by the read-only site tests."""
    return built_fixture(tmp_path_factory, "fixture-register.yaml")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright for every browser test of the session: its sync API runs one driver per thread at a time."""
    from playwright import sync_api

    with sync_api.sync_playwright() as driver:
        yield driver
