"""The validated register, cached under a hash of everything validation reads.

Reading and checking 10,000 records takes seconds; a rebuild where the data
did not change should not pay that again. The key covers the signatories
file's bytes, the survey files, mkdocs.yml's settings, the build's options
and date, the badge fonts (validation checks every name can be drawn), the
package's own source and PyYAML's version. Only a register that passed
validation is ever stored, so bad data is always reported in full.

The cache folder is the build's own scratch space: whoever can write to it can
already change the code that builds the site, so unpickling from it trusts
nothing new.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from .config import Config
from .load import read_limited
from .register import Register

PACKAGE_DIR = Path(__file__).resolve().parent


def _hash_files(digest: hashlib._Hash, root: Path, paths: Iterable[Path]) -> None:
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def register_key(cfg: Config, settings: dict) -> str:
    """A hash of every input that shapes the validated register."""
    digest = hashlib.sha256()
    options = [settings, cfg.site_url, cfg.build_date.isoformat(), cfg.register_page_rows, yaml.__version__]
    digest.update(json.dumps(options, sort_keys=True, default=str).encode("utf-8"))
    digest.update(hashlib.sha256(read_limited(cfg.signatories, cfg.display(cfg.signatories))).digest())
    _hash_files(digest, cfg.content_dir, [p for p in cfg.content_dir.rglob("*.y*ml") if p.is_file()])
    _hash_files(digest, cfg.logo_dir, [p for p in (cfg.logo_dir / "fonts").glob("*.ttf")])
    _hash_files(digest, PACKAGE_DIR, PACKAGE_DIR.glob("*.py"))
    return digest.hexdigest()


def cached_register(cfg: Config, settings: dict, load: Callable[[], Register]) -> Register:
    """The register from the cache when its inputs are unchanged, else `load()` it and store it."""
    folder = cfg.cache_dir / "register"
    key = register_key(cfg, settings)
    stored = folder / f"{key}.pickle"
    try:
        register = pickle.loads(stored.read_bytes())
        if isinstance(register, Register):
            return register
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # missing or unreadable: validate afresh
    register = load()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pickle"):  # one register is enough: the last one that validated
        old.unlink(missing_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(register, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp, stored)
    return register
