"""Reads of reports (HackSoft style: views and commands read through here)."""
from .models import Edition


def get_edition(zone_slug: str, fiscal_year: int) -> Edition | None:
    return Edition.objects.select_related("zone", "coordinator").filter(
        zone__slug=zone_slug, fiscal_year=fiscal_year
    ).first()


def list_editions():
    return Edition.objects.select_related("zone", "coordinator").order_by("zone__name", "-fiscal_year")


def national_scores(zone) -> list[tuple[int, object]]:
    """The national evaluation's overall score of the zone's editions, [(fiscal_year, score)] oldest first.
    Until the national evaluation is recorded in zoneeval (the NationalEvaluation model of issue 11 ③), none: the
    zone's chart of scores (charts.national_score_chart) is then not drawn."""
    return []
