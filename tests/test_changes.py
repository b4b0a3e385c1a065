"""The end-of-build summary names exactly who is added, withdrawn and edited for the public."""

from __future__ import annotations

import json
from pathlib import Path

from svcharter.changes import compare_with_published, summarise, write_markdown


def record(id_: str, name: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {"id": id_, "name": name, "status": "current", "sector": "public", "size": "large",
                               "signed": "2017-01-01", "withdrawn": None, "withdrawn_reason": None, "location": None}
    data.update(fields)
    return data


def register(*records: dict[str, object], checked: str = "2025-01-01") -> str:
    return json.dumps({"title": "t", "register_checked": checked, "signatories": list(records)})


BEFORE = register(record("alpha", "Alpha"), record("beta", "Beta"), record("gone", "Gone Ltd"), record("gamma", "Gamma"))
AFTER = register(
    record("alpha", "Alpha"),
    record("beta", "Beta", status="withdrawn", withdrawn="2024-05-01", withdrawn_reason="Closed"),
    record("gamma", "Gamma Group", location="Ludlow"),
    record("new-one", "New One"),
    checked="2025-02-01",
)


def test_added_withdrawn_edited_and_removed() -> None:
    changes = summarise(BEFORE, AFTER)
    assert [e.id for e in changes.added] == ["new-one"]
    assert [e.id for e in changes.withdrawn] == ["beta"]
    assert [(e.id, e.fields) for e in changes.edited] == [("gamma", ("name", "location"))]
    assert [e.id for e in changes.removed] == ["gone"]
    assert changes.text() == (
        "Changes to the public register: 1 added, 1 withdrawn, 1 edited, 1 removed (4 signatories in all).\n"
        "  added: New One (new-one)\n"
        "  withdrawn: Beta (beta)\n"
        "  edited: Gamma Group (gamma): name, location\n"
        "  removed: Gone Ltd (gone)"
    )


def test_markdown_for_a_pull_request_comment() -> None:
    markdown = summarise(BEFORE, AFTER).markdown()
    assert markdown.startswith("### What this change does to the public register\n\n")
    assert "**Added**\n\n- New One (`new-one`)\n" in markdown
    assert "**Edited**\n\n- Gamma Group (`gamma`): `name`, `location`\n" in markdown
    assert "**Withdrawn**\n\n- Beta (`beta`)\n" in markdown


def test_markdown_escapes_names() -> None:
    markdown = summarise(register(), register(record("x", "<b>*Bold*</b> [link](http://e)"))).markdown()
    assert "\\<b\\>\\*Bold\\*\\</b\\> \\[link\\]\\(http://e\\)" in markdown


def test_build_date_alone_is_no_change() -> None:
    changes = summarise(register(record("a", "A")), register(record("a", "A"), checked="2030-01-01"))
    assert not changes.any
    assert changes.text() == "No changes to the public register (1 signatories)."


def test_identical_files_are_no_change_and_still_counted() -> None:
    changes = summarise(AFTER, AFTER)
    assert changes.previous_found and not changes.any
    assert changes.text() == "No changes to the public register (4 signatories)."


def test_withdrawal_with_other_edits_is_listed_twice() -> None:
    after = register(record("a", "A2", status="withdrawn", withdrawn="2024-01-01"))
    changes = summarise(register(record("a", "A")), after)
    assert [e.id for e in changes.withdrawn] == ["a"]
    assert [e.fields for e in changes.edited] == [("name",)]


def test_first_build_and_unreadable_previous() -> None:
    assert summarise(None, AFTER).text() == "No published site to compare with: this build publishes 4 signatories."
    broken = summarise("{not json", AFTER)
    assert not broken.previous_found
    assert broken.text().startswith("The previous build's data/signatories.json could not be read (it is not the register's JSON), "
                                   "so there is nothing to compare with.\n")


def test_compare_with_published_reads_the_output_folder(tmp_path: Path) -> None:
    assert not compare_with_published(tmp_path, AFTER).previous_found
    (tmp_path / "data").mkdir()
    (tmp_path / "data/signatories.json").write_text(BEFORE, encoding="utf-8")
    changes = compare_with_published(tmp_path, AFTER)
    assert changes.previous_found and changes.added
    written = write_markdown(changes, tmp_path / "cache")
    assert written == tmp_path / "cache/changes.md"
    assert written.read_text(encoding="utf-8") == changes.markdown()


def test_a_real_build_reports_changes(tmp_path: Path) -> None:
    from svcharter.build import build
    from svcharter.config import ROOT, Config

    source = (ROOT / "signatories.yaml").read_text(encoding="utf-8")
    register_file = tmp_path / "signatories.yaml"
    register_file.write_text(source, encoding="utf-8")
    cfg = Config(signatories=register_file, output=tmp_path / "site", cache_dir=tmp_path / "cache", quiet=True)
    assert build(cfg).changes.startswith("No published site to compare with")
    register_file.write_text(source.replace("name: Housing\n", "name: Housing Group\n"), encoding="utf-8")
    report = build(cfg)
    assert report.changes.endswith("  edited: Housing Group (housing): name")
    assert "- Housing Group (`housing`): `name`" in (tmp_path / "cache/changes.md").read_text(encoding="utf-8")
