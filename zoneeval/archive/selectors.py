"""Reads of the archive: a zone's editions, year by year, each year's chain of corrections and which is current."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..reports.models import Edition, Zone
from ..reports.presentation import national_score_label
from ..reports.selectors import national_evaluation_of_year


@dataclass
class ArchivedEdition:
    edition: Edition
    submission: object | None  # workflow.Submission
    is_current: bool
    checks: list | None = None  # the outcome of 検証, when the user just asked for it (archive/services.py)

    @property
    def state(self) -> str:
        if self.edition.is_frozen:
            return "提出済み（訂正版により置換え）" if not self.is_current else "提出済み"
        return "作成中"


@dataclass
class ArchiveYear:
    fiscal_year: int
    editions: list[ArchivedEdition] = field(default_factory=list)  # the chain: 元の版 → 訂正版1 → …
    national: object | None = None  # the year's national evaluation (reports.NationalEvaluation), once recorded
    national_scores: list = field(default_factory=list)  # [(item label, 「3.9」)]

    @property
    def current(self) -> ArchivedEdition | None:
        return next((e for e in self.editions if e.is_current), None)

    @property
    def national_due(self) -> bool:
        """Whether the year's national evaluation is shown: once recorded, or (as 未登録) once the year is submitted."""
        return self.national is not None or bool(self.current and self.current.edition.is_frozen)


def zone_archive(zone: Zone) -> list[ArchiveYear]:
    """Every fiscal year of ``zone``, the latest first, each with its editions in the order of the chain (the
    original, then each correction) and which one is current (the one no correction supersedes)."""
    from ..workflow.models import Submission

    editions = list(Edition.objects.filter(zone=zone).select_related("zone", "supersedes")
                    .order_by("-fiscal_year", "revision"))
    superseded = {e.supersedes_id for e in editions if e.supersedes_id}
    submissions = {s.edition_id: s for s in Submission.objects.filter(edition__in=editions)
                   .select_related("submitted_by", "pdf")}
    years: dict[int, ArchiveYear] = {}
    for edition in editions:
        year = years.setdefault(edition.fiscal_year, ArchiveYear(edition.fiscal_year))
        year.editions.append(ArchivedEdition(edition, submissions.get(edition.pk), edition.pk not in superseded))
    for year in years.values():
        if year.current is not None:
            year.national = national_evaluation_of_year(year.current.edition)
        if year.national is not None:
            year.national_scores = [(label, national_score_label(score)) for label, score in year.national.scores()]
    return list(years.values())


def zone_or_none(slug: str) -> Zone | None:
    return Zone.objects.filter(slug=slug).first()
