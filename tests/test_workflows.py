"""CI runs exactly the README's commands, and `check --format github` prints exact annotations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from svcharter.cli import github_annotation, main
from svcharter.config import ROOT
from svcharter.errors import DataError

WORKFLOWS = ROOT / ".github/workflows"
CHECK_COMMAND = "python3 build.py check --format github"


def readme_command(text: str, heading: str) -> str:
    """The ```sh block right after the line holding `heading` (the README keeps one command per block)."""
    pattern = re.escape(heading) + r"[^\n]*\n\s*```sh\n(.*?)\n```"
    found = re.search(pattern, text, re.DOTALL)
    assert found, f"README.md has no ```sh block right after a line containing {heading!r}"
    return found.group(1).strip()


@pytest.fixture(scope="module")
def commands() -> dict[str, str]:
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing: it must hold the build and test commands CI runs"
    text = readme.read_text(encoding="utf-8")
    return {"build": readme_command(text, "Build the site:"), "test": readme_command(text, "Run every test:")}


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict) -> list[str]:
    return [step["run"].strip() for step in steps(workflow) if "run" in step]


def test_readme_command_parser() -> None:
    text = "Intro\n\nBuild the site:\n\n```sh\npython3 build.py\n```\n\nRun every test:\n```sh\nbash t.sh\n```\n"
    assert readme_command(text, "Build the site:") == "python3 build.py"
    assert readme_command(text, "Run every test:") == "bash t.sh"


def test_pull_requests_check_then_build_then_test(commands: dict[str, str]) -> None:
    workflow = load("pull-request.yml")
    assert "pull_request" in workflow["on"]
    found = runs(workflow)
    assert found.index(CHECK_COMMAND) < found.index(commands["build"]) < found.index(commands["test"])


def test_main_is_published_on_push_and_daily(commands: dict[str, str]) -> None:
    workflow = load("publish.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", workflow["on"]["schedule"][0]["cron"])
    assert commands["build"] in runs(workflow)
    uses = {step.get("uses", "").split("@")[0]: step for step in steps(workflow)}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site/"
    assert "actions/deploy-pages" in uses
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"


@pytest.mark.parametrize("name", ["pull-request.yml", "publish.yml"])
def test_no_workflow_builds_installs_or_tests_any_other_way(name: str, commands: dict[str, str]) -> None:
    """A step that installs, builds or tests must be a README command (or its install half), never a variant."""
    install = commands["build"].split("&&")[0].strip()
    allowed = {commands["build"], commands["test"], install, CHECK_COMMAND}
    for run in runs(load(name)):
        if re.search(r"pip install|build\.py|pytest|run\.sh|ruff", run):
            assert run in allowed, f"{name} runs {run!r}, which is not a README command"


def test_github_annotation_is_exact() -> None:
    problem = DataError("signatories.yaml", 12, 5, "acme", "sector", "'privat' is not a known value")
    assert github_annotation(problem) == "::error file=signatories.yaml,line=12,col=5::'acme': sector: 'privat' is not a known value"


def test_github_annotation_escapes_percent_and_line_breaks() -> None:
    """A line break in quoted text is shown as \\r\\n, so it can never start a second annotation."""
    problem = DataError("a,b:c.yaml", 1, 2, None, None, "100% sure\r\n::error::forged")
    assert github_annotation(problem) == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::100%25 sure\\r\\n::error::forged"


def test_check_format_github_prints_one_annotation_per_problem(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "signatories.yaml").write_text(
        "signatories:\n  - id: acme\n    name: Acme\n    sector: 100%\n    size: small\n    signed: 2017-02-30\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--format", "github", "--signatories", "signatories.yaml", "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        "::error file=signatories.yaml,line=4,col=13::'acme': sector: '100%25' is not a known value "
        "(allowed: private, public, parish-or-town-council, voluntary, social-enterprise, other)",
        "::error file=signatories.yaml,line=6,col=13::'acme': signed: 2017-02-30 is not a real date: check the day and month",
    ]
    assert captured.err == "2 problems found: nothing was built.\n"


def test_check_format_text_is_unchanged(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "signatories.yaml").write_text("signatories:\n  - id: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--signatories", "signatories.yaml"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0] == "signatories.yaml:2:5: 'x': name: is missing: every signatory needs name " \
                                           "(The organisation's name, shown exactly as written.)"
    assert main(["check", "--format", "xml"]) == 2
