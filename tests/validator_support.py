"""Helpers for the validator tests: run each third-party validator as its users do.

Kept apart so tests/test_patterns.py and tests/test_validators.py read as checks.
Nothing here downloads anything: Java is Debian's, and AJV and the Nu HTML
checker come from node_modules (pinned in package-lock.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

EDITOR_SCHEMA = ROOT / "schema" / "signatories.schema.json"
AJV_CHECK = ROOT / "tests" / "ajv_check.mjs"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_tool(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=ROOT, capture_output=True, text=True, timeout=300)


def tool_output(result: subprocess.CompletedProcess[str]) -> str:
    return f"{' '.join(result.args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema in its default regex mode: ECMAScript patterns with the `u` flag."""
    return run_tool(sys.executable, "-m", "check_jsonschema", *args)


def ajv_check(schema: Path, *documents: Path) -> subprocess.CompletedProcess[str]:
    if not (ROOT / "node_modules" / "ajv").is_dir():
        pytest.fail("AJV is not installed: run `npm ci` (tests/run.sh does)")
    return run_tool("node", AJV_CHECK, schema, *documents)


def run_vnu(site: Path) -> tuple[list[dict], set[str]]:
    """One run of the checker on every page (starting Java once per page would take minutes).

    Errors only: its warnings here are all about the Content-Security-Policy, which it misreads on files
    from disk ('self' matches no file: address, and JSON data blocks count as scripts). The browser
    tests check the policy where it applies, failing on any console error Chromium reports.
    """
    if shutil.which("java") is None:
        pytest.fail("java is not installed: run tests/run.sh, which installs Debian's default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.fail("the Nu HTML checker is not installed: run `npm ci` (tests/run.sh does)")
    result = run_tool("java", "-jar", VNU_JAR, "--format", "json", "--errors-only", "--verbose", "--skip-non-html", site)
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(tool_output(result))
    return messages, {line.strip() for line in result.stdout.splitlines() if line.strip()}
