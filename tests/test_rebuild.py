"""What makes a rebuild cheap: the cached register, and replacing the old site without waiting to delete it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, SITE_URL, VALID_RECORD, write_register

from svcharter import build as pipeline
from svcharter import writer
from svcharter.config import Config
from svcharter.errors import BuildError, InvalidData
from svcharter.register import Register


def config(signatories: Path, tmp_path: Path) -> Config:
    return Config(signatories=signatories, output=tmp_path / "site", cache_dir=tmp_path / "cache", site_url=SITE_URL,
                  build_date=dt.date.fromisoformat(BUILD_DATE), quiet=True)


def cached(cfg: Config) -> tuple[Register, bool]:
    """The register as a build gets it, and whether it was validated afresh (the build's own "validate" timing)."""
    progress = pipeline.Progress(quiet=True)
    register = pipeline.validated_register(cfg, pipeline.read_mkdocs_settings(cfg), progress)
    assert progress.timings["register"] >= progress.timings.get("validate", 0.0)
    return register, "validate" in progress.timings


def test_unchanged_inputs_skip_validation_and_give_the_same_register(tmp_path: Path) -> None:
    cfg = config(write_register(tmp_path, VALID_RECORD), tmp_path)
    first, validated_first = cached(cfg)
    second, validated_second = cached(cfg)
    assert validated_first and not validated_second
    assert second == first and second is not first and [s.name for s in second.signatories] == ["Acme Ltd"]


def test_any_change_to_an_input_validates_again(tmp_path: Path) -> None:
    register = write_register(tmp_path, VALID_RECORD)
    cfg = config(register, tmp_path)
    assert cached(cfg)[1]
    register.write_text(register.read_text(encoding="utf-8").replace("Acme Ltd", "Acme Limited"), encoding="utf-8")
    changed, validated = cached(cfg)
    assert validated and [s.name for s in changed.signatories] == ["Acme Limited"]
    later = Config(**{**cfg.__dict__, "build_date": dt.date(2027, 1, 1)})
    assert cached(later)[1]
    assert len(list((tmp_path / "cache" / "register").glob("*.pickle"))) == 1  # only the newest is kept


def test_bad_data_is_reported_even_after_a_good_build_was_cached(tmp_path: Path) -> None:
    register = write_register(tmp_path, VALID_RECORD)
    cfg = config(register, tmp_path)
    cached(cfg)
    register.write_text(register.read_text(encoding="utf-8").replace("2018-03-01", "2018-02-30"), encoding="utf-8")
    with pytest.raises(InvalidData) as problem:
        cached(cfg)
    assert "signed" in str(problem.value)


def test_an_unreadable_cache_entry_is_validated_afresh(tmp_path: Path) -> None:
    cfg = config(write_register(tmp_path, VALID_RECORD), tmp_path)
    cached(cfg)
    for entry in (tmp_path / "cache" / "register").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    register, validated = cached(cfg)
    assert validated and [s.id for s in register.signatories] == ["acme-ltd"]


def test_a_phase_is_timed_even_when_it_fails() -> None:
    progress = pipeline.Progress(quiet=True)
    with pytest.raises(ValueError), progress.phase("broken"):
        time.sleep(0.01)
        raise ValueError("stop")
    with progress.phase("broken"):
        pass
    assert progress.timings["broken"] >= 0.01


def wait_until_gone(output: Path, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while writer.retired_outputs(output) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_swap_puts_the_new_site_live_and_deletes_the_old_one_in_the_background(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    (output / "old.html").write_text("old", encoding="utf-8")
    leftover = tmp_path / ".site-old-interrupted" / "site"  # a deletion an earlier build never finished
    leftover.mkdir(parents=True)
    (leftover / "stale.html").write_text("stale", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "new.html").write_text("new", encoding="utf-8")
    writer.swap_in(staging, output)
    assert sorted(p.name for p in output.iterdir()) == ["new.html"]
    wait_until_gone(output)
    assert writer.retired_outputs(output) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_add_files_links_cached_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    cached_file = tmp_path / "cached.png"
    cached_file.write_bytes(b"png")
    files = writer.FileSet()
    files.add("register/a/badge/a.png", cached_file)
    files.add("register/a/badge/assertion.json", "{}\n")
    root = tmp_path / "staging"
    writer.add_files(root, files)
    linked = root / "register/a/badge/a.png"
    assert linked.stat().st_ino == cached_file.stat().st_ino
    assert (root / "register/a/badge/assertion.json").stat().st_mode & 0o777 == 0o644
    clash = writer.FileSet()
    clash.add("register/a/badge/assertion.json", "{}\n")
    with pytest.raises(BuildError, match="would overwrite"):
        writer.add_files(root, clash)


def test_without_a_process_to_spare_the_old_site_is_deleted_before_returning(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes left")

    monkeypatch.setattr(writer.subprocess, "Popen", no_processes)
    output = tmp_path / "site"
    output.mkdir()
    (output / "old.html").write_text("old", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    writer.swap_in(staging, output)
    assert writer.retired_outputs(output) == [] and output.is_dir()


def test_files_are_copied_where_they_cannot_be_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def cross_device(source: object, target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(writer.os, "link", cross_device)
    cached_file = tmp_path / "cached.png"
    cached_file.write_bytes(b"png bytes")
    files = writer.FileSet()
    files.add("register/a/badge/a.png", cached_file)
    writer.add_files(tmp_path / "staging", files)
    copied = tmp_path / "staging/register/a/badge/a.png"
    assert copied.read_bytes() == b"png bytes" and copied.stat().st_ino != cached_file.stat().st_ino
    assert copied.stat().st_mode & 0o777 == 0o644
