"""Shared fixtures: small registers in tmp_path and one built fixture site per session."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
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


APPLICATION_ANSWERS = {
    "name": "Cwmni Cydweithredol Llanfair ac Ŵyn – Siân's Café & Œuvre",
    "sector": "social-enterprise",
    "size": "micro",
    "activities": ["health", "social-care"],
    "website": "https://www.example.org/about?lang=cy&x=1",
    "identifier": "GB-CHC-1234567",
    "location": "Llanfair Caereinion",
    "commitments": ["local-supply-chain-spend", "apprenticeships"],
    "statement": 'We buy from Shropshire firms first: "food", print & transport. <b>Really</b>. ' * 6,
    "contact.name": "Siân O'Brien-Jones",
    "contact.role": "Director",
    "contact.email": "sian@example.org",
    "contact.phone": "+44 1632 960000",
    "authorised": "yes",
}
"""One applicant's answers to every sign-up question, valid for the fixture registers. Shared so the block's
own tests and `add --application` exercise the same awkward text: Welsh letters, quotes, markup and a long
statement that mail programs wrap."""


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


def built_fixture(tmp_path_factory: pytest.TempPathFactory, register_name: str, contacts_name: str | None = None) -> Path:
    """Build tests/data/REGISTER_NAME into a fresh folder; fail the test with MkDocs' own words if it breaks.

    With CONTACTS_NAME, the register is built from a copy with that file beside it as contacts.yaml.
    """
    base = tmp_path_factory.mktemp(register_name.removesuffix(".yaml"))
    register = DATA / register_name
    if contacts_name:
        register = base / "signatories.yaml"
        shutil.copyfile(DATA / register_name, register)
        shutil.copyfile(DATA / contacts_name, base / "contacts.yaml")
    result = build_site(register, base / "site", base / "cache")
    assert result.returncode == 0, result.stderr
    return base / "site"


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from tests/data/fixture-register.yaml, with the broken private contacts file beside it."""
    return built_fixture(tmp_path_factory, "fixture-register.yaml", "fixture-contacts.yaml")


def tree_snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file, folder and link under `folder`, files by a hash of their bytes, links by their target."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative.split("/")[0] in skip:
            continue
        if path.is_symlink():
            found[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[relative] = "folder"
    return found


def last_good_site(output: Path) -> dict[str, str]:
    """A small site marked as this tool's output, standing in for the last good build; returns its snapshot."""
    from svcharter import writer

    (output / "data").mkdir(parents=True)
    (output / "index.html").write_text("<p>last good site</p>", encoding="utf-8")
    (output / "data" / "signatories.json").write_text('{"signatories": []}\n', encoding="utf-8")
    writer.mark_output(output)
    return tree_snapshot(output)


def wait_for_deletions(output: Path, limit: float = 60.0) -> None:
    """Wait (at most `limit` seconds) for the background process to delete the sites a swap retired.

    The build does not wait for it, so a test that checks what is left beside
    the output must, or it would race the deletion.
    """
    from svcharter import writer

    deadline = time.monotonic() + limit
    while writer.retired_outputs(output) and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright for every browser test of the session: its sync API runs one driver per thread at a time."""
    from playwright import sync_api

    with sync_api.sync_playwright() as driver:
        yield driver
