"""Read YAML text into node trees that still know their line numbers.

PyYAML's ordinary loaders lose positions, silently keep the last of two
duplicate keys, turn `no` into False and expand aliases (an alias bomb can
eat all memory). We compose nodes instead of constructing Python objects,
refuse anchors and aliases as soon as they appear, and leave each scalar's
interpretation to the schema, which knows what type a field should hold.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DataError, InvalidData

STR_TAG, SEQ_TAG, MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
MAX_FILE_BYTES = 20 * 1024 * 1024
"""20 MB: about 50 times a 10,000-record register, small enough to read safely."""
MAX_DEPTH = 20
"""Lists and mappings inside one another: a register needs 7 levels (a report's values), the survey files 5.
Far deeper nesting is no register, and would exhaust Python's stack in the parser that explains errors."""


class _RefusedAnchor(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark, kind: str) -> None:
        super().__init__(kind)
        self.mark = mark
        self.kind = kind


class _TooDeep(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("nested too deeply")
        self.mark = mark


class _StrictComposer(yaml.SafeLoader):
    """A SafeLoader that refuses anchors (&name) and aliases (*name) on sight, and nesting beyond MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _RefusedAnchor(event.start_mark, "alias")
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor:
            raise _RefusedAnchor(event.start_mark, "anchor")
        if isinstance(event, CollectionStartEvent) and self.depth >= MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a named file."""

    file: str
    line: int
    column: int

    @classmethod
    def of(cls, file: str, node: Node) -> Position:
        return cls(file, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, message: str, record: str | None = None, field: str | None = None) -> DataError:
        return DataError(self.file, self.line, self.column, record, field, message)


def read_limited(path: Path, display: str) -> bytes:
    """The bytes of a regular file, reading at most the size limit (a file's stated size can lie).

    /dev/zero says it is empty and never ends; a pipe can block forever when
    opened. So the file is opened without waiting, its kind is read from the
    open file itself, and never more than the limit is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InvalidData([DataError(display, 1, 1, None, None, "file not found")]) from None
    except OSError as exc:
        raise InvalidData([DataError(display, 1, 1, None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    kind = os.fstat(fd)
    if not stat.S_ISREG(kind.st_mode):
        os.close(fd)
        message = "is not a regular file (it is a folder, a device or a pipe): give the file itself"
        raise InvalidData([DataError(display, 1, 1, None, None, message)])
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InvalidData([DataError(display, 1, 1, None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(kind.st_size, len(raw))
        message = (
            f"file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB "
            "(far more than 10,000 full records): check the file is the register"
        )
        raise InvalidData([DataError(display, 1, 1, None, None, message)])
    return raw


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 file, refusing one too large to be a real register."""
    raw = read_limited(path, display)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = "is not UTF-8 text: save the file as UTF-8"
        raise InvalidData([DataError(display, line, column, None, None, message)]) from None


def compose(text: str, display: str) -> Node | None:
    """Parse YAML text into a node tree, or raise InvalidData with every problem found."""
    errors = _tab_errors(text, display)
    if errors:
        raise InvalidData(errors)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InvalidData([DataError(display, 1, 1, None, None, "text is over the 20 MB limit")])
    try:
        root = _compose_fast(text) if yaml.__with_libyaml__ else yaml.compose(text, Loader=_StrictComposer)
    except yaml.YAMLError:
        root = _compose_explained(text, display)
    if root is not None:
        duplicates = list(_duplicate_keys(root, display))
        if duplicates:
            raise InvalidData(duplicates)
    return root


def _compose_explained(text: str, display: str) -> Node | None:
    """The pure-Python parser: slower than LibYAML, but its error messages say more. Used for bad files."""
    try:
        return yaml.compose(text, Loader=_StrictComposer)
    except _RefusedAnchor as exc:
        pos = Position(display, exc.mark.line + 1, exc.mark.column + 1)
        message = (
            f"YAML {exc.kind}s (& and *) are not allowed: write each value out in full"
        )
        raise InvalidData([pos.error(message)]) from None
    except _TooDeep as exc:
        pos = Position(display, exc.mark.line + 1, exc.mark.column + 1)
        message = f"lists and mappings are nested more than {MAX_DEPTH} deep here: no record needs that many"
        raise InvalidData([pos.error(message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise InvalidData([_syntax_error(exc, display)]) from None
    except yaml.YAMLError as exc:  # errors without a position, e.g. from the reader
        raise InvalidData([DataError(display, 1, 1, None, None, f"not valid YAML: {exc}")]) from None


_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers


def _resolve_plain(value: str) -> str:
    """The tag YAML 1.1 gives a plain scalar (so `no` is a bool), as PyYAML's resolver decides it."""
    for tag, pattern in _IMPLICIT.get(value[:1], []):
        if pattern.match(value):
            return tag
    return STR_TAG


def _compose_fast(text: str) -> Node | None:
    """Build the same node tree as PyYAML's composer from LibYAML's events, about four times faster.

    Anchors and aliases are refused as they are met. Any error, a second
    document or an explicit tag is raised as a YAMLError, and the caller
    re-reads the text with the pure-Python parser, which explains errors
    better and settles tags exactly.
    """
    stack: list[list] = []  # [collection node, pending mapping key or None]
    root: Node | None = None
    documents = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        kind = type(event)
        if kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise yaml.YAMLError("more than one document")
            continue
        if kind is AliasEvent or getattr(event, "anchor", None):
            raise _RefusedAnchor(event.start_mark, "alias" if kind is AliasEvent else "anchor")
        if getattr(event, "tag", None) is not None:
            raise yaml.YAMLError("explicit tag")  # rare in a register: let PyYAML decide exactly what it means
        if kind is ScalarEvent:
            tag = _resolve_plain(event.value) if event.implicit[0] else STR_TAG
            node: Node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style or None)
        elif kind is SequenceStartEvent or kind is MappingStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            node_type = SequenceNode if kind is SequenceStartEvent else MappingNode
            tag = SEQ_TAG if kind is SequenceStartEvent else MAP_TAG
            stack.append([node_type(tag, [], event.start_mark, None, flow_style=event.flow_style), None])
            continue
        elif kind is SequenceEndEvent or kind is MappingEndEvent:
            node = stack.pop()[0]
            node.end_mark = event.end_mark
        else:
            continue
        if not stack:
            root = node
        elif isinstance(stack[-1][0], SequenceNode):
            stack[-1][0].value.append(node)
        elif stack[-1][1] is None:
            stack[-1][1] = node
        else:
            stack[-1][0].value.append((stack[-1][1], node))
            stack[-1][1] = None
    return root


def _tab_errors(text: str, display: str) -> list[DataError]:
    """YAML forbids tabs for indentation; say so plainly instead of PyYAML's riddle."""
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            column = indent.index("\t") + 1
            message = "a tab is used for indentation: indent with spaces only"
            errors.append(DataError(display, number, column, None, None, message))
    return errors


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> DataError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    problem = exc.problem or "not valid YAML"
    if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
        problem = f"{problem} ({exc.context} that starts on line {exc.context_mark.line + 1})"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    hint = "; check indentation, colons and quotes on this line and the one above"
    return DataError(display, line, column, None, None, f"YAML syntax error: {problem}{hint}")


def _duplicate_keys(root: Node, display: str) -> list[DataError]:
    """PyYAML keeps the last of two equal keys without a word: find them all."""
    errors: list[DataError] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            seen: dict[str, Node] = {}
            record = _record_label(node)
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in seen:
                        first = seen[key.value].start_mark.line + 1
                        message = f"'{key.value}' appears twice in one record (first on line {first}): keep one"
                        errors.append(Position.of(display, key).error(message, record, key.value))
                    else:
                        seen[key.value] = key
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return errors


def _record_label(node: MappingNode) -> str | None:
    """The id of a record mapping, to name it in messages; None when it has no plain id."""
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
            return value.value if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value.value) else None
    return None


def load_records(path: Path, display: str, top_key: str) -> list[MappingNode | Node]:
    """Read a file whose top level is a mapping `top_key:` holding a list of records."""
    root = compose(read_text(path, display), display)
    if root is None:
        raise InvalidData([DataError(display, 1, 1, None, None, f"the file is empty: it needs '{top_key}:'")])
    if not isinstance(root, MappingNode):
        message = f"the file must start with '{top_key}:' followed by a list of records"
        raise InvalidData([Position.of(display, root).error(message)])
    errors = []
    items: Node | None = None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == top_key:
            items = value
        else:
            name = key.value if isinstance(key, ScalarNode) else "?"
            message = f"unknown top-level key '{name}' (allowed: {top_key})"
            errors.append(Position.of(display, key).error(message))
    if items is None:
        errors.append(DataError(display, 1, 1, None, None, f"'{top_key}:' is missing"))
    elif isinstance(items, ScalarNode) and items.tag.endswith(":null"):
        items = SequenceNode("tag:yaml.org,2002:seq", [], items.start_mark, items.end_mark)
    elif not isinstance(items, SequenceNode):
        errors.append(Position.of(display, items).error(f"'{top_key}:' must hold a list of records, each starting with '- '"))
    if errors:
        raise InvalidData(errors)
    assert isinstance(items, SequenceNode)
    return list(items.value)

