"""The one module that writes files.

Generated Markdown goes into a persistent source folder, touching only files
whose bytes changed (so MkDocs and people see stable times). The site is
assembled in a staging folder beside the output and swapped in with renames
only once every stage has succeeded: a failed build leaves the last good
output exactly as it was. The replaced site is deleted by a background
process, so the build does not wait for it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from .errors import BuildError

Content = str | bytes | Path
"""Text, bytes, or an existing file to link or copy (badges live in the cache)."""


def _safe_target(root: Path, relative: str) -> Path:
    """Refuse absolute paths and '..' so no record can write outside its folder."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BuildError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*pure.parts)


def _bytes(content: Content) -> bytes:
    if isinstance(content, Path):
        return content.read_bytes()
    return content.encode("utf-8") if isinstance(content, str) else content


class FileSet:
    """Files to publish, keyed by site-relative path. Two writes to one path are a bug, not a merge."""

    def __init__(self) -> None:
        self.files: dict[str, Content] = {}

    def add(self, path: str, content: Content) -> None:
        if path in self.files:
            raise BuildError(f"two build stages both produce {path!r}")
        self.files[path] = content

    def update(self, files: Mapping[str, Content]) -> None:
        for path, content in files.items():
            self.add(path, content)

    def __len__(self) -> int:
        return len(self.files)


def sync_tree(root: Path, files: FileSet) -> int:
    """Make `root` hold exactly `files`, rewriting only what changed. Returns how many files were written.

    `root` is a cache (the generated Markdown): anything found where a file or folder belongs (a folder
    for a file, a file or link for a folder) is replaced, never trusted and never a reason to fail.
    """
    if root.is_symlink() or root.exists() and not root.is_dir():
        root.unlink()
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    wanted = set()
    for relative, content in sorted(files.files.items()):
        target = _safe_target(root, relative)
        wanted.add(target)
        data = _bytes(content)
        if _holds(target, data):
            continue
        _clear_way(root, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data, 0o644)
        written += 1
    _remove_others(root, wanted)
    return written


def _holds(target: Path, data: bytes) -> bool:
    """True when `target` is a regular file (not a link) holding exactly `data`."""
    return (not target.is_symlink() and target.is_file() and target.stat().st_size == len(data)
            and target.read_bytes() == data)


def _clear_way(root: Path, target: Path) -> None:
    """Remove whatever under `root` stands where `target` (a file) or one of its folders must go."""
    for folder in reversed(target.relative_to(root).parents[:-1]):
        path = root / folder
        if path.is_symlink() or path.exists() and not path.is_dir():
            path.unlink()
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)


def replace_file(path: Path, data: bytes, mode: int | None = None,
                 check: Callable[[Path], None] | None = None) -> None:
    """Put `data` at `path` so a reader sees the old file or the new one, never part of either.

    The bytes go to a temporary file beside `path` (the same file system, so the
    final rename is atomic), which is created readable by its owner only: a file
    holding personal data is never world-readable, not even for a moment. It then
    gets `mode`, or when `mode` is None the permissions of the file it replaces
    (a new file stays owner-only). `check` may inspect the finished temporary file
    and raise to keep the old file. On any failure the temporary file is removed
    and the error (an OSError, or whatever `check` raised) is passed on.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is None:
            with suppress(FileNotFoundError):
                mode = path.stat().st_mode & 0o777
        if mode is not None:
            os.chmod(temp, mode)
        if check is not None:
            check(Path(temp))
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _remove_others(root: Path, wanted: set[Path]) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if (path.is_symlink() or path.is_file()) and path not in wanted:
            path.unlink()  # a link is removed itself, never followed
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def add_files(root: Path, files: FileSet) -> None:
    """Add files to a staging folder. Cached files are hard-linked (same bytes and time), else copied.

    This runs for every badge file on every build, so it makes each folder
    once and lets the operating system refuse an existing file rather than
    asking first.
    """
    folders: set[Path] = set()
    for relative, content in sorted(files.files.items()):
        target = _safe_target(root, relative)
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        try:
            _add_file(target, content)
        except FileExistsError:
            raise BuildError(f"{relative!r} would overwrite a page MkDocs made") from None


def _add_file(target: Path, content: Content) -> None:
    """Create `target`, failing with FileExistsError if something is already there."""
    if isinstance(content, Path):
        try:
            os.link(content, target)
            return
        except FileExistsError:
            raise
        except OSError:  # another file system, or links not allowed: copy instead
            content = content.read_bytes()
    with open(target, "xb") as handle:
        handle.write(_bytes(content))
        os.fchmod(handle.fileno(), 0o644)


def remove_from_staging(staging: Path, paths: Iterable[Path]) -> None:
    """Delete files or folders the renderer wrote into `staging` that the site does not need."""
    for path in paths:
        target = _safe_target(staging, path.relative_to(staging).as_posix())
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()


@contextmanager
def staging_for(output: Path) -> Iterator[Path]:
    """A fresh folder beside `output`; removed if the build fails before the swap."""
    output = output.resolve()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=output.parent, prefix=_prefix(output, STAGING)))
    except OSError as exc:
        raise _cannot_write(output.parent, exc) from None
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def swap_in(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with two renames, so readers never see half a site.

    The output is marked as ours first, so a build killed between the renames
    leaves a folder the next build knows it may restore (see `recover`). The
    old site is renamed aside and deleted by a background process: by then
    the new site is live, and deleting thousands of files need not hold up the
    build (at 1,000 signatories it took a third of a second).
    """
    output = output.resolve()
    try:
        os.chmod(staging, 0o755)
        mark_output(output)
        if output.exists():
            retired = Path(tempfile.mkdtemp(dir=output.parent, prefix=_prefix(output, RETIRED)))
            os.rename(output, retired / "site")
            _rename_or_restore(staging, output, retired / "site")
        else:
            os.rename(staging, output)
    except OSError as exc:
        raise _cannot_write(output, exc) from None
    discard_retired(output)


