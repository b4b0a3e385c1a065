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
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
        _atomic_write(target, data)
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


def _atomic_write(target: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temp, 0o644)
    os.replace(temp, target)


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


@contextmanager
def staging_for(output: Path) -> Iterator[Path]:
    """A fresh folder beside `output`; removed if the build fails before the swap."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}-staging-"))
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def swap_in(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with two renames, so readers never see half a site.

    The old site is renamed aside and deleted by a background process: by then
    the new site is live, and deleting thousands of files need not hold up the
    build (at 1,000 signatories it took a third of a second).
    """
    output = output.resolve()
    os.chmod(staging, 0o755)
    if output.exists():
        retired = Path(tempfile.mkdtemp(dir=output.parent, prefix=_retired_prefix(output)))
        os.rename(output, retired / "site")
        os.rename(staging, output)
        discard_retired(output)
    else:
        os.rename(staging, output)


def _retired_prefix(output: Path) -> str:
    return f".{output.name}-old-"


def retired_outputs(output: Path) -> list[Path]:
    """Old sites renamed aside by earlier builds and not yet deleted."""
    output = output.resolve()
    return sorted(output.parent.glob(_retired_prefix(output) + "*"))


def discard_retired(output: Path) -> None:
    """Delete every retired old site beside `output`, in a separate process.

    Old sites left by a build that was stopped mid-delete are swept up by the
    next one. Where no process can be started, delete them here.
    """
    folders = [str(path) for path in retired_outputs(output)]
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
