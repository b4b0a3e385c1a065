"""The build deletes or replaces only what it created: every dangerous --output is refused before any work.

Each refusal runs the real command line inside a copy of the project, so a
guard that failed would destroy the copy, never the real checkout. After
each one, the copy and its last good site must be byte for byte as they were.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import (
    BUILD_DATE,
    DATA,
    ROOT,
    SITE_URL,
    VALID_RECORD,
    build_site,
    run_cli,
    tree_snapshot,
    wait_for_deletions,
    write_register,
)

from svcharter import writer

COPY_IGNORE = shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench", "__pycache__", ".*_cache")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with a good site built into its own site/."""
    copy = tmp_path_factory.mktemp("guard") / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    result = project_cli(copy, "build")
    assert result.returncode == 0, result.stderr
    return copy


def project_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, "--build-date", BUILD_DATE, "--site-url", SITE_URL, "--quiet", cwd=project,
                   script=project / "build.py")


REFUSED = [
    (".", "the output folder . is the project folder (.)"),
    ("..", "the output folder .. contains the project folder (.)"),
    ("/", "the output folder / is the top of the file system"),
    ("content", "the output folder content is the charter's pages (content)"),
    ("content/news", "the output folder content/news is inside the charter's pages (content)"),
    ("site_templates", "the output folder site_templates is the site's templates (site_templates)"),
    ("logo/fonts", "the output folder logo/fonts is inside the logo and fonts (logo)"),
    ("svcharter", "the output folder svcharter is the build's own code (svcharter)"),
    (".git", "the output folder .git is the project's history (.git)"),
    (".cache", "the output folder .cache is the cache (.cache)"),
    (".cache/docs", "the output folder .cache/docs is inside the cache (.cache)"),
    ("signatories.yaml", "the output folder signatories.yaml is the register file (signatories.yaml)"),
    ("mkdocs.yml", "the output folder mkdocs.yml is the site's settings (mkdocs.yml)"),
    ("README.md", "the output folder README.md is a file, not a folder"),
    ("docs", "the output folder docs already holds files that this tool did not write"),
]


@pytest.mark.parametrize(("output", "message"), REFUSED, ids=[output for output, _ in REFUSED])
def test_an_output_that_overlaps_the_project_is_refused_before_any_work(project: Path, output: str,
                                                                          message: str) -> None:
    before = tree_snapshot(project, skip=(".cache",))
    result = project_cli(project, "build", "--output", output)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert tree_snapshot(project, skip=(".cache",)) == before  # the project and its last good site/


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path: Path) -> None:
    other = tmp_path / "photos"
    (other / "2024").mkdir(parents=True)
    (other / "2024" / "holiday.jpg").write_bytes(b"not really a photo")
    register = write_register(tmp_path, VALID_RECORD, name="register.yaml")
    before = tree_snapshot(tmp_path)
    result = build_site(register, other, tmp_path / "cache")
    assert result.returncode == 1
    assert "already holds files that this tool did not write" in result.stderr
    assert tree_snapshot(tmp_path) == before


def test_a_cache_that_overlaps_the_sources_or_the_output_is_refused(project: Path) -> None:
    before = tree_snapshot(project, skip=(".cache",))
    for cache, message in [(".", "the cache folder . is the project folder (.)"),
                           ("content", "the cache folder content is the charter's pages (content)"),
                           ("site/cache", "the output folder site contains the cache (site/cache)")]:
        result = project_cli(project, "build", "--cache-dir", cache)
        assert result.returncode == 1
        assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert tree_snapshot(project, skip=(".cache",)) == before


def test_a_cache_folder_of_other_files_is_refused_and_kept(tmp_path: Path) -> None:
    """A build prunes its cache's docs/ folder, so --cache-dir must not be a folder of someone's files."""
    documents = tmp_path / "documents"
    (documents / "docs").mkdir(parents=True)
    (documents / "docs" / "minutes.md").write_text("keep me", encoding="utf-8")
    (documents / "budget.ods").write_bytes(b"keep me too")
    register = write_register(tmp_path, VALID_RECORD)
    before = tree_snapshot(tmp_path)
    result = build_site(register, tmp_path / "site", documents)
    assert result.returncode == 1
    assert "error: the cache folder " in result.stderr and "already holds files that this tool did not write" in (
        result.stderr)
    assert tree_snapshot(tmp_path) == before


