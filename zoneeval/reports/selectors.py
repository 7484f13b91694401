"""Reads of reports (HackSoft style: views and commands read through here)."""
from .models import Edition


def get_edition(zone_slug: str, fiscal_year: int) -> Edition | None:
    return Edition.objects.select_related("zone", "coordinator").filter(
        zone__slug=zone_slug, fiscal_year=fiscal_year
    ).first()


def list_editions():
    return Edition.objects.select_related("zone", "coordinator").order_by("zone__name", "-fiscal_year")
