"""The charter's measures and the survey results, read from data files under content/.

These files are kept by the site's developers, not the comms team, but a
mistake in them must still be a message with its own file and line, never a
traceback: each value is read from the node tree the loader gives, which
knows where every value was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InvalidData
from .load import Position, compose, read_text
from .textcheck import text_problem

RESPONSE_KEYS = ("strongly_agree", "tend_to_agree", "neither", "tend_to_disagree", "strongly_disagree")
RESPONSE_LABELS = ("Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree",
                   "Strongly disagree")
KINDS = ("number", "percentage", "narrative")


@dataclass(frozen=True)
class Responses:
    """The five answer counts of one survey statement."""

    counts: tuple[int, int, int, int, int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def agree(self) -> int:
        return self.counts[0] + self.counts[1]

    def agree_percent(self) -> int:
        """Share who strongly or tend to agree, rounded to a whole percent, of those who answered."""
        return round(100 * self.agree / self.total) if self.total else 0


@dataclass(frozen=True)
class Theme:
    id: str
    question: str
    title: str
    summary: str


@dataclass(frozen=True)
class Measure:
    id: str
    theme: str
    wording: str
    kind: str
    adopted: bool
    responses: Responses
    unit: str = ""
    not_adopted_reason: str = ""


@dataclass(frozen=True)
class Statement:
    id: str
    question: str
    wording: str
    responses: Responses


@dataclass(frozen=True)
class Survey:
    """Everything the charter pages need from content/measures.yaml and content/engagement.yaml."""

    themes: tuple[Theme, ...]
    measures: dict[str, Measure]
    statements: tuple[Statement, ...]


MEASURE_KEYS = ("id", "theme", "wording", "kind", "unit", "adopted", "responses", "not_adopted_reason")
THEME_KEYS = ("id", "question", "title", "summary")
STATEMENT_KEYS = ("id", "question", "wording", "responses")
INT_TAG, BOOL_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool"


class _Reader:
    """Reads plain values out of one file's node tree; every problem is raised with its line and record."""

    def __init__(self, display: str) -> None:
        self.display = display

    def fail(self, node: Node, message: str, record: str | None = None, field: str | None = None) -> InvalidData:
        return InvalidData([Position.of(self.display, node).error(message, record, field)])

    def mapping(self, node: Node, allowed: tuple[str, ...], record: str | None = None) -> dict[str, Node]:
        """A mapping's values by key; refuses unknown and non-text keys."""
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"must be a mapping of {', '.join(allowed)}", record)
        values = {}
        record = record or next((v.value for k, v in node.value if isinstance(k, ScalarNode) and k.value == "id"
                                 and isinstance(v, ScalarNode)), None)
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.value not in allowed:
                shown = key.value if isinstance(key, ScalarNode) else "?"
                raise self.fail(key, f"unknown key {shown!r} (allowed: {', '.join(allowed)})", record)
            values[key.value] = value
        return values

    def items(self, values: dict[str, Node], key: str, parent: Node) -> list[Node]:
        node = self._get(values, key, parent, None)
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"'{key}:' must hold a list, each item starting with '- '")
        return list(node.value)

    def text(self, values: dict[str, Node], key: str, parent: Node, record: str | None, default: str | None = None) -> str:
        node = self._get(values, key, parent, record, default is not None)
        if node is None:
            return default or ""
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
            raise self.fail(node, "must be text (put it in quotes if YAML reads it as something else)", record, key)
        problem = text_problem(key, node.value)
        if problem:
            raise self.fail(node, problem, record, key)
        return node.value

    def scalar(self, values: dict[str, Node], key: str, parent: Node, record: str | None, tag: str) -> str:
        node = self._get(values, key, parent, record)
        if not isinstance(node, ScalarNode) or node.tag != tag:
            wanted = "true or false" if tag == BOOL_TAG else "a whole number, 0 or more"
            raise self.fail(node, f"must be {wanted}", record, key)
        return node.value

    def _get(self, values: dict[str, Node], key: str, parent: Node, record: str | None,
             optional: bool = False) -> Node:
        if key not in values and not optional:
            raise self.fail(parent, "is missing", record, key)
        return values.get(key)  # type: ignore[return-value]


