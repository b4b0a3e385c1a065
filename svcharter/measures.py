"""The charter's measures and the survey results, read from data files under content/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, InvalidData
from .load import load_data

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


def _responses(raw: object, where: str) -> Responses:
    if not isinstance(raw, dict) or set(raw) != set(RESPONSE_KEYS):
        raise _bad(where, f"responses must have exactly {', '.join(RESPONSE_KEYS)}")
    counts = tuple(raw[key] for key in RESPONSE_KEYS)
    if not all(isinstance(c, int) and c >= 0 for c in counts):
        raise _bad(where, "responses must be whole numbers")
    return Responses(counts)  # type: ignore[arg-type]


def _bad(where: str, message: str) -> InvalidData:
    return InvalidData([DataError(where, 1, 1, None, None, message)])


def load_survey(content_dir: Path) -> Survey:
    """Read and check the measures and survey statements."""
    measures_file = content_dir / "measures.yaml"
    data = load_data(measures_file, "content/measures.yaml")
    if not isinstance(data, dict):
        raise _bad("content/measures.yaml", "must hold 'themes:' and 'measures:'")
    themes = tuple(Theme(t["id"], t["question"], t["title"], t.get("summary", "")) for t in data["themes"])
    theme_ids = {t.id for t in themes}
    measures: dict[str, Measure] = {}
    for raw in data["measures"]:
        where = f"content/measures.yaml: measure {raw.get('id')!r}"
        if raw.get("theme") not in theme_ids or raw.get("kind") not in KINDS:
            raise _bad(where, f"needs a known theme and a kind from {', '.join(KINDS)}")
        measures[raw["id"]] = Measure(
            id=raw["id"], theme=raw["theme"], wording=raw["wording"], kind=raw["kind"],
            adopted=bool(raw["adopted"]), responses=_responses(raw.get("responses"), where),
            unit=raw.get("unit", ""), not_adopted_reason=raw.get("not_adopted_reason", ""),
        )
    engagement = load_data(content_dir / "engagement.yaml", "content/engagement.yaml")
    if not isinstance(engagement, dict):
        raise _bad("content/engagement.yaml", "must hold 'statements:'")
    statements = tuple(
        Statement(s["id"], s["question"], s["wording"], _responses(s.get("responses"), "content/engagement.yaml"))
        for s in engagement["statements"]
    )
    return Survey(themes, measures, statements)
