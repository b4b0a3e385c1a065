"""Nothing from outside the project is read into the site: links that leave it, odd register files, bad addresses."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUILD_DATE, ROOT, SITE_URL, VALID_RECORD, build_site, last_good_site, run_cli, tree_snapshot, write_register

from svcharter import build as pipeline
from svcharter.config import Config
from svcharter.errors import BuildError, InvalidData
from svcharter.sources import check_sources

COPY_IGNORE = shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench", "tests", "__pycache__")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    return copy




def test_links_that_leave_the_project_are_refused_by_check_and_build(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "token.txt").write_text("SECRET", encoding="utf-8")
    (project / "content" / "passwd.md").symlink_to("/etc/passwd")
    (project / "logo" / "environ").symlink_to("/proc/self/environ")
    (project / "site_templates" / "assets" / "more").symlink_to(outside)
    (project / "content" / "faq-again.md").symlink_to("faq.md")  # inside the project: allowed
    output = tmp_path / "site"
    before = last_good_site(output)
    expected = [
        "content/passwd.md:1:1: is a symbolic link to '/etc/passwd', outside the project",
        "logo/environ:1:1: is a symbolic link to '/proc/",
        f"site_templates/assets/more:1:1: is a symbolic link to '{outside}', outside the project",
    ]
    for command in (["check"], ["build", "--output", str(output), "--site-url", SITE_URL]):
        result = run_cli(*command, "--build-date", BUILD_DATE, cwd=project, script=project / "build.py")
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 4 and lines[3] == "3 problems found: nothing was built.", result.stderr
        for line, start in zip(lines, expected, strict=False):
            assert line.startswith(start), result.stderr
        assert "faq-again" not in result.stderr and "SECRET" not in result.stderr
    assert tree_snapshot(output) == before


def test_a_link_to_a_folder_inside_the_project_is_followed_and_checked(project: Path) -> None:
    (project / "docs" / "escape.md").symlink_to("/etc/hostname")
    (project / "content" / "guides").symlink_to(project / "docs")
    cfg = Config(root=project)
    with pytest.raises(InvalidData) as refused:
        check_sources(cfg)
    assert [e.file.rsplit("/", 2)[-2:] for e in refused.value.errors] == [["docs", "escape.md"]]
    (project / "docs" / "escape.md").unlink()
    check_sources(cfg)  # the folder link stays inside the project: allowed


def test_a_linked_source_folder_that_leaves_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    shutil.move(project / "logo", tmp_path / "logo")
    (project / "logo").symlink_to(tmp_path / "logo")
    with pytest.raises(InvalidData, match="logo:1:1: is a symbolic link to"):
        check_sources(Config(root=project))


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "folder"])
def test_a_register_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    source = {"/dev/zero": Path("/dev/zero"), "fifo": None, "folder": tmp_path / "folder"}[kind] or _fifo(tmp_path)
    source.mkdir() if kind == "folder" else None
    output = tmp_path / "site"
    before = last_good_site(output)
    for command in (["check"], ["build", "--output", str(output), "--cache-dir", str(tmp_path / "cache"),
                                "--site-url", SITE_URL]):
        result = run_cli(*command, "--signatories", str(source), "--build-date", BUILD_DATE)
        assert result.returncode == 1, result.stderr
        assert ":1:1: is not a regular file (it is a folder, a device or a pipe)" in result.stderr
    assert tree_snapshot(output) == before


def test_a_register_over_the_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "signatories.yaml"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)  # 2 GB, sparse: reading it all would take seconds and memory
    result = run_cli("check", "--signatories", str(big), "--build-date", BUILD_DATE)
    assert result.returncode == 1
    assert "file is 2048.0 MB; the limit is 20 MB" in result.stderr


BAD_URLS = [
    ('https://charter.example.org/"><script>alert(1)</script>', "with no spaces, quotes"),
    ("https://charter.example.org/\nDisallow: /", "with no spaces, quotes"),
    ("https://charter.example.org/a b/", "with no spaces, quotes"),
    ("https://www.shropshire.gov.uk@evil.example/", "must not hold a user name or password"),
    ("http://user:pass@charter.example.org/", "must not hold a user name or password"),
    ("javascript:alert(1)", "must be an http or https address"),
    ("https://charter.example.org/?x=1", "query or fragment"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_bad_site_url_on_the_command_line_is_a_usage_error(tmp_path: Path, url: str, message: str) -> None:
    result = build_site(write_register(tmp_path, VALID_RECORD), tmp_path / "site", tmp_path / "cache",
                        "--site-url", url)
    assert result.returncode == 2
    assert "argument --site-url: " in result.stderr and message in result.stderr
    assert not (tmp_path / "site").exists() and not (tmp_path / "cache").exists()


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_bad_site_url_in_mkdocs_yml_fails_the_build(url: str, message: str) -> None:
    cfg = Config(build_date=dt.date.fromisoformat(BUILD_DATE))
    with pytest.raises(BuildError, match="^site_url ") as refused:
        pipeline.site_info(cfg, {"site_url": url})
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_the_site_url_lands_exactly_where_it_is_published(tmp_path: Path) -> None:
    url = "https://charter.example.org/sv-charter/"
    result = build_site(write_register(tmp_path, VALID_RECORD), tmp_path / "site", tmp_path / "cache",
                        "--site-url", url)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (site / "robots.txt").read_text(encoding="utf-8").splitlines()[-1] == f"Sitemap: {url}sitemap.xml"
    assert f'<link rel="canonical" href="{url}register/acme-ltd/">' in (
        site / "register/acme-ltd/index.html").read_text(encoding="utf-8")
    assert f"<loc>{url}</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f'href="{url}register/acme-ltd/"' in (site / "register/feed.xml").read_text(encoding="utf-8")


def test_add_to_a_register_that_is_a_link_writes_through_to_the_real_file(tmp_path: Path) -> None:
    real = write_register(tmp_path, VALID_RECORD, name="real-register.yaml")
    link = tmp_path / "signatories.yaml"
    link.symlink_to(real.name)
    before = real.read_text(encoding="utf-8")
    options = ["--yes", "--id", "beta-ltd", "--name", "Beta Ltd", "--sector", "private", "--size", "small",
               "--signed", "2020-01-01"]
    added = run_cli("add", "--signatories", str(link), "--build-date", BUILD_DATE, *options)
    assert added.returncode == 0, added.stderr
    withdrawn = run_cli("withdraw", "acme-ltd", "--date", "2021-01-01", "--signatories", str(link),
                        "--build-date", BUILD_DATE)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    text = real.read_text(encoding="utf-8")
    assert text.startswith(before) and '  - id: "beta-ltd"' in text and "    withdrawn: 2021-01-01\n" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real-register.yaml", "signatories.yaml"]


def test_a_read_only_output_or_parent_is_a_message_and_the_site_is_kept(tmp_path: Path) -> None:
    """Without root's power to write anywhere (dropped when the tests run as root), as a person would run it."""
    outer = tmp_path / "outer"
    output = outer / "site"
    outer.mkdir()
    before = last_good_site(output)
    register = write_register(tmp_path, VALID_RECORD)
    for read_only, shown in [(output, "the folder"), (outer, "outer")]:
        read_only.chmod(0o555)
        try:
            result = _without_root_powers(["build", "--signatories", str(register), "--output", str(output),
                                        "--cache-dir", str(tmp_path / "cache"), "--build-date", BUILD_DATE,
                                        "--site-url", SITE_URL], cwd=tmp_path)
        finally:
            read_only.chmod(0o755)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"error: cannot write outer/site: {shown} is read-only"), result.stderr
        assert "(the last good site was not changed)" in result.stderr and "Traceback" not in result.stderr
        assert tree_snapshot(output) == before


def _without_root_powers(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    if os.geteuid() == 0:  # keep the user, drop the capabilities that ignore permissions
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_addresses_in_feed_attributes_cannot_end_the_attribute() -> None:
    """Second line of defence behind the site_url check: the feeds escape quotes in their links."""
    from svcharter.opendata import xml_attr

    assert xml_attr('https://x.example/"><script>') == "https://x.example/&quot;&gt;&lt;script&gt;"
