"""Reads of reports (HackSoft style: views and commands read through here).

An edition is found by (zone, fiscal year) here and nowhere else: a year may have several editions when the
submitted one was corrected (訂正版, ``Edition.supersedes``); (zone, year) means the CURRENT one, the edition that no
other supersedes. A superseded edition is found by its revision (``get_edition(..., revision=N)``)."""
from __future__ import annotations

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
