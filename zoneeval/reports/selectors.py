"""Reads of reports (HackSoft style: views and commands read through here)."""
from .models import Edition


def get_edition(zone_slug: str, fiscal_year: int) -> Edition | None:
    return Edition.objects.select_related("zone", "coordinator").filter(
        zone__slug=zone_slug, fiscal_year=fiscal_year
    ).first()


def list_editions():
    return Edition.objects.select_related("zone", "coordinator").order_by("zone__name", "-fiscal_year")


# ---- the yearly cycle: the national evaluation ----------------------------------------------------------------
# Every lookup of "the edition of a zone for a fiscal year" goes through ``get_edition`` above (rollover, the
# national evaluation pages, the command): when corrections (訂正版) allow several editions of one year, that one
# function becomes "the current edition of the year".

def national_evaluation(edition: Edition):
    """The national evaluation recorded for ``edition``, or None."""
    from .models import NationalEvaluation

    return NationalEvaluation.objects.select_related("recorded_by").filter(edition=edition).first()


def national_scores(zone) -> list[tuple[int, object]]:
    """[(fiscal year, overall score 総合評価)] of every edition of ``zone`` with a national evaluation, in year order
    (for the chart of the national score over the years)."""
    from .models import NationalEvaluation

    rows = NationalEvaluation.objects.filter(edition__zone=zone).order_by("edition__fiscal_year", "edition__pk")
    return [(fy, score) for fy, score in rows.values_list("edition__fiscal_year", "overall_score")]
