"""Records and content -> Markdown pages for MkDocs. Pure: returns text, writes nothing.

Generated page bodies are raw HTML blocks made by Jinja2 with autoescaping,
so a name is never read as Markdown (no stray links or emphasis) and never
as HTML. Front matter is written by a YAML dumper, its strings pre-escaped
because the theme prints page titles without escaping.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jinja2
import yaml

from . import charts, opendata
from .errors import BuildError, DataError
from .fields import ACTIVITIES, FIELDS, SECTORS, SIZES
from .measures import RESPONSE_LABELS
from .models import Signatory
from .register import CURRENT, LAPSED, WITHDRAWN, Register

FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""LibYAML's emitter when PyYAML has it: the same text, seven times faster, and every page has front matter."""
MARKER = re.compile(r"<!-- ([a-z-]+(?::[a-z0-9-]+)*) -->")
"""A place in a content page where generated HTML goes. A comment with no colon (<!-- more -->) is left alone."""
MARKERS = ("register:count", "register:newest", "engagement:statements", "engagement:measures", "logo:downloads",
           "contact:misuse")
PERCENT_MARKER = "percent:agree:"
NEWEST_COUNT = 5


def long_date(value: object) -> str:
    """GOV.UK style: 1 April 2017."""
    return f"{value.day} {value:%B %Y}"  # type: ignore[attr-defined]


def json_ld(data: object) -> str:
    """JSON for a <script> block: '<', '>' and '&' escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """Jinja2 for generated pages: autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir / "pages"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["json_ld"] = lambda data: jinja2.utils.markupsafe.Markup(json_ld(data))
    env.globals.update(SECTORS=SECTORS, SIZES=SIZES, ACTIVITIES=ACTIVITIES, FIELDS=FIELDS,
                       CURRENT=CURRENT, WITHDRAWN=WITHDRAWN, LAPSED=LAPSED)
    return env


def front_matter(title: str, body: str, **meta: object) -> str:
    """A Markdown page: YAML front matter (HTML-escaped strings) then the body."""
    values = {"title": html.escape(title, quote=True)}
    for key, value in meta.items():
        values[key] = html.escape(value, quote=True) if isinstance(value, str) else value
    header = yaml.dump(values, Dumper=FAST_DUMPER, allow_unicode=True, sort_keys=True, width=10_000)
    return f"---\n{header}---\n\n{body}"


class PageMaker:
    """Renders every generated page of one register."""

    def __init__(self, register: Register, templates_dir: Path, extras: dict[str, object] | None = None) -> None:
        self.register = register
        self.env = make_environment(templates_dir)
        self.extras = extras or {}

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(register=self.register, site=self.register.site,
                                                       extras=self.extras, **context)

    def register_pages(self) -> dict[str, str]:
        """The register: one page, or pages of `register_page_rows` rows once it is too big to send at once."""
        reg = self.register
        current = reg.with_status(CURRENT)
        size = reg.site.register_page_rows
        chunks = [current[i:i + size] for i in range(0, len(current), size)] or [[]]
        paged = len(chunks) > 1
        years = sorted({s.signed.year for s in current})
        pages = {}
        for number, rows in enumerate(chunks, start=1):
            first = (number - 1) * size
            body = self.render("register.html.j2", current=current, rows=rows, first=first, page=number,
                               page_count=len(chunks), prefix="" if number == 1 else "../../",
                               rows_src="rows.json" if paged else "", page_rows=size,
                               withdrawn=reg.with_status(WITHDRAWN) if number == 1 else [],
                               lapsed=reg.with_status(LAPSED) if number == 1 else [],
                               years=years,
                               jsonld=opendata.register_jsonld(reg, rows, first))
            title = "Register of signatories" + (f" (page {number} of {len(chunks)})" if number > 1 else "")
            path = "register/index.md" if number == 1 else f"register/page/{number}/index.md"
            pages[path] = front_matter(
                title, body, description=f"{len(current)} organisations have signed the Shropshire Social Value Charter.")
        return pages

    def signatory_page(self, signatory: Signatory) -> str:
        reg = self.register
        body = self.render("signatory.html.j2", s=signatory, status=reg.status(signatory),
                           lapsed_on=reg.lapses_on(signatory), measures=reg.survey.measures)
        return front_matter(signatory.name, body,
                            description=f"{signatory.name} has signed the Shropshire Social Value Charter.",
                            signatory=signatory.id)

    def measures_index(self) -> str:
        body = self.render("measures.html.j2", survey=self.register.survey)
        return front_matter("Measures", body, description="The social value measures of the charter.")

    def measure_page(self, measure_id: str) -> str:
        measure = self.register.survey.measures[measure_id]
        body = self.render("measure.html.j2", m=measure, committed=self.register.committed_to(measure_id),
                           totals=measure_totals(self.register, measure_id))
        return front_matter(measure.wording, body, description=f"Charter measure: {measure.wording}")

    def statistics_page(self) -> str:
        tables = statistics(self.register)
        chart_svgs = {key: charts.simple_bars(rows, title) for key, (title, rows) in tables.items()}
        body = self.render("statistics.html.j2", tables=tables, charts=chart_svgs)
        return front_matter("Statistics", body, description="Signatories of the charter by sector, size, activity and year.")

    def content_page(self, text: str) -> str:
        """A page from content/ with its markers replaced by generated HTML."""
        return MARKER.sub(lambda match: self._marker(match.group(1)), text)

    def _marker(self, name: str) -> str:
        handlers: dict[str, Callable[[], str]] = {
            "register:count": self._count_sentence,
            "register:newest": lambda: self.render("newest.html.j2", newest=self.register.newest(NEWEST_COUNT)),
            "engagement:statements": lambda: self._survey_table("statements"),
            "engagement:measures": lambda: self._survey_table("measures"),
            "logo:downloads": lambda: self.render("logo-downloads.html.j2"),
            "contact:misuse": lambda: self.render("misuse.html.j2"),
        }
        if name.startswith("percent:agree:"):
            return f"{self._statement(name.rsplit(':', 1)[1]).responses.agree_percent()}%"
        if ":" not in name:
            return f"<!-- {name} -->"
        if name not in handlers:  # marker_errors() reports these, with the file and line, before any page is made
            raise BuildError(f"unknown page marker <!-- {name} -->")
        return "\n" + handlers[name]().strip() + "\n"

    def _statement(self, statement_id: str):  # noqa: ANN202 - a Statement
        for statement in self.register.survey.statements:
            if statement.id == statement_id:
                return statement
        raise BuildError(f"unknown survey statement '{statement_id}' in a percent marker")

    def _count_sentence(self) -> str:
        count = len(self.register.with_status(CURRENT))
        noun = "organisation has" if count == 1 else "organisations have"
        return self.render("count.html.j2", count=count, noun=noun)

    def _survey_table(self, which: str) -> str:
        survey = self.register.survey
        if which == "statements":
            rows = [(s.wording, s.responses) for s in survey.statements]
            caption = "Responses to the statements about the charter (survey question 7)"
        else:
            rows = [(m.wording, m.responses) for m in survey.measures.values()]
            caption = "Responses to the proposed measures (survey questions 8 to 12)"
        svg = charts.stacked_bars([(label, r.counts) for label, r in rows], RESPONSE_LABELS, caption)
        return self.render("survey-table.html.j2", rows=rows, caption=caption, labels=RESPONSE_LABELS,
                           chart=jinja2.utils.markupsafe.Markup(svg))


