"""Reads of reports (HackSoft style: views and commands read through here).

An edition is found by (zone, fiscal year) here and nowhere else: a year may have several editions when the
submitted one was corrected (訂正版, ``Edition.supersedes``); (zone, year) means the CURRENT one, the edition that no
other supersedes. A superseded edition is found by its revision (``get_edition(..., revision=N)``)."""
from __future__ import annotations

from django.db import models

from .models import Edition, Zone


def _zone_filter(zone) -> dict:
    return {"zone": zone} if isinstance(zone, Zone) else {"zone__slug": zone}


def editions_of_year(zone, fiscal_year: int):
    """Every edition of one zone's year, the original first (``zone``: a Zone or its slug)."""
    return Edition.objects.select_related("zone", "coordinator").filter(
        **_zone_filter(zone), fiscal_year=fiscal_year).order_by("revision")


def current_edition(zone, fiscal_year: int, *, for_update: bool = False) -> Edition | None:
    """THE lookup of an edition by (zone, year): the current edition, i.e. the one no correction supersedes."""
    editions = editions_of_year(zone, fiscal_year).filter(superseded_by__isnull=True)
    if for_update:
        editions = editions.select_for_update(of=("self",))
    return editions.first()


def get_edition(zone_slug: str, fiscal_year: int, revision: int | None = None) -> Edition | None:
    """The current edition of (zone, year), or the one of that revision (0 the original, 1 the first 訂正版…)."""
    if revision is None:
        return current_edition(zone_slug, fiscal_year)
    return editions_of_year(zone_slug, fiscal_year).filter(revision=revision).first()


def current_editions():
    """The current edition of every (zone, year)."""
    return Edition.objects.filter(superseded_by__isnull=True)


def list_editions():
    return current_editions().select_related("zone", "coordinator").order_by("zone__name", "-fiscal_year")



# ---- the yearly cycle: the national evaluation ----------------------------------------------------------------
# Every lookup of "the edition of a zone for a fiscal year" goes through ``current_edition`` / ``get_edition`` above.

def national_evaluation(edition: Edition):
    """The national evaluation recorded for ``edition``, or None."""
    from .models import NationalEvaluation

    return NationalEvaluation.objects.select_related("recorded_by").filter(edition=edition).first()


def national_evaluation_of_year(edition: Edition):
    """The national evaluation of ``edition``'s year: its own, else that of the latest edition of the year that has
    one (an evaluation recorded before a correction (訂正版) was made still evaluates that year)."""
    from .models import NationalEvaluation

    return (NationalEvaluation.objects.select_related("recorded_by", "edition")
            .filter(edition__zone_id=edition.zone_id, edition__fiscal_year=edition.fiscal_year)
            .order_by(models.Case(models.When(edition_id=edition.pk, then=0), default=1), "-edition__revision")
            .first())


def national_scores(zone) -> list[tuple[int, object]]:
    """[(fiscal year, overall score 総合評価)] of every edition of ``zone`` with a national evaluation, in year order
    (for the chart of the national score over the years)."""
    from .models import NationalEvaluation

    rows = NationalEvaluation.objects.filter(edition__zone=zone).order_by("edition__fiscal_year", "edition__revision")
    by_year = {}  # a year with corrections: the evaluation of its latest edition that has one
    for fy, score in rows.values_list("edition__fiscal_year", "overall_score"):
        by_year[fy] = score
    return list(by_year.items())