def test_an_output_holding_only_the_fetched_published_register_is_built(tmp_path: Path) -> None:
    """What CI prepares: site/data/signatories.json fetched from the live site, to compare with."""
    first = tmp_path / "first"
    assert build_site(DATA / "fixture-register.yaml", first, tmp_path / "cache").returncode == 0
    fetched = tmp_path / "site"
    (fetched / "data").mkdir(parents=True)
    shutil.copyfile(first / "data/signatories.json", fetched / "data/signatories.json")
    result = run_cli("build", "--signatories", str(DATA / "fixture-register.yaml"), "--output", str(fetched),
                     "--cache-dir", str(tmp_path / "cache"), "--build-date", BUILD_DATE, "--site-url", SITE_URL)
    assert result.returncode == 0, result.stderr
    assert "No changes to the public register" in result.stdout
    assert (fetched / "index.html").is_file() and writer.marker_for(fetched).is_file()


KILL_BETWEEN_RENAMES = textwrap.dedent("""
    import os, signal, sys
    from svcharter import cli, writer

    real_rename = os.rename

    def rename(source, target):
        if "-staging-" in os.fspath(source) and os.fspath(target).endswith("/site"):
            os.kill(os.getpid(), signal.SIGKILL)  # the old site is aside, the new one not yet in place
        real_rename(source, target)

    writer.os.rename = rename
    sys.exit(cli.main(sys.argv[1:]))
""")


def test_a_build_killed_between_the_renames_is_recovered_by_the_next(tmp_path: Path) -> None:
    output, cache = tmp_path / "site", tmp_path / "cache"
    register = write_register(tmp_path, VALID_RECORD)
    assert build_site(register, output, cache).returncode == 0
    published = (output / "data/signatories.json").read_bytes()
    register.write_text(register.read_text(encoding="utf-8") + VALID_RECORD.replace("acme-ltd", "beta-ltd")
                        .replace("Acme Ltd", "Beta Ltd"), encoding="utf-8")
    args = ["build", "--signatories", str(register), "--output", str(output), "--cache-dir", str(cache),
            "--build-date", BUILD_DATE, "--site-url", SITE_URL, "--quiet"]
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert killed.returncode == -9, killed.stderr
    assert not output.exists()  # what the kill leaves: the old site aside, the new one in staging
    assert [p.name for p in tmp_path.iterdir() if "-staging-" in p.name]
    result = run_cli(*[a for a in args if a != "--quiet"])
    assert result.returncode == 0, result.stderr
    assert "Changes to the public register: 1 added" in result.stdout
    assert "added: Beta Ltd (beta-ltd)" in result.stdout
    assert (output / "data/signatories.json").read_bytes() != published
    wait_for_deletions(output)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")) == []


def test_staging_folders_of_killed_builds_are_swept_and_nothing_else(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    (output / "index.html").write_text("live", encoding="utf-8")
    writer.mark_output(output)
    for name in (".site-staging-abc123_x", ".site-staging-q9w8e7r6"):
        (tmp_path / name / "assets").mkdir(parents=True)
        (tmp_path / name / "assets" / "half.css").write_text("half", encoding="utf-8")
    kept = [tmp_path / ".site-staging-my notes", tmp_path / "site-staging-backup", tmp_path / ".other-staging-abc123"]
    for folder in kept:
        folder.mkdir()
        (folder / "keep.txt").write_text("mine", encoding="utf-8")
    assert writer.recover(output) is False
    wait_for_deletions(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".site.svcharter-output", "site", *(folder.name for folder in kept)])
    assert (output / "index.html").read_text(encoding="utf-8") == "live"


def test_only_a_marked_output_is_restored(tmp_path: Path) -> None:
    output = tmp_path / "site"
    (tmp_path / ".site-old-k2j3h4g5" / "site").mkdir(parents=True)
    assert writer.recover(output) is False and not output.exists()  # not marked: not ours to restore
    writer.mark_output(output)
    assert writer.recover(output) is True and output.is_dir()


def test_serve_refuses_a_folder_of_other_files_before_serving(tmp_path: Path) -> None:
    other = tmp_path / "documents"
    other.mkdir()
    (other / "letter.txt").write_text("keep me", encoding="utf-8")
    result = run_cli("serve", "--signatories", str(write_register(tmp_path, VALID_RECORD)), "--output", str(other),
                     "--cache-dir", str(tmp_path / "cache"), "--port", "0")
    assert result.returncode == 1
    assert "already holds files that this tool did not write" in result.stderr
    assert [p.name for p in other.iterdir()] == ["letter.txt"]
    assert not (tmp_path / "cache").exists()
