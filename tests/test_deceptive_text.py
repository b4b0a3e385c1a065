"""Text that deceives: invisible, direction-changing and non-text characters are refused in every text field,
look-alike names are warned about, and no key or value can forge or garble a message."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import BUILD_DATE, run_cli, write_register

from svcharter.cli import main
from svcharter.fields import FIELD_RULES, TEXT_RULES
from svcharter.opendata import neutralise
from svcharter.textcheck import skeleton, text_problem

BASE = "  - id: acme\n    name: Acme\n    sector: private\n    size: small\n    signed: 2018-01-01\n"
RULE_MESSAGES = {rule.name: rule.message for rule in TEXT_RULES}

CHARACTERS = [
    ("\\u202e", "bidi", "U+202E"), ("\\u2066", "bidi", "U+2066"), ("\\u200f", "bidi", "U+200F"),
    ("\\u200b", "invisible", "U+200B"), ("\\u200d", "invisible", "U+200D"), ("\\ufeff", "invisible", "U+FEFF"),
    ("\\u00ad", "invisible", "U+00AD"), ("\\u034f", "invisible", "U+034F"), ("\\u180e", "invisible", "U+180E"),
    ("\\u115f", "invisible", "U+115F"), ("\\u1160", "invisible", "U+1160"), ("\\u3164", "invisible", "U+3164"),
    ("\\uffa0", "invisible", "U+FFA0"), ("\\u2060", "invisible", "U+2060"), ("\\U000e0041", "invisible", "U+E0041"),
    ("\\ufffe", "noncharacter", "U+FFFE"), ("\\ufdd0", "noncharacter", "U+FDD0"), ("\\U0001ffff", "noncharacter", "U+1FFFF"),
    ("\\x1b", "control", "U+001B"), ("\\x85", "control", "U+0085"), ("\\u2028", "control", "U+2028"),
    ("\\t", "control", "U+0009"), ("\\ud800", "surrogate", "U+D800"),
]
FIELDS = [
    ("name", BASE.replace("name: Acme", 'name: "Ac{c}me"'), "3:11"),
    ("statement", BASE + '    statement: "We{c} care"\n', "7:16"),
    ("location", BASE + '    location: "Lud{c}low"\n', "7:15"),
    ("withdrawn_reason", BASE + '    withdrawn: 2019-01-01\n    withdrawn_reason: "Clo{c}sed"\n', "8:23"),
    ("reports.values.local-growth-initiatives",
     BASE + '    reports:\n      - year: 2019\n        values: {{local-growth-initiatives: "A hub{c}"}}\n', "9:44"),
    ("website", BASE + '    website: "https://acme.example/{c}"\n', "7:14"),
]


def _check(tmp_path: Path, records: str, *options: str) -> subprocess.CompletedProcess[str]:
    write_register(tmp_path, records)
    return run_cli("check", *options, "--signatories", "signatories.yaml", "--build-date", BUILD_DATE, cwd=tmp_path)


@pytest.mark.parametrize(("field", "template", "where"), FIELDS, ids=[f[0] for f in FIELDS])
def test_every_text_field_refuses_every_kind_of_deceptive_character(field: str, template: str, where: str,
                                                                    tmp_path: Path) -> None:
    """One run per field holds one record per character, so every rule is seen in every field."""
    records = "".join(template.format(c=char).replace("id: acme", f"id: acme-{i}") for i, (char, _, _) in enumerate(CHARACTERS))
    done = _check(tmp_path, records)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    record_lines = len(template.format(c="").splitlines())
    line, column = (int(n) for n in where.split(":"))
    expected = [f"signatories.yaml:{line + i * record_lines}:{column}: 'acme-{i}': {field}: {RULE_MESSAGES[rule]} (found {code})"
                for i, (_, rule, code) in enumerate(CHARACTERS)]
    assert lines[:-1] == expected
    assert lines[-1] == f"{len(CHARACTERS)} problems found: nothing was built."


NAMES = [
    ('"\\u0301\\u0301"', "has no visible character: write the organisation's name in letters"),
    ('"\\u00a0\\u2003"', "is empty: write a value or remove the line"),
]


@pytest.mark.parametrize(("name", "message"), NAMES)
def test_a_name_with_nothing_visible_is_refused(name: str, message: str, tmp_path: Path) -> None:
    done = _check(tmp_path, BASE.replace("name: Acme", f"name: {name}"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == f"signatories.yaml:3:11: 'acme': name: {message}"


def test_plain_text_in_any_script_passes(tmp_path: Path) -> None:
    records = BASE.replace("name: Acme", "name: Café Ŵyn Ltd") + '    statement: "“Quotes”, dashes – and Ελληνικά, Русский, 中文."\n'
    done = _check(tmp_path, records)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_invisible_rule_covers_every_format_character() -> None:
    """Every character of Unicode category Cf (as Python knows it) and every noncharacter is refused."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
        if category in ("Cf", "Cc", "Cs", "Zl", "Zp") or noncharacter:
            assert text_problem("statement", f"a{char}b"), f"U+{code:04X} ({category}) is not refused"
    for char in "aZ09 éŵΩЖ中—“’…£€":
        assert text_problem("statement", f"a{char}b") is None, char


