"""Verified cache entries: the one way every cache (badge kits, share cards, logo files, the register) is kept.

An entry is a folder holding its files and a manifest of each file's size
and sha256, recorded when the entry was written. Before anything from an
entry is used, every file is read back and checked against the manifest; an
entry that is missing, truncated, edited, replaced (a file where a folder
was, a folder or link where a file was) or holding a damaged manifest is
removed and rendered again. So a damaged cache costs time, never a wrong
file on the site and never a traceback.

Cached files are made read-only when they are sealed. The site hard-links
them (copying a gigabyte of badges on every rebuild would cost more than
MkDocs itself), so they must not be edited in place: the permission stops
accidents, and the check before every use stops anything that gets past it
(a super-user ignores permissions) from being published again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import BuildError

MANIFEST = "manifest.json"
FORMAT = 1
READ_ONLY = 0o444


def folder(cache_dir: Path, name: str) -> Path:
    """`cache_dir/name` as a real folder, replacing a file or link found in its place."""
    cache_dir = Path(cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise BuildError(f"the cache folder {cache_dir} is not a folder: move it away or pass --cache-dir") from None
    except OSError as error:
        raise BuildError(f"cannot create the cache folder {cache_dir}: {error.strerror}") from None
    path = cache_dir / name
    if not _is_real_dir(path):
        discard(path)
        try:
            path.mkdir()
        except OSError as error:
            raise BuildError(f"cannot create the cache folder {path}: {error.strerror}") from None
    sweep(path)
    return path


def sweep(path: Path) -> None:
    """Remove the half-written entries of processes that no longer run (a build killed while rendering)."""
    for temp in path.glob("tmp-*"):
        owner = temp.name.rsplit("-", 1)[-1]
        if owner.isdigit() and not _running(int(owner)):
            discard(temp)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, as someone else
        return True
    return True


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def discard(path: Path) -> None:
    """Remove whatever is at `path` (a damaged entry): a folder with its files, or a file or link itself."""
    try:
        if _is_real_dir(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise BuildError(f"cannot remove the damaged cache entry {path}: {error.strerror}") from None


def _digest(path: Path, expected_size: int | None = None) -> tuple[int, str]:
    """Size and sha256 of a regular file, never following a link; raises OSError or ValueError otherwise."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with open(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} is not a regular file")
        if expected_size is not None and info.st_size != expected_size:
            raise ValueError(f"{path} has the wrong size")
        return info.st_size, hashlib.file_digest(handle, "sha256").hexdigest()


def seal(entry: Path, names: Iterable[str]) -> None:
    """Record every file's size and digest in the entry's manifest, and make the files read-only."""
    files: dict[str, list[object]] = {}
    for name in sorted(names):
        size, digest = _digest(entry / name)
        files[name] = [size, digest]
        os.chmod(entry / name, READ_ONLY)
    manifest = entry / MANIFEST
    manifest.write_text(json.dumps({"format": FORMAT, "files": files}, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(manifest, READ_ONLY)


def _recorded(entry: Path) -> dict[str, tuple[int, str]]:
    """The manifest's files, type-checked: any surprise raises ValueError."""
    descriptor = os.open(entry / MANIFEST, os.O_RDONLY | os.O_NOFOLLOW)
    with open(descriptor, "rb") as handle:
        manifest = json.loads(handle.read(1 << 20))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise ValueError("not a manifest")
    recorded: dict[str, tuple[int, str]] = {}
    for name, value in manifest["files"].items():
        if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is int and isinstance(value[1], str)):
            raise ValueError("not a manifest entry")
        recorded[name] = (value[0], value[1])
    return recorded


def verify(entry: Path, names: Sequence[str]) -> bool:
    """True when the entry is a folder whose manifest lists `names` and every one of them matches it."""
    try:
        if not _is_real_dir(entry):
            return False
        recorded = _recorded(entry)
        for name in names:
            size, digest = recorded[name]
            if _digest(entry / name, size) != (size, digest):
                return False
        return True
    except (OSError, ValueError, KeyError, UnicodeDecodeError, RecursionError):
        return False


def verify_all(entries: Sequence[tuple[Path, Sequence[str]]], workers: int) -> list[bool]:
    """`verify` for many entries, hashing on every core (hashing runs outside Python's lock)."""
    if workers <= 1 or len(entries) <= 1:
        return [verify(entry, names) for entry, names in entries]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: verify(*item), entries))


def usable(entry: Path, names: Sequence[str]) -> bool:
    """Verify an entry, removing it when it fails, so it can be rendered again in its place."""
    if verify(entry, names):
        return True
    discard(entry)
    return False


def create(final: Path, names: Sequence[str], fill: Callable[[Path], None]) -> None:
    """Write an entry: `fill` a private folder, seal it, then rename it in, so an entry present is complete.

    When another process renamed the same entry in first, its copy is kept if it verifies.
    """
    temp = final.parent / f"tmp-{final.name}-{os.getpid()}"
    try:
        discard(temp)
        temp.mkdir(parents=True)
        fill(temp)
        seal(temp, names)
        _rename_in(temp, final, names)
    except OSError as error:
        discard(temp)
        raise BuildError(f"cannot write the cache entry {final}: {error.strerror or error}") from None


def _rename_in(temp: Path, final: Path, names: Sequence[str]) -> None:
    try:
        temp.rename(final)
    except OSError:
        if verify(final, names):
            discard(temp)  # another process won the race
            return
        discard(final)
        temp.rename(final)
