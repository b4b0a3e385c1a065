"""CI runs exactly the README's commands with pinned actions and least privilege, and `check --format github` prints exact annotations."""

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
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("name", ["pull-request.yml", "publish.yml"])
def test_no_workflow_builds_installs_or_tests_any_other_way(name: str, commands: dict[str, str]) -> None:
    """A step that installs, builds or tests must be a README command (or its install half), never a variant."""
    install = commands["build"].split("&&")[0].strip()
    allowed = {commands["build"], commands["test"], install, CHECK_COMMAND}
    for run in runs(load(name)):
        if re.search(r"pip install|build\.py|pytest|run\.sh|ruff", run):
            assert run in allowed, f"{name} runs {run!r}, which is not a README command"



# The supply chain: pinned actions, least privilege, and a render cache no pull request can write.

WORKFLOW_NAMES = ["pull-request.yml", "publish.yml"]
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)(?P<rest>.*)$")
PIN_COMMENT = re.compile(r"\s+# v\d+\.\d+\.\d+")
RENDER_INPUTS = ("svcharter/**", "site_templates/**", "logo/**", "pyproject.toml", "mkdocs.yml")


def pins(name: str) -> list[tuple[int, str, str, str]]:
    """(line, action, ref, rest of line) for each `uses:`, read from the text because YAML drops the version comment."""
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    return [(number, m["action"], m["ref"], m["rest"]) for number, line in enumerate(lines, 1) if (m := USES_LINE.match(line))]


def steps_using_any(workflow: dict) -> list[dict]:
    return [step for step in steps(workflow) if "uses" in step]


def steps_using(workflow: dict, action: str) -> list[dict]:
    return [step for step in steps(workflow) if step.get("uses", "").split("@")[0] == action]


def repository(action: str) -> str:
    """`actions/cache/restore` lives in the `actions/cache` repository, so it shares that repository's pin."""
    return "/".join(action.split("/")[:2])


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_every_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    found = pins(name)
    assert len(found) == len(steps_using_any(load(name))), f"{name}: a `uses:` is written in a form this test cannot read"
    for number, action, ref, rest in found:
        where = f"{name}:{number}: {action}@{ref}"
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{where} is not pinned to a full 40-character commit SHA"
        assert PIN_COMMENT.fullmatch(rest), f"{where} needs the release it was pinned from in a comment, as `# v1.2.3`"


def test_each_action_has_one_pin_across_the_workflows() -> None:
    seen: dict[str, tuple[str, str, str]] = {}
    for name in WORKFLOW_NAMES:
        for number, action, ref, rest in pins(name):
            pin = (ref, rest.strip(), f"{name}:{number}")
            first = seen.setdefault(repository(action), pin)
            assert pin[:2] == first[:2], f"{pin[2]} pins {action} to {pin[0]} {pin[1]}, but {first[2]} to {first[0]} {first[1]}"


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_workflows_read_only_by_default_and_every_job_says_what_it_needs(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}, f"{name}: the workflow's default must be `contents: read` alone"
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{name}: job {job_id!r} must declare its own permissions"


def test_only_the_deploy_job_can_write_to_pages() -> None:
    jobs = load("publish.yml")["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert not any("run" in step or "actions/checkout" in step.get("uses", "") for step in jobs["deploy"]["steps"])
    for job_id, job in jobs.items():
        if job_id != "deploy":
            assert job["permissions"] == {"contents": "read"}, f"publish.yml: job {job_id!r} must only read"


def test_pull_request_code_never_runs_with_write_permissions() -> None:
    workflow = load("pull-request.yml")
    for name in WORKFLOW_NAMES:
        assert not {"pull_request_target", "workflow_run"} & set(load(name)["on"]), f"{name} must not run with the base's token"
    for job_id, job in workflow["jobs"].items():
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        runs_code = any("run" in step or "actions/checkout" in step.get("uses", "") for step in job["steps"])
        assert not (writes and runs_code), f"pull-request.yml: job {job_id!r} runs the pull request's code with {writes}"
    comment = workflow["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_every_checkout_leaves_no_token_behind(name: str) -> None:
    checkouts = steps_using(load(name), "actions/checkout")
    assert checkouts, f"{name} checks nothing out"
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, f"{name}: {step['name']!r} needs persist-credentials: false"


def test_publish_restores_and_saves_the_render_cache_under_the_renderer_fingerprint() -> None:
    workflow = load("publish.yml")
    [restore] = steps_using(workflow, "actions/cache/restore")
    [save] = steps_using(workflow, "actions/cache/save")
    key = restore["with"]["key"]
    assert restore["with"]["path"] == save["with"]["path"] == ".cache/"
    assert save["with"]["key"] == "${{ steps.render-cache.outputs.cache-primary-key }}", "save the key the restore looked up"
    assert restore["id"] == "render-cache"
    for part in ("runner.os", "steps.python.outputs.python-version", *(f"'{glob}'" for glob in RENDER_INPUTS)):
        assert part in key, f"publish.yml: the render cache key must name {part}"
    fallback = restore["with"]["restore-keys"].strip()
    assert "\n" not in fallback and key.startswith(fallback) and "hashFiles('svcharter/**'" in fallback
    assert save["if"] == "github.ref == 'refs/heads/main' && steps.render-cache.outputs.cache-hit != 'true'"
    ordered = [step.get("name") for step in steps(workflow)]
    assert ordered.index(restore["name"]) < ordered.index("Build the site") < ordered.index(save["name"])


def test_pull_requests_only_restore_the_render_cache() -> None:
    workflow = load("pull-request.yml")
    used = {step["uses"].split("@")[0] for step in steps_using_any(workflow)}
    assert not {"actions/cache", "actions/cache/save"} & used, "pull-request.yml must never save a cache"
    [restore] = steps_using(workflow, "actions/cache/restore")
    [published] = steps_using(load("publish.yml"), "actions/cache/restore")
    assert restore["with"] == published["with"]


def test_dependabot_proposes_new_pins_and_python_dependencies() -> None:
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    for update in ecosystems.values():
        assert update["directory"] == "/" and update["schedule"]["interval"] in {"daily", "weekly"}

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