def test_the_rules_mean_the_same_in_a_browser() -> None:
    """The sign-up form reuses TEXT_RULES in JavaScript: Node's RegExp with the `u` flag must agree with Python."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the tests (see the README)"
    rules = [(r.name, r.pattern) for r in (*TEXT_RULES, *(rule for rules in FIELD_RULES.values() for rule in rules))]
    samples = ["Acme", "a\u202eb", "a\u200bb", "x\ufeff", "\U000e0041", "\ufffe", "\U0010ffff", "\ud800", "\x1b",
               "\u2028", "\u0301", " ", "https://a@b.example/", "https://b.example/@x", "Ελληνικά", "😀"]
    expected = [[bool(re.search(pattern, sample)) for sample in samples] for _, pattern in rules]
    script = ("const [rules, samples] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(rules.map(([, p]) => samples.map(s => new RegExp(p, 'u').test(s)))));")
    done = subprocess.run([node, "-e", script], input=json.dumps([rules, samples]), capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == expected
    assert not any("\\p{" in p or "\\U" in p or "(?<" in p or '\\"' in p for _, p in rules)


USERINFO = "holds a user name or password before '@', which would send readers to another site: write only the " \
           "organisation's address, e.g. https://www.example.org"


@pytest.mark.parametrize("url", ["http://user:pass@host.example", "https://www.shropshire.gov.uk@evil.example/",
                                 "https://@evil.example"])
def test_a_website_with_user_information_is_refused(url: str, tmp_path: Path) -> None:
    done = _check(tmp_path, BASE + f"    website: {url}\n")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == f"signatories.yaml:7:14: 'acme': website: {USERINFO}"


def test_an_at_sign_after_the_host_is_allowed(tmp_path: Path) -> None:
    assert _check(tmp_path, BASE + "    website: https://social.example/@acme\n").returncode == 0


LOOKALIKES = BASE + BASE.replace("acme", "acme-2").replace("name: Acme", "name: ACME") + BASE.replace(
    "acme", "acme-3").replace("name: Acme", 'name: "\\u0410\\u0441me"') + BASE.replace("acme", "acme-4").replace(
    "name: Acme", 'name: "\\u0391CME"')
SAME = "is the same as the name of 'acme' (line 3): check they are different organisations"
LOOKS = ("looks like the name of 'acme' (line 3) but is spelt with different characters (such as a Cyrillic or Greek "
         "letter for a Latin one): check it is typed in plain letters")


def test_look_alike_names_are_warnings_not_errors(tmp_path: Path) -> None:
    done = _check(tmp_path, LOOKALIKES)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"signatories.yaml:8:11: warning: 'acme-2': name: {SAME}",
                                        f"signatories.yaml:13:11: warning: 'acme-3': name: {LOOKS}",
                                        f"signatories.yaml:18:11: warning: 'acme-4': name: {LOOKS}"]
    assert done.stdout == "signatories.yaml: 4 signatories, no problems found (3 warnings to look at).\n"


def test_look_alike_names_are_github_warnings(tmp_path: Path) -> None:
    done = _check(tmp_path, LOOKALIKES, "--format", "github")
    assert done.returncode == 0
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert annotations == [f"::warning file=signatories.yaml,line=8,col=11::'acme-2': name: {SAME}",
                           f"::warning file=signatories.yaml,line=13,col=11::'acme-3': name: {LOOKS}",
                           f"::warning file=signatories.yaml,line=18,col=11::'acme-4': name: {LOOKS}"]


def test_skeleton_reads_greek_and_cyrillic_look_alikes_as_latin() -> None:
    assert skeleton("Шропшир") != skeleton("Shropshire")
    assert skeleton("ΑΒΕΗΙΚΜΝΟΡΤΥΧΖ") == skeleton("ABEHIKMNOPTYXZ")
    assert skeleton("АВЕНІЈКМОРСЅТХУ") == skeleton("ABEHIJKMOPCSTXY")
    assert skeleton("Acme  Ltd") == skeleton("acme ltd") == skeleton("Ａｃｍｅ Ｌｔｄ")
    assert skeleton("Acme Ltd") != skeleton("Acme Ltda")


@pytest.mark.parametrize("cell", ["=1+1", " =1+1", "\u00a0=HYPERLINK(\"x\")", "\u2007+1", "\u3000@SUM(A1)", " \u00a0-1"])
def test_csv_formulas_are_neutralised_after_leading_spaces(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Acme", "a=1", "Shrewsbury - Ludlow", ""])
def test_csv_plain_text_is_unchanged(cell: str) -> None:
    assert neutralise(cell) == cell


FORGED = 'signatories.yaml:1:1: \'x\': id: all fine\\n\\x1b[2J\\u202e'


def test_a_yaml_key_cannot_forge_a_message_or_send_terminal_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write_register(tmp_path, BASE + '    "websit\\nsignatories.yaml:1:1: \'x\': id: all fine\\n\\e[2J\\u202e": 1\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "signatories.yaml:7:5: 'acme': websit\\nsignatories.yaml:1:1: 'x': id: all fine\\n\\x1b[2J\\u202e: unknown field "
        "(allowed: id, name, sector, size, activities, signed, website, identifier, location, founding, commitments, "
        "statement, withdrawn, withdrawn_reason, reaffirmed, reports)",
        "1 problem found: nothing was built."]
    assert "\x1b" not in err and "\u202e" not in err
    assert main(["check", "--format", "github", "--signatories", "signatories.yaml", "--build-date", BUILD_DATE]) == 1
    annotation = capsys.readouterr().out
    assert annotation.count("\n") == 1 and "\x1b" not in annotation
    assert annotation.startswith("::error file=signatories.yaml,line=7,col=5::'acme': websit\\nsignatories.yaml")


def test_a_message_about_a_field_points_at_the_field(tmp_path: Path) -> None:
    done = _check(tmp_path, BASE.replace("name: Acme", "name: Acme ★"))
    assert done.stderr.splitlines()[0] == \
        "signatories.yaml:3:11: 'acme': name: holds characters the charter's font cannot draw: '★' (U+2605)"


def _long_list(count: int) -> str:
    return BASE + "    activities: [" + ", ".join(["health"] * count) + "]\n"


def test_a_long_list_is_checked_in_linear_time(tmp_path: Path) -> None:
    """One record with a 1 MB list of repeated values once took 244 s (each value counted against every other)."""
    from svcharter.models import _unique  # the cross-value check, timed alone so parsing does not blur it

    class Rec:
        errors: list[str] = []

        def fail(self, node: object, field: str, message: str) -> None:
            self.errors.append(message)

    values = ["health"] * 200_000 + [f"v{i}" for i in range(200_000)]
    started = time.perf_counter()
    assert _unique(Rec(), None, "activities", values) is None  # type: ignore[arg-type]
    assert time.perf_counter() - started < 2.0
    assert Rec.errors == ["lists health more than once"]
    started = time.perf_counter()
    done = _check(tmp_path, _long_list(125_000))
    elapsed = time.perf_counter() - started
    assert (tmp_path / "signatories.yaml").stat().st_size > 1_000_000
    assert done.stderr.splitlines()[0] == "signatories.yaml:7:17: 'acme': activities: lists health more than once"
    assert elapsed < 60, f"a 1 MB list took {elapsed:.1f} s to check"