def _rename_or_restore(staging: Path, output: Path, old: Path) -> None:
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(old, output)  # put the last good site back before reporting
        raise


def _cannot_write(path: Path, exc: OSError) -> BuildError:
    """A located message for a folder the build cannot write (read-only, full disk, no permission)."""
    reason = exc.strerror or str(exc)
    return BuildError(f"cannot write {_shown(path)}: {reason}: make the folder writable, or choose another --output "
                      "(the last good site was not changed)")


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# --- what the build leaves beside its output -----------------------------------------------------

STAGING, RETIRED, DELETING = "staging", "old", "deleting"
"""A site being built; the last site, renamed aside during a swap; leftovers on their way out."""
MARKER_SUFFIX = ".svcharter-output"
MARKER_TEXT = ("This file marks the folder {name}/ beside it as a site built by the Shropshire Social Value "
               "Charter build (python3 build.py), which may replace that folder. It is never published.\n")


def marker_for(output: Path) -> Path:
    """The file beside `output` that says this tool wrote it: beside, so no host ever serves it."""
    output = output.resolve()
    return output.parent / f".{output.name}{MARKER_SUFFIX}"


def mark_output(output: Path) -> None:
    """Record that `output` is ours to replace (before the swap, so an interrupted swap is still ours)."""
    marker = marker_for(output)
    text = MARKER_TEXT.format(name=output.name).encode("utf-8")
    if not (marker.is_file() and marker.read_bytes() == text):
        replace_file(marker, text, 0o644)


def start_preview(output: Path, placeholder: str) -> None:
    """A preview folder with a page that says no build has succeeded yet, marked as ours."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        mark_output(output)
        if not (output / "index.html").exists():
            replace_file(output / "index.html", placeholder.encode("utf-8"), 0o644)
    except OSError as exc:
        raise _cannot_write(output, exc) from None


def _prefix(output: Path, kind: str) -> str:
    return f".{output.name}-{kind}-"


def _beside(output: Path, kind: str) -> list[Path]:
    """Folders of one kind that builds of `output` made beside it (named by tempfile, so never a person's)."""
    pattern = re.compile(re.escape(_prefix(output, kind)) + r"[A-Za-z0-9_]+")
    try:
        entries = list(output.parent.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink())


def retired_outputs(output: Path) -> list[Path]:
    """Old sites renamed aside by earlier builds and not yet deleted."""
    output = output.resolve()
    return sorted(_beside(output, RETIRED) + _beside(output, DELETING))


def recover(output: Path) -> bool:
    """Tidy what a killed build left beside `output`; returns whether the last good site was put back.

    A build killed between the swap's two renames leaves no output, the last
    good site in a retired folder and a finished staging folder. Nothing says
    the staging folder is complete, so the last good site is restored: the
    build that called this is about to replace it anyway, and compares its
    changes with it. Staging folders of killed builds are then deleted. Only
    a marked output is restored, and the caller holds the output's lock, so
    no running build owns any of these folders.
    """
    output = output.resolve()
    restored = False
    if not output.exists() and marker_for(output).is_file():
        olds = [p / "site" for p in _beside(output, RETIRED) if (p / "site").is_dir()]
        if olds:
            newest = max(olds, key=lambda path: path.parent.stat().st_mtime_ns)
            try:
                os.rename(newest, output)
            except OSError as exc:
                raise _cannot_write(output, exc) from None
            restored = True
    for staging in _beside(output, STAGING):
        _retire(staging, output)
    discard_retired(output)
    return restored


def _retire(folder: Path, output: Path) -> None:
    """Rename a leftover folder for deletion, so it can never be mistaken for a site to restore."""
    suffix = folder.name.rsplit("-", 1)[-1]
    with suppress(OSError):  # a name clash or no permission: it stays, and the next build tries again
        os.rename(folder, output.parent / (_prefix(output, DELETING) + suffix))


def discard_retired(output: Path) -> None:
    """Delete every retired old site beside `output`, in a separate process.

    Old sites left by a build that was stopped mid-delete are swept up by the
    next one. Where no process can be started, delete them here. A retired
    site is only discarded while the output exists, so the last good site is
    never deleted before its replacement is live.
    """
    output = output.resolve()
    if output.exists():
        for old in _beside(output, RETIRED):
            _retire(old, output)
    folders = [str(path) for path in _beside(output, DELETING)]
    if not folders:
        return
    try:
        subprocess.Popen([sys.executable, "-I", "-c", _DELETE_FOLDERS, *folders], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return
    except OSError:
        pass
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


_DELETE_FOLDERS = "import shutil, sys\nfor folder in sys.argv[1:]:\n    shutil.rmtree(folder, ignore_errors=True)"
