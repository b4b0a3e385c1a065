"""What makes a rebuild cheap: the cached register, and replacing the old site without waiting to delete it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from conftest import BUILD_DATE, SITE_URL, VALID_RECORD, wait_for_deletions, write_register

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
    register = pipeline.validated_register(cfg, pipeline.read_mkdocs_settings(cfg), progress, [])
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
    assert len(list((tmp_path / "cache" / "register").iterdir())) == 1  # only the newest is kept


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
    for entry in (tmp_path / "cache" / "register").glob("*/register.json"):
        entry.chmod(0o644)
        entry.write_bytes(b"not a register")
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


def old_site_and_staging(folder: Path, staging_name: str = "staging") -> tuple[Path, Path]:
    """A live site holding old.html, and an empty staging folder beside it, ready to be swapped in."""
    output = folder / "site"
    output.mkdir()
    (output / "old.html").write_text("old", encoding="utf-8")
    staging = folder / staging_name
    staging.mkdir()
    return output, staging


def test_swap_puts_the_new_site_live_and_deletes_the_old_one_in_the_background(tmp_path: Path) -> None:
    output, staging = old_site_and_staging(tmp_path)
    leftover = tmp_path / ".site-old-interrupted" / "site"  # a deletion an earlier build never finished
    leftover.mkdir(parents=True)
    (leftover / "stale.html").write_text("stale", encoding="utf-8")
    (staging / "new.html").write_text("new", encoding="utf-8")
    writer.swap_in(staging, output)
    assert sorted(p.name for p in output.iterdir()) == ["new.html"]
    wait_for_deletions(output)
    assert writer.retired_outputs(output) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.svcharter-output", "site"]  # the marker stays


def test_a_swap_that_cannot_finish_puts_the_old_site_back_and_says_why(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    output, staging = old_site_and_staging(tmp_path, ".site-staging-abcd1234")
    real_rename = writer.os.rename

    def no_room(source: object, target: object) -> None:
        if str(source) == str(staging):
            raise OSError(28, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr(writer.os, "rename", no_room)
    with pytest.raises(BuildError, match="^cannot write site: No space left on device: .*last good site was not"):
        monkeypatch.chdir(tmp_path)
        writer.swap_in(staging, output)
    assert sorted(p.name for p in output.iterdir()) == ["old.html"]


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


def test_replace_file_keeps_the_old_mode_and_a_new_file_is_owner_only(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    writer.replace_file(kept, b"new")
    assert kept.read_bytes() == b"new" and kept.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.txt"
    writer.replace_file(fresh, b"private")
    assert fresh.stat().st_mode & 0o777 == 0o600
    writer.replace_file(fresh, b"public", 0o644)
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_replace_file_keeps_the_old_file_when_the_check_refuses(tmp_path: Path) -> None:
    target = tmp_path / "register.yaml"
    target.write_bytes(b"good")
    seen: list[bytes] = []

    def refuse(temp: Path) -> None:
        seen.append(temp.read_bytes())
        raise ValueError("not valid")

    with pytest.raises(ValueError, match="not valid"):
        writer.replace_file(target, b"bad", check=refuse)
    assert seen == [b"bad"] and target.read_bytes() == b"good"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["register.yaml"]


def test_without_a_process_to_spare_the_old_site_is_deleted_before_returning(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes left")

    monkeypatch.setattr(writer.subprocess, "Popen", no_processes)
    output, staging = old_site_and_staging(tmp_path)
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


def project_copy(tmp_path: Path) -> Path:
    """The project's sources in a scratch folder, so a test can edit the logo without touching the real one."""
    import shutil

    from conftest import ROOT

    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".cache", "site", "node_modules", "bench",
                                                                 "tests", "docs"))
    return project


def test_in_one_process_an_edited_logo_is_drawn_on_the_next_build(tmp_path: Path) -> None:
    """As `serve` runs: build, edit logo/charter-logo.svg, build. The second build must draw the new logo everywhere."""
    project = project_copy(tmp_path)
    cfg = Config(**{**config(write_register(tmp_path, VALID_RECORD), tmp_path).__dict__, "root": project, "workers": 1})
    first = pipeline.build(cfg)
    assert first.badges_rendered == 1
    badge = cfg.output / "register/acme-ltd/badge/acme-ltd-badge.svg"
    assert "#00594f" in badge.read_text(encoding="utf-8")
    logo = project / "logo" / "charter-logo.svg"
    edited = logo.read_text(encoding="utf-8").replace("#00594f", "#8a1538")
    logo.write_text(edited, encoding="utf-8")

    second = pipeline.build(cfg)
    assert second.badges_rendered == 1 and second.cards_rendered == first.cards_rendered > 1
    assert (cfg.output / "logo/charter-logo.svg").read_text(encoding="utf-8") == edited
    logo_group = badge.read_text(encoding="utf-8").split('<g id="logo"', 1)[1].split("</g>\n", 1)[0]
    assert "#8a1538" in logo_group and "#00594f" not in logo_group
    assert pipeline.build(cfg).badges_rendered == 0  # and the new logo is cached like the old one was


def test_published_files_share_an_inode_only_with_sealed_read_only_cache_files(tmp_path: Path) -> None:
    cfg = Config(**{**config(write_register(tmp_path, VALID_RECORD), tmp_path).__dict__, "workers": 1})
    pipeline.build(cfg)
    cached = {path.stat().st_ino: path for path in cfg.cache_dir.rglob("*") if path.is_file()}
    shared = [path for path in cfg.output.rglob("*") if path.is_file() and path.stat().st_ino in cached]
    assert len(shared) >= 11 + 10  # a badge kit and the logo files, at least
    for path in shared:
        assert path.stat().st_mode & 0o222 == 0, path
        assert (cached[path.stat().st_ino].parent / "manifest.json").is_file(), path


def test_a_truncated_cached_badge_is_rendered_again_and_published_whole(tmp_path: Path) -> None:
    cfg = Config(**{**config(write_register(tmp_path, VALID_RECORD), tmp_path).__dict__, "workers": 1})
    pipeline.build(cfg)
    published = cfg.output / "register/acme-ltd/badge/acme-ltd-badge.pdf"
    good = published.read_bytes()
    (cached,) = [p for p in (cfg.cache_dir / "badges").rglob(published.name)]
    cached.chmod(0o644)
    with cached.open("r+b") as handle:  # the same inode the live site links: what a stray script could do
        handle.truncate(10)
    report = pipeline.build(cfg)
    assert report.badges_rendered == 1
    assert published.read_bytes() == good
    page = (cfg.output / "register/acme-ltd/index.html").read_text(encoding="utf-8")
    assert f"PDF, vector for print, colour</a> ({max(1, round(len(good) / 1024))} KB)" in page