def measure_totals(register: Register, measure_id: str) -> list[tuple[int, int, str]]:
    """Per year: how many signatories reported the measure, and the sum of their figures."""
    measure = register.survey.measures[measure_id]
    by_year: dict[int, list[str]] = {}
    for signatory in register.signatories:
        for report in signatory.reports:
            for key, value in report.values:
                if key == measure_id:
                    by_year.setdefault(report.year, []).append(value)
    totals = []
    for year in sorted(by_year):
        values = by_year[year]
        if measure.kind == "number":
            total = _format_number(sum(float(v) for v in values))
        elif measure.kind == "percentage":
            total = _format_number(sum(float(v) for v in values) / len(values)) + "% on average"
        else:
            total = ""
        totals.append((year, len(values), total))
    return totals


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def statistics(register: Register) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """Counts of current signatories by sector, size, activity and year signed."""
    current = register.with_status(CURRENT)
    activities = Counter(a for s in current for a in s.activities)
    years = Counter(s.signed.year for s in current)
    sectors = Counter(s.sector for s in current)
    sizes = Counter(s.size for s in current)
    return {
        "sector": ("Current signatories by sector", [(label, sectors[key]) for key, label in SECTORS.items()]),
        "size": ("Current signatories by size", [(label, sizes[key]) for key, label in SIZES.items()]),
        "activity": ("Current signatories by area of activity", [(label, activities[k]) for k, label in ACTIVITIES.items()]),
        "year": ("Current signatories by year signed", [(str(year), years[year]) for year in sorted(years)]),
    }


def marker_errors(text: str, display: str, statement_ids: set[str]) -> list[DataError]:
    """Every marker in a content page that names nothing the site can generate, with its line and column."""
    errors = []
    for match in MARKER.finditer(text):
        problem = _marker_problem(match.group(1), statement_ids)
        if problem:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - text.rfind("\n", 0, match.start())
            errors.append(DataError(display, line, column, None, None, problem))
    return errors


def _marker_problem(name: str, statement_ids: set[str]) -> str | None:
    if ":" not in name or name in MARKERS:
        return None
    if name.startswith(PERCENT_MARKER):
        statement = name.removeprefix(PERCENT_MARKER)
        if statement in statement_ids:
            return None
        allowed, shown = sorted(statement_ids), statement
    else:
        allowed, shown = [*MARKERS, PERCENT_MARKER + "STATEMENT-ID"], name
    close = difflib.get_close_matches(shown, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    what = "survey statement" if name.startswith(PERCENT_MARKER) else "page marker"
    return f"unknown {what} '{shown}' in <!-- {name} --> (allowed: {', '.join(allowed)}{hint})"
