"""Every example in docs/comms-guide.md is what the tool really prints, so the guide cannot drift.

An example is an HTML comment naming a file (or a folder of files) in tests/data/guide/ (and, after
`|`, the command; `check` if none) followed by a ```text block. The file is
copied to a temporary folder as signatories.yaml, the command is run there
with a fixed build date, and every line of the block must appear in its
output, in order. A guide section may quote just the lines it explains.
"""

from __future__ import annotations

import functools
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from svcharter.fields import FIELDS

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs/comms-guide.md"
FIXTURES = Path(__file__).parent / "data/guide"
BUILD_DATE = "2025-01-01"
EXAMPLE = re.compile(r"<!-- example: (?P<fixture>[\w.-]+)(?: \| (?P<args>[^>]*?))? -->\s*```text\n(?P<block>.*?)\n```", re.DOTALL)
SPECIAL = {"none": "no signatories.yaml at all", "too-large": "a 21 MB file", "folder": "a folder, not a file"}


def examples(text: str) -> list[tuple[str, str, str]]:
    """(fixture, command, quoted block) for every example in the guide."""
    return [(m["fixture"], (m["args"] or "check").strip(), m["block"]) for m in EXAMPLE.finditer(text)]


def _prepare(folder: Path, fixture: str) -> None:
    target = folder / "signatories.yaml"
    if fixture == "too-large":
        with target.open("wb") as handle:
            handle.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    elif fixture == "folder":
        target.mkdir()
    elif (FIXTURES / fixture).is_dir():  # a register with its private contacts file
        shutil.copytree(FIXTURES / fixture, folder, dirs_exist_ok=True)
    elif fixture != "none":
        shutil.copyfile(FIXTURES / fixture, target)


@functools.cache
def output(fixture: str, args: str) -> str:
    """What `python build.py ARGS` prints (stdout and stderr) for the fixture, as a comms officer would see it."""
    with tempfile.TemporaryDirectory() as folder:
        _prepare(Path(folder), fixture)
        command = [sys.executable, str(ROOT / "build.py"), *shlex.split(args), "--signatories", "signatories.yaml",
                   "--build-date", BUILD_DATE]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        return done.stdout + done.stderr


def in_order(quoted: list[str], printed: list[str]) -> bool:
    remaining = iter(printed)
    return all(any(line == seen for seen in remaining) for line in quoted)


GUIDE_TEXT = GUIDE.read_text(encoding="utf-8") if GUIDE.is_file() else ""
FOUND = examples(GUIDE_TEXT)


def test_the_guide_has_examples() -> None:
    assert len(FOUND) >= 30


@pytest.mark.parametrize(("fixture", "args", "block"), FOUND, ids=[f"{f}|{a}|{i}" for i, (f, a, _) in enumerate(FOUND)])
def test_example_is_what_the_tool_prints(fixture: str, args: str, block: str) -> None:
    assert fixture in SPECIAL or (FIXTURES / fixture).exists(), f"no fixture tests/data/guide/{fixture}"
    printed = output(fixture, args).splitlines()
    assert in_order(block.splitlines(), printed), f"the guide quotes:\n{block}\n\nbut the tool prints:\n" + "\n".join(printed)


def test_every_fixture_is_quoted() -> None:
    used = {fixture for fixture, _, _ in FOUND}
    unused = sorted(p.name for p in [*FIXTURES.glob("*.yaml"), *filter(Path.is_dir, FIXTURES.iterdir())]
                    if p.name not in used)
    assert not unused, f"fixtures not shown in docs/comms-guide.md: {unused}"


def test_every_field_is_explained() -> None:
    """The field table lists each field of svcharter/fields.py with its help text."""
    for spec in FIELDS:
        assert f"| `{spec.name}` |" in GUIDE_TEXT, f"docs/comms-guide.md does not explain {spec.name}"
        assert spec.help.replace("|", "\\|") in GUIDE_TEXT, f"the help for {spec.name} in the guide is out of date"