def _responses(reader: _Reader, values: dict[str, Node], parent: Node, record: str) -> Responses:
    node = reader._get(values, "responses", parent, record)
    counts = reader.mapping(node, RESPONSE_KEYS, record)
    missing = [key for key in RESPONSE_KEYS if key not in counts]
    if missing:
        raise reader.fail(node, f"responses must have exactly {', '.join(RESPONSE_KEYS)} ({missing[0]} is missing)",
                          record, "responses")
    numbers = tuple(int(reader.scalar(counts, key, node, record, INT_TAG)) for key in RESPONSE_KEYS)
    if any(n < 0 for n in numbers):
        raise reader.fail(node, "responses must be whole numbers, 0 or more", record, "responses")
    return Responses(numbers)  # type: ignore[arg-type]


def _root(path: Path, display: str, allowed: tuple[str, ...]) -> tuple[_Reader, dict[str, Node], Node]:
    root = compose(read_text(path, display), display)
    reader = _Reader(display)
    if root is None:
        raise InvalidData([Position(display, 1, 1).error(f"the file is empty: it needs {', '.join(allowed)}")])
    return reader, reader.mapping(root, allowed), root


def _themes(reader: _Reader, top: dict[str, Node], root: Node) -> tuple[Theme, ...]:
    themes = []
    for node in reader.items(top, "themes", root):
        values = reader.mapping(node, THEME_KEYS)
        theme_id = reader.text(values, "id", node, None)
        themes.append(Theme(theme_id, reader.text(values, "question", node, theme_id),
                            reader.text(values, "title", node, theme_id),
                            reader.text(values, "summary", node, theme_id, default="")))
    return tuple(themes)


def _measure(reader: _Reader, node: Node, theme_ids: set[str]) -> Measure:
    values = reader.mapping(node, MEASURE_KEYS)
    measure_id = reader.text(values, "id", node, None)
    theme = reader.text(values, "theme", node, measure_id)
    if theme not in theme_ids:
        raise reader.fail(values["theme"], f"{theme!r} is not a theme (allowed: {', '.join(sorted(theme_ids))})",
                          measure_id, "theme")
    kind = reader.text(values, "kind", node, measure_id)
    if kind not in KINDS:
        raise reader.fail(values["kind"], f"{kind!r} is not a kind (allowed: {', '.join(KINDS)})", measure_id, "kind")
    return Measure(
        id=measure_id, theme=theme, wording=reader.text(values, "wording", node, measure_id), kind=kind,
        adopted=reader.scalar(values, "adopted", node, measure_id, BOOL_TAG) == "true",
        responses=_responses(reader, values, node, measure_id),
        unit=reader.text(values, "unit", node, measure_id, default=""),
        not_adopted_reason=reader.text(values, "not_adopted_reason", node, measure_id, default=""),
    )


def _statement(reader: _Reader, node: Node) -> Statement:
    values = reader.mapping(node, STATEMENT_KEYS)
    statement_id = reader.text(values, "id", node, None)
    return Statement(statement_id, reader.text(values, "question", node, statement_id),
                     reader.text(values, "wording", node, statement_id),
                     _responses(reader, values, node, statement_id))


def load_survey(content_dir: Path) -> Survey:
    """Read and check the measures and survey statements. Raises InvalidData with the file and line."""
    reader, top, root = _root(content_dir / "measures.yaml", "content/measures.yaml", ("themes", "measures"))
    themes = _themes(reader, top, root)
    measures: dict[str, Measure] = {}
    for node in reader.items(top, "measures", root):
        measure = _measure(reader, node, {t.id for t in themes})
        if measure.id in measures:
            raise reader.fail(node, f"the id {measure.id!r} is used twice", measure.id, "id")
        measures[measure.id] = measure
    reader, top, root = _root(content_dir / "engagement.yaml", "content/engagement.yaml", ("statements",))
    statements = tuple(_statement(reader, node) for node in reader.items(top, "statements", root))
    return Survey(themes, measures, statements)
