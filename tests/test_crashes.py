"""Inputs that once ended in a Python traceback: each is now a located message and exit code 1, from `check` as from `build`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, ROOT, SITE_URL, last_good_site, run_cli, tree_snapshot, write_register

from svcharter import serve as serve_module
from svcharter.build import BuildReport, check
from svcharter.changes import compare_with_published, summarise
from svcharter.config import Config
from svcharter.errors import InvalidData

BASE = "  - id: acme\n    name: Acme\n    sector: private\n    size: small\n    signed: 2018-01-01\n"
SURROGATE = "holds half of a character (a lone surrogate), which cannot be saved as text: retype the value (found U+D800)"

CRASHES = [
    ("surrogate in a name", BASE.replace("name: Acme", 'name: "Acme \\ud800"'),
     f"signatories.yaml:3:11: 'acme': name: {SURROGATE}"),
    ("surrogate in a statement", BASE + '    statement: "We care \\ud800"\n',
     f"signatories.yaml:7:16: 'acme': statement: {SURROGATE}"),
    ("number too large to print", BASE + "    reports:\n      - year: 2019\n        values: {apprenticeships: 1e400}\n",
     "signatories.yaml:9:35: 'acme': reports.values.apprenticeships: must be a number, 0 or more, written in plain digits, "
     "at most 12 before the point and 4 after, such as 1500 or 64.5 (found '1e400')"),
    ("nesting 1,000 deep in reports", BASE + "    reports: " + "[" * 1000 + "]" * 1000 + "\n",
     "signatories.yaml:7:31: lists and mappings are nested more than 20 deep here: no record needs that many"),
    ("nesting 1,000 deep with a syntax error", BASE + "    reports: " + "[" * 1000 + "\n",
     "signatories.yaml:7:31: lists and mappings are nested more than 20 deep here: no record needs that many"),
    ("block nesting 1,000 deep", BASE + "    reports:\n" + "".join(" " * (6 + 2 * i) + "-\n" for i in range(1000)),
     "signatories.yaml:25:41: lists and mappings are nested more than 20 deep here: no record needs that many"),
]


def _problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("signatories.yaml:")]


@pytest.mark.parametrize(("label", "records", "expected"), CRASHES, ids=[c[0] for c in CRASHES])
def test_check_gives_a_located_message(label: str, records: str, expected: str, tmp_path: Path) -> None:
    write_register(tmp_path, records)
    done = run_cli("check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _problems(done.stderr) == [expected], done.stderr


@pytest.mark.parametrize(("label", "records", "expected"), CRASHES[:3], ids=[c[0] for c in CRASHES[:3]])
def test_build_refuses_with_the_same_message_and_keeps_the_old_output(label: str, records: str, expected: str,
                                                                    tmp_path: Path) -> None:
    write_register(tmp_path, records)
    before = last_good_site(tmp_path / "site")
    done = run_cli("build", "--signatories", "signatories.yaml", "--output", "site", "--cache-dir", "cache",
                   "--build-date", BUILD_DATE, "--site-url", SITE_URL, "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _problems(done.stderr)[0] == expected
    assert tree_snapshot(tmp_path / "site") == before


@pytest.mark.parametrize("field", ["name", "statement"])
def test_github_annotations_escape_a_surrogate(field: str, tmp_path: Path) -> None:
    records = BASE.replace("name: Acme", 'name: "Acme \\ud800"') if field == "name" else BASE + '    statement: "x\\ud800"\n'
    write_register(tmp_path, records)
    done = run_cli("check", "--format", "github", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE,
                   cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    line = 3 if field == "name" else 7
    column = 11 if field == "name" else 16
    assert done.stdout.splitlines() == [f"::error file=signatories.yaml,line={line},col={column}::'acme': {field}: {SURROGATE}"]


def test_a_published_json_nested_100000_deep_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data/signatories.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    current = json.dumps({"signatories": [{"id": "a", "name": "A"}]})
    changes = compare_with_published(tmp_path, current)
    assert not changes.previous_found
    assert changes.text() == ("The previous build's data/signatories.json could not be read (it is not the register's JSON), "
                              "so there is nothing to compare with.\n"
                              "No published site to compare with: this build publishes 1 signatories.")


@pytest.mark.parametrize("damaged", [b"\xff\xfe not UTF-8", b'{"signatories": [1, 2]}', b'{"signatories": {"a": 1}}'])
def test_a_damaged_published_json_is_a_note(damaged: bytes, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data/signatories.json").write_bytes(damaged)
    changes = compare_with_published(tmp_path, json.dumps({"signatories": []}))
    assert not changes.previous_found
    assert changes.notes and "could not be read" in changes.notes[0]
    assert summarise(None, json.dumps({"signatories": []})).notes == ()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sources validation reads (content/ and mkdocs.yml), to break one at a time."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copyfile(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    write_register(tmp_path, BASE)
    return tmp_path


def _check_problems(project: Path) -> list[str]:
    cfg = Config(root=project, signatories=project / "signatories.yaml", build_date=dt.date(2026, 11, 25))
    with pytest.raises(InvalidData) as caught:
        check(cfg)
    return [str(e) for e in caught.value.errors]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SURVEY_CASES = [
    ("measures.yaml", "    kind: number\n", "    kind: numbr\n",
     "measures.yaml:45:11: 'investment-value': kind: 'numbr' is not a kind (allowed: number, percentage, narrative)"),
    ("measures.yaml", "strongly_agree: 8,", "strongly_agree: eight,",
     "measures.yaml:41:33: 'local-supply-chain-spend': strongly_agree: must be a whole number, 0 or more"),
    ("measures.yaml", "  - id: economic-growth\n    question: Q9\n", "  - id: economic-growth\n",
     "measures.yaml:18:5: 'economic-growth': question: is missing"),
    ("measures.yaml", "    adopted: true\n", "    adopted: [true\n",
     "measures.yaml:41:14: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence that starts "
     "on line 40); check indentation, colons and quotes on this line and the one above"),
    ("measures.yaml", "    theme: local-supply-chain\n", "    theme: local-supply\n",
     "measures.yaml:36:12: 'local-supply-chain-spend': theme: 'local-supply' is not a theme (allowed: economic-growth, "
     "employment-conditions, local-employment, local-supply-chain, skills-and-training)"),
    ("engagement.yaml", "    question: Q7b\n", "    questoin: Q7b\n",
     "engagement.yaml:14:5: 'charter-mark-encourages': unknown key 'questoin' (allowed: id, question, wording, responses)"),
    ("engagement.yaml", "statements:\n", "statement:\n",
     "engagement.yaml:8:1: unknown key 'statement' (allowed: statements)"),
    ("engagement.yaml", '"A Social Value Charter will', '"\\ud800 A Social Value Charter will',
     f"engagement.yaml:11:14: 'charter-helps': wording: {SURROGATE}"),
    ("engagement.yaml", "responses: {strongly_agree: 3, tend_to_agree: 4, neither: 5, tend_to_disagree: 1, strongly_disagree: 1}",
     "responses: 5",
     "engagement.yaml:16:16: 'charter-mark-encourages': must be a mapping of strongly_agree, tend_to_agree, neither, "
     "tend_to_disagree, strongly_disagree"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), SURVEY_CASES, ids=[c[3][:40] for c in SURVEY_CASES])
def test_a_broken_survey_file_names_its_own_file_and_line(project: Path, file: str, old: str, new: str,
                                                          expected: str) -> None:
    _edit(project / "content" / file, old, new)
    problems = _check_problems(project)
    assert [p.split("content/", 1)[-1] for p in problems] == [expected]


MARKER_CASES = [
    ("index.md", "<!-- register:count -->", "<!-- register:cont -->",
     "index.md:52:1: unknown page marker 'register:cont' in <!-- register:cont --> (allowed: register:count, "
     "register:newest, engagement:statements, engagement:measures, logo:downloads, contact:misuse, "
     "percent:agree:STATEMENT-ID; did you mean 'register:count'?)"),
    ("engagement-results.md", "<!-- percent:agree:would-sign -->", "<!-- percent:agree:would-sing -->",
     "engagement-results.md:108:3: unknown survey statement 'would-sing' in <!-- percent:agree:would-sing --> "
     "(allowed: charter-helps, charter-mark-encourages, principles-correct, would-sign; did you mean 'would-sign'?)"),
    ("news/posts/launch.md", "\n\n", "\n\n<!-- news:latest -->\n\n",
     "news/posts/launch.md:"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), MARKER_CASES, ids=[c[0] for c in MARKER_CASES])
def test_an_unknown_page_marker_is_located(project: Path, file: str, old: str, new: str, expected: str) -> None:
    _edit(project / "content" / file, old, new)
    problems = [p.split("content/", 1)[-1] for p in _check_problems(project)]
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert "unknown page marker" in problems[0] or "unknown survey statement" in problems[0]


def test_a_comment_without_a_colon_is_not_a_marker(project: Path) -> None:
    _edit(project / "content" / "index.md", "<!-- register:count -->", "<!-- more -->")
    cfg = Config(root=project, signatories=project / "signatories.yaml", build_date=dt.date(2026, 11, 25))
    assert len(check(cfg).signatories) == 1


def test_build_refuses_an_unknown_marker_even_when_the_register_is_cached(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The register cache does not cover the pages, so the markers are checked on every build."""
    from svcharter import build as pipeline
    from svcharter.register_cache import cached_register

    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copyfile(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    write_register(project, BASE)
    cfg = Config(root=project, signatories=project / "signatories.yaml", build_date=dt.date(2026, 11, 25),
                 cache_dir=tmp_path / "cache", output=tmp_path / "site", site_url=SITE_URL, quiet=True)
    settings = pipeline.read_mkdocs_settings(cfg)
    cached_register(cfg, settings, lambda: pipeline.load_register(cfg, settings))
    _edit(project / "content" / "index.md", "<!-- register:count -->", "<!-- register:cont -->")

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the register should have come from the cache")

    monkeypatch.setattr(pipeline, "load_register", not_again)
    with pytest.raises(InvalidData) as caught:
        pipeline.build(cfg)
    assert "index.md:52:1: unknown page marker 'register:cont'" in str(caught.value)
    assert not (tmp_path / "site").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_outlives_a_build_that_crashes_and_keeps_watching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Any failure, even one that is not a CharterError (a bug), is printed and the next save is built."""
    from svcharter import build as pipeline

    calls: list[str] = []

    def flaky_build(cfg: Config, progress: object = None) -> BuildReport:
        calls.append(cfg.signatories.read_text(encoding="utf-8"))
        if len(calls) == 1:
            raise RuntimeError("a bug in a build stage")
        return BuildReport(signatories=1)

    monkeypatch.setattr(pipeline, "build", flaky_build)
    register = write_register(tmp_path, BASE)
    cfg = Config(signatories=register, output=tmp_path / "preview", cache_dir=tmp_path / "cache")
    reports: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve_module.serve, args=(cfg, _free_port(), lambda e: reports.append(str(e)), stop))
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        register.write_text(register.read_text(encoding="utf-8").replace("Acme", "Acme Mended"), encoding="utf-8")
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert reports == ["the build stopped unexpectedly (RuntimeError: a bug in a build stage); "
                       "please report this with the change you saved"]
    assert len(calls) >= 2 and "Acme Mended" in calls[-1]
    out = capsys.readouterr().out
    assert "The preview still shows the last good build." in out
    assert "rebuilt 1 signatories" in out


def test_a_published_name_with_a_surrogate_or_escape_prints_and_saves(tmp_path: Path) -> None:
    """The last published JSON is read back without validation: its text is escaped before it is shown."""
    from svcharter.changes import write_markdown

    before = json.dumps({"signatories": [{"id": "gone", "name": "Gone \ud800\x1b[2J\nLtd"}]})
    changes = summarise(before, json.dumps({"signatories": []}))
    assert changes.text().splitlines()[-1] == "  removed: Gone \\ud800\\x1b[2J\\nLtd (gone)"
    saved = write_markdown(changes, tmp_path).read_text(encoding="utf-8")
    assert "\x1b" not in saved and "Gone \\\\ud800" in saved


def test_a_news_post_with_broken_front_matter_is_a_message(project: Path) -> None:
    from svcharter.errors import BuildError
    from svcharter.site_extras import news_posts

    _edit(project / "content/news/posts/launch.md", "date: null\n", "date: [null\n")
    with pytest.raises(BuildError) as caught:
        news_posts(Config(root=project))
    assert str(caught.value).startswith("content/news/posts/launch.md:4: the front matter is not valid YAML (")
