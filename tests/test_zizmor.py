"""zizmor, the static analyser for GitHub Actions, finds nothing in the workflows or the dependabot configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from svcharter.config import ROOT

# The issue's own command, then the strictest persona over all of .github/ (which adds dependabot.yml),
# failing on a file that is not a valid workflow instead of warning and auditing the rest.
AUDITS = [
    ["--offline", ".github/workflows/"],
    ["--offline", "--strict-collection", "--persona", "auditor", "--min-severity", "informational", ".github/"],
]


def zizmor() -> str:
    """The zizmor installed beside this Python (the test extra), else the one on PATH; never a silent skip."""
    beside = Path(sysconfig.get_path("scripts")) / "zizmor"
    found = str(beside) if beside.is_file() else shutil.which("zizmor")
    assert found, "zizmor is not installed: `bash tests/run.sh` installs it with the test extra"
    return found


def audit(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [zizmor(), "--no-progress", "--color", "never", "--show-audit-urls", "always", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("args", AUDITS, ids=["issue-command", "auditor-persona"])
def test_zizmor_finds_nothing(args: list[str]) -> None:
    result = audit(args, ROOT)
    assert result.returncode == 0, f"zizmor {' '.join(args)} found problems:\n{result.stdout}\n{result.stderr}"
    assert "No findings to report" in result.stdout, f"zizmor printed no verdict:\n{result.stdout}\n{result.stderr}"


def test_zizmor_would_catch_an_unpinned_action(tmp_path: Path) -> None:
    """Proves the audit above can fail: the same run flags a tag-pinned checkout that keeps its token."""
    workflows = tmp_path / ".github/workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n"
        "    steps:\n      - uses: actions/checkout@v4\n", encoding="utf-8")
    result = audit(AUDITS[0], tmp_path)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "artipacked" in result.stdout, result.stdout


def test_zizmor_refuses_a_workflow_it_cannot_read(tmp_path: Path) -> None:
    """Without this, a misspelt key would make the strict run skip the file and report nothing."""
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/typo.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n", encoding="utf-8")
    result = audit(AUDITS[1], tmp_path)
    assert result.returncode != 0
    assert "'stepz' was unexpected" in result.stderr, result.stderr


def test_every_suppression_gives_its_reason() -> None:
    """A finding may be silenced inline only with the reason beside it (`# zizmor: ignore[audit] because ...`)."""
    for path in sorted((ROOT / ".github").rglob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if found := re.search(r"zizmor:\s*ignore\[[^\]]*\](.*)", line):
                assert len(found.group(1).strip(" -:#")) >= 10, f"{path.relative_to(ROOT)}:{number}: say why it is ignored"
