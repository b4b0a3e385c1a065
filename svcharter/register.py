"""The register as every output sees it: signatories, their status and addresses on a build date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .measures import Survey
from .models import Signatory

CURRENT, WITHDRAWN, LAPSED = "current", "withdrawn", "lapsed"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class SiteInfo:
    """Facts about the published site that shape every output."""

    site_url: str  # always ends with "/"
    build_date: dt.date
    renewal_months: int | None = None
    misuse_email: str | None = None
    site_name: str = "Shropshire Social Value Charter"
    register_page_rows: int = 1000  # rows per register page without JavaScript (about 120 KB gzipped)


@dataclass(frozen=True)
class Register:
    """Validated signatories with the survey data and site facts, sorted by name."""

    signatories: tuple[Signatory, ...]
    survey: Survey
    site: SiteInfo
    by_id: dict[str, Signatory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.signatories, key=lambda s: (s.name.casefold(), s.id)))
        object.__setattr__(self, "signatories", ordered)
        object.__setattr__(self, "by_id", {s.id: s for s in ordered})

    def status(self, signatory: Signatory) -> str:
        if signatory.withdrawn:
            return WITHDRAWN
        if self.lapses_on(signatory) is not None:
            return LAPSED
        return CURRENT

    def last_affirmed(self, signatory: Signatory) -> dt.date:
        return max((signatory.signed, *signatory.reaffirmed))

    def lapses_on(self, signatory: Signatory) -> dt.date | None:
        """The day a signatory lapsed, when renewal is on and it has not renewed in time."""
        if not self.site.renewal_months or signatory.withdrawn:
            return None
        due = add_months(self.last_affirmed(signatory), self.site.renewal_months)
        return due if due <= self.site.build_date else None

    def with_status(self, status: str) -> list[Signatory]:
        return [s for s in self.signatories if self.status(s) == status]

    def page_path(self, signatory: Signatory) -> str:
        return f"register/{signatory.id}/"

    def url(self, path: str) -> str:
        return self.site.site_url + path

    def newest(self, count: int) -> list[Signatory]:
        current = self.with_status(CURRENT)
        return sorted(current, key=lambda s: (s.signed, s.name.casefold()), reverse=True)[:count]

    def committed_to(self, measure_id: str) -> list[Signatory]:
        return [s for s in self.signatories if measure_id in s.commitments and self.status(s) == CURRENT]
