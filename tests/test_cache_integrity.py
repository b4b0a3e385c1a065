"""A cache that cannot lie: every damaged entry is rendered (or validated) again, never used, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import random
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUILD_DATE, DATA, SITE_URL

from svcharter import badges, cache_entry, cards, openbadges, register_cache
from svcharter import build as pipeline
from svcharter.config import Config

SITE = "https://example.org/"


def kit_subject(ident: str, name: str) -> badges.BadgeSubject:
    document = openbadges.assertion(SITE, ident, f"https://{ident}.example.com/", dt.date(2019, 5, 1))
    return badges.BadgeSubject(ident, name, 2019, f"{SITE}register/{ident}/", openbadges.assertion_id(SITE, ident),
                               openbadges.to_json(document))


def writable(path: Path) -> Path:
    """Undo the read-only seal first, as a careless script or a super-user would get past it."""
    if path.is_file() and not path.is_symlink():
        path.chmod(0o644)
    return path


def truncate(path: Path) -> None:
    writable(path).write_bytes(path.read_bytes()[:100])


def fake(path: Path) -> None:
    writable(path).write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><text>not the badge</text></svg>')


def flip_one_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    writable(path).write_bytes(bytes(data))


def delete(path: Path) -> None:
    path.unlink()


def folder_for_file(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.png").write_bytes(b"x")


def link_for_file(path: Path) -> None:
    """A link to an identical copy elsewhere: a cache entry must hold its own files, never follow a path."""
    elsewhere = path.parent.parent / f"elsewhere-{path.name}"
    shutil.copyfile(path, elsewhere)
    path.unlink()
    path.symlink_to(elsewhere)


def file_for_entry(path: Path) -> None:
    shutil.rmtree(path.parent)
    path.parent.write_bytes(b"a file where the kit's folder was")


def damaged_manifest(path: Path) -> None:
    writable(path.parent / cache_entry.MANIFEST).write_text('{"format": 1, "files": {"', encoding="utf-8")


DAMAGE: list[Callable[[Path], None]] = [truncate, fake, flip_one_bit, delete, folder_for_file, link_for_file,
                                        file_for_entry, damaged_manifest]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[badges.BadgeSubject], dict[str, bytes]]:
    """Two kits rendered once; each test damages a copy of this cache."""
    cache = tmp_path_factory.mktemp("pristine")
    subjects = [kit_subject("acme-ltd", "Acme Ltd"), kit_subject("bryn-cafe", "Caffi Tŷ Bryn")]
    output = badges.render_badges(subjects, cache, workers=1)
    return cache, subjects, {site: path.read_bytes() for site, path in output.files.items()}


def copy_cache(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
@pytest.mark.parametrize("name", ["acme-ltd-badge.svg", "acme-ltd-badge-white.svg", "acme-ltd-badge.pdf"])
def test_a_damaged_badge_kit_is_rendered_again_never_reused(pristine: tuple, tmp_path: Path, damage: Callable,
                                                             name: str) -> None:
    source, subjects, good = pristine
    cache = copy_cache(source, tmp_path / "cache")
    first = badges.render_badges(subjects, cache, workers=1)
    assert first.rendered == 0
    damage(first.files[f"register/acme-ltd/badge/{name}"])
    again = badges.render_badges(subjects, cache, workers=1)
    assert again.rendered == 1  # only the damaged kit
    assert {site: path.read_bytes() for site, path in again.files.items()} == good
    assert badges.render_badges(subjects, cache, workers=1).rendered == 0


def test_cached_files_are_read_only_and_the_site_links_nothing_else(pristine: tuple) -> None:
    """The site hard-links cached files, so they are sealed read-only: nothing writable is shared."""
    source, subjects, _good = pristine
    for path in badges.render_badges(subjects, source, workers=1).files.values():
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0, path


def test_a_cache_folder_replaced_by_a_file_or_a_link_is_replaced(pristine: tuple, tmp_path: Path) -> None:
    _source, subjects, good = pristine
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "badges").write_bytes(b"not a folder")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (cache / "cards").symlink_to(elsewhere)
    output = badges.render_badges(subjects[:1], cache, workers=1)
    assert output.rendered == 1 and (cache / "badges").is_dir()
    assert all(path.read_bytes() == good[site] for site, path in output.files.items())
    card = cards.render_cards([cards.CardSubject("card.png", "Register")], cache, workers=1)
    assert card.rendered == 1 and not (cache / "cards").is_symlink() and list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("damage", [truncate, flip_one_bit, delete, folder_for_file, file_for_entry, damaged_manifest],
                         ids=lambda d: d.__name__)
def test_a_damaged_share_card_is_drawn_again(tmp_path: Path, damage: Callable) -> None:
    subjects = [cards.CardSubject("card.png", "Register"), cards.CardSubject("a/card.png", "Acme Ltd")]
    first = cards.render_cards(subjects, tmp_path, workers=1)
    good = {site: path.read_bytes() for site, path in first.files.items()}
    damage(first.files["a/card.png"])
    again = cards.render_cards(subjects, tmp_path, workers=1)
    assert again.rendered == 1
    assert {site: path.read_bytes() for site, path in again.files.items()} == good


@pytest.mark.parametrize("damage", [truncate, fake, delete, file_for_entry], ids=lambda d: d.__name__)
def test_a_damaged_logo_file_is_drawn_again(tmp_path: Path, damage: Callable) -> None:
    files = badges.render_logo_files(tmp_path)
    good = {site: path.read_bytes() for site, path in files.items()}
    damage(files["logo/charter-logo.svg"])
    again = badges.render_logo_files(tmp_path)
    assert {site: path.read_bytes() for site, path in again.items()} == good


# ---------------------------------------------------------------- the validated register


def register_config(tmp_path: Path) -> Config:
    return Config(signatories=DATA / "fixture-register.yaml", output=tmp_path / "site", cache_dir=tmp_path / "cache",
                  site_url=SITE_URL, build_date=dt.date.fromisoformat(BUILD_DATE), quiet=True)


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Config, Path, object]:
    """A register cached by the real code: its config, its cache entry and the register itself."""
    cfg = register_config(tmp_path)
    settings = pipeline.read_mkdocs_settings(cfg)
    register = pipeline.cached_register(cfg, settings, lambda: pipeline.load_register(cfg, settings))
    (entry,) = (cfg.cache_dir / "register").iterdir()
    return cfg, entry, register


def rewrite(entry: Path, files: dict[str, bytes]) -> None:
    """Put an entry back as given (the code under test removes the entries it rejects)."""
    cache_entry.discard(entry)
    entry.mkdir()
    for name, data in files.items():
        (entry / name).write_bytes(data)


def test_the_register_is_stored_as_plain_json(stored: tuple) -> None:
    _cfg, entry, register = stored
    assert sorted(p.name for p in entry.iterdir()) == ["manifest.json", "register.json"]
    text = (entry / "register.json").read_text(encoding="ascii")
    assert text.startswith('{"signatories":[') and "Severn Care Trust" in text
    assert register_cache.decode(text.encode()) == register


def test_no_single_bit_flip_of_the_cached_register_loads_as_another_register(stored: tuple) -> None:
    """3,000 random single-bit flips of the stored register and its manifest: each one is refused."""
    _cfg, entry, register = stored
    original = {name: (entry / name).read_bytes() for name in ("register.json", "manifest.json")}
    chance = random.Random(11)
    refused = 0
    for trial in range(3000):
        name = "register.json" if trial % 5 else "manifest.json"
        data = bytearray(original[name])
        bit = chance.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << bit % 8
        rewrite(entry, {**original, name: bytes(data)})
        loaded = register_cache.stored_register(entry)
        assert loaded is None or loaded == register, (name, bit)
        refused += loaded is None
    assert refused == 3000  # a flip in the data always breaks its digest; a flip in the manifest, its parse or its digest
    rewrite(entry, original)
    assert register_cache.stored_register(entry) == register


def reseal(entry: Path, payload: bytes) -> None:
    """Store `payload` with a manifest that matches it, so only the strict decoding stands between it and the site."""
    cache_entry.discard(entry)
    entry.mkdir()
    (entry / "register.json").write_bytes(payload)
    cache_entry.seal(entry, ["register.json"])


def test_a_stored_register_with_a_matching_digest_is_still_decoded_strictly(stored: tuple) -> None:
    """Flips behind a forged, matching digest: each either decodes to a register or is refused, never a traceback."""
    _cfg, entry, register = stored
    original = (entry / "register.json").read_bytes()
    chance = random.Random(12)
    outcomes = {"refused": 0, "decoded": 0}
    for _ in range(1000):
        data = bytearray(original)
        bit = chance.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << bit % 8
        reseal(entry, bytes(data))
        loaded = register_cache.stored_register(entry)
        outcomes["refused" if loaded is None else "decoded"] += 1
        assert loaded is None or type(loaded) is type(register)
    assert outcomes["refused"] > 400  # about half break the JSON or a type; the rest change text (the digest's job)


@pytest.mark.parametrize("payload", [
    b'{"signatories": []}',
    b"[]",
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe",
])
def test_a_stored_register_of_the_wrong_shape_is_refused(stored: tuple, payload: bytes) -> None:
    _cfg, entry, _register = stored
    reseal(entry, payload)
    assert register_cache.stored_register(entry) is None and not entry.exists()


def test_wrong_types_in_a_stored_register_are_refused(stored: tuple) -> None:
    _cfg, entry, _register = stored
    text = (entry / "register.json").read_text(encoding="ascii")
    for before, after in (('"founding":true', '"founding":1'), ('"signed":"2018-03-01"', '"signed":"2018-3-1x"'),
                          ('"line":', '"extra":0,"line":'), ('"year":2018', '"year":"2018"')):
        assert before in text, before
        reseal(entry, text.replace(before, after, 1).encode())
        assert register_cache.stored_register(entry) is None, after


def test_a_pickle_in_the_cache_is_never_loaded(tmp_path: Path) -> None:
    """Earlier versions stored a pickle; one planted where they kept it must not run, and must not be read."""
    cfg = register_config(tmp_path)
    settings = pipeline.read_mkdocs_settings(cfg)
    key = register_cache.register_key(cfg, settings)
    marker = tmp_path / "the-pickle-ran"

    class Planted:
        def __reduce__(self) -> tuple:
            return os.mkdir, (str(marker),)

    folder = cfg.cache_dir / "register"
    folder.mkdir(parents=True)
    (folder / f"{key}.pickle").write_bytes(pickle.dumps(Planted()))
    register = pipeline.cached_register(cfg, settings, lambda: pipeline.load_register(cfg, settings))
    assert "acme-ltd" in register.by_id
    assert not marker.exists()
    assert [p.name for p in folder.iterdir()] == [key]  # the stale pickle is gone


def test_a_damaged_register_entry_means_validating_again(stored: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, entry, register = stored
    calls: list[int] = []
    settings = pipeline.read_mkdocs_settings(cfg)

    def load() -> object:
        calls.append(1)
        return pipeline.load_register(cfg, settings)

    for damage in (truncate, flip_one_bit, damaged_manifest, delete, file_for_entry):
        damage(entry / "register.json")
        assert pipeline.cached_register(cfg, settings, load) == register
    assert len(calls) == 5
    assert pipeline.cached_register(cfg, settings, load) == register and len(calls) == 5


def test_a_cache_entry_that_cannot_be_written_is_a_message_and_leaves_nothing_half_made(tmp_path: Path) -> None:
    import errno

    from svcharter.errors import BuildError

    def full_disk(folder: Path) -> None:
        (folder / "card.png").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    final = tmp_path / "cards" / "entry"
    final.parent.mkdir()
    with pytest.raises(BuildError, match=r"cannot write the cache entry .*entry: No space left on device"):
        cache_entry.create(final, ["card.png"], full_disk)
    assert list(final.parent.iterdir()) == []


def test_half_written_entries_of_a_killed_build_are_swept(tmp_path: Path) -> None:
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(finished.stdout), os.getpid()
    root = tmp_path / "badges"
    for owner in (dead, alive):
        (root / f"tmp-0123abcd-{owner}").mkdir(parents=True)
        (root / f"tmp-0123abcd-{owner}" / "half.png").write_bytes(b"half")
    (root / "0123abcd").mkdir()
    cache_entry.folder(tmp_path, "badges")
    assert sorted(p.name for p in root.iterdir()) == ["0123abcd", f"tmp-0123abcd-{alive}"]


def test_the_generated_pages_cache_replaces_whatever_stands_in_its_way(tmp_path: Path) -> None:
    from svcharter import writer

    files = writer.FileSet()
    files.add("index.md", "# Home\n")
    files.add("register/acme-ltd/index.md", "# Acme Ltd\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the site", encoding="utf-8")
    root = tmp_path / "docs"
    root.write_text("a file where the folder was", encoding="utf-8")
    assert writer.sync_tree(root, files) == 2
    (root / "index.md").unlink()
    (root / "index.md").mkdir()  # a folder where a page was
    shutil.rmtree(root / "register")
    (root / "register").write_text("a file where a folder was", encoding="utf-8")
    (root / "leak").symlink_to(outside)
    assert writer.sync_tree(root, files) == 2
    assert (root / "index.md").read_text(encoding="utf-8") == "# Home\n"
    assert (root / "register/acme-ltd/index.md").read_text(encoding="utf-8") == "# Acme Ltd\n"
    assert sorted(p.name for p in root.iterdir()) == ["index.md", "register"]
    assert (outside / "secret.txt").is_file()
    assert writer.sync_tree(root, files) == 0
