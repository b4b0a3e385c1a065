"""The validated register, cached under a hash of everything validation reads.

Reading and checking 10,000 records takes seconds; a rebuild where the data
did not change should not pay that again. The key covers the signatories
file's bytes, the survey files, mkdocs.yml's settings, the build's options
and date, the badge fonts (validation checks every name can be drawn), the
package's own source and PyYAML's version. Only a register that passed
validation is ever stored, so bad data is always reported in full.

The register is stored as plain JSON data, never as a pickle: a cache folder
can be shared (CI caches are shared between branches), and loading a pickle
runs whatever code it names. The entry is verified against the digest
recorded when it was written, then decoded strictly against the record
classes' own type hints; any mismatch, parse failure or surprise means the
data is validated afresh, never a different register and never a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from . import cache_entry
from .config import Config
from .load import read_limited
from .register import Register

PACKAGE_DIR = Path(__file__).resolve().parent
STORED = "register.json"
Decoder = Callable[[object], object]


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


# ---------------------------------------------------------------- plain data, both ways


def encode(value: object) -> object:
    """A register (or any part of one) as JSON data: records as objects, tuples as lists, dates as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Unexpected(ValueError):
    """The stored data does not have the shape the record classes declare."""


def _exact(kind: type) -> Decoder:
    def decode(value: object) -> object:
        if type(value) is not kind:  # bool is an int to isinstance, and must not pass for one
            raise Unexpected(f"expected {kind.__name__}")
        return value

    return decode


def _date(value: object) -> dt.date:
    if type(value) is not str or len(value) != 10:
        raise Unexpected("expected a date")
    return dt.date.fromisoformat(value)


def _none(value: object) -> None:
    if value is not None:
        raise Unexpected("expected null")


def decoder(hint: object) -> Decoder:
    """A strict decoder for one declared type: the reverse of `encode`, refusing anything else."""
    if hint in (str, int, bool):
        return _exact(hint)  # type: ignore[arg-type]
    if hint is dt.date:
        return _date
    if hint is type(None):
        return _none
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union([decoder(arg) for arg in args])
    if origin is tuple:
        return _tuple([decoder(arg) for arg in args if arg is not Ellipsis], ... in args)
    if origin is dict and args[0] is str:
        return _dict(decoder(args[1]))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record(hint)
    raise TypeError(f"no JSON form for {hint!r}")


def _union(options: list[Decoder]) -> Decoder:
    def decode(value: object) -> object:
        for option in options:
            try:
                return option(value)
            except Unexpected:
                continue
        raise Unexpected("matches no declared type")

    return decode


def _tuple(items: list[Decoder], repeated: bool) -> Decoder:
    if repeated:
        (each,) = items

        def decode_all(value: object) -> tuple:
            if type(value) is not list:
                raise Unexpected("expected a list")
            return tuple([each(item) for item in value])

        return decode_all

    def decode_fixed(value: object) -> tuple:
        if type(value) is not list or len(value) != len(items):
            raise Unexpected(f"expected a list of {len(items)}")
        return tuple([item_decoder(item) for item_decoder, item in zip(items, value, strict=True)])

    return decode_fixed


def _dict(values: Decoder) -> Decoder:
    def decode(value: object) -> dict:
        if type(value) is not dict:
            raise Unexpected("expected an object")
        return {key: values(item) for key, item in value.items()}

    return decode


def _record(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = {f.name: decoder(hints[f.name]) for f in dataclasses.fields(cls) if f.init}
    names, decoders = fields.keys(), list(fields.items())

    def decode(value: object) -> object:
        if type(value) is not dict or value.keys() != names:
            raise Unexpected(f"expected exactly the fields of {cls.__name__}")
        return cls(**{name: field_decoder(value[name]) for name, field_decoder in decoders})

    return decode


def decode(data: bytes) -> Register:
    """The register stored as `data`; raises ValueError (or RecursionError) for anything but a register."""
    register = decoder(Register)(json.loads(data))
    if not isinstance(register, Register):
        raise Unexpected("not a register")
    return register


# ---------------------------------------------------------------- the cache


def stored_register(entry: Path) -> Register | None:
    """The register in a verified entry, or None when it is missing, damaged or not a register."""
    if not cache_entry.usable(entry, [STORED]):
        return None
    try:
        return decode((entry / STORED).read_bytes())
    except (OSError, ValueError, TypeError, RecursionError):
        cache_entry.discard(entry)
        return None


def cached_register(cfg: Config, settings: dict, load: Callable[[], Register]) -> Register:
    """The register from the cache when its inputs are unchanged, else `load()` it and store it."""
    folder = cache_entry.folder(cfg.cache_dir, "register")
    entry = folder / register_key(cfg, settings)
    register = stored_register(entry)
    if register is not None:
        return register
    register = load()
    for old in folder.iterdir():  # one register is enough: the last one that validated
        cache_entry.discard(old)
    text = json.dumps(encode(register), separators=(",", ":"))
    cache_entry.create(entry, [STORED], lambda temp: (temp / STORED).write_text(text, encoding="ascii"))
    return register
