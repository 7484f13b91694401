"""Reads for the workbook pages and commands. The edition of (zone, year) is looked up here only."""
from __future__ import annotations

from django.urls import reverse

from ...authorities.models import Authority
from ...reports.permissions import viewable_edition_or_refuse
from ...reports.selectors import get_edition


def edition_or_refuse(user, zone_slug: str, fiscal_year: int):
    """The edition a page is about, refused when the user may not read it."""
    return viewable_edition_or_refuse(user, zone_slug, fiscal_year)


def edition_for_command(zone_slug: str, fiscal_year: int):
    return get_edition(zone_slug, fiscal_year)


def _coauthors(edition) -> list[Authority]:
    return [c.authority for c in edition.coauthors.select_related("authority").order_by("order")]


def download_choices(rules, edition) -> list[dict]:
    """The workbooks the user may download: one per co-author they edit for (its cells open to typing), and the
    whole workbook for the zone coordinator."""
    base = reverse("drafting:workbook_download", args=[edition.zone.slug, edition.fiscal_year])
    choices = []
    if rules.download_workbook(edition, None):
        choices.append({"label": "全作成主体のワークブック", "url": base, "authority": None})
    for authority in _coauthors(edition):
        if rules.download_workbook(edition, authority.pk):
            choices.append({"label": f"{authority.name}が入力する欄のワークブック", "url": f"{base}?authority={authority.slug}",
                            "authority": authority})
    return choices


def import_authorities(rules, edition) -> list[Authority]:
    """The co-authors whose figures the user may import from a workbook (none for a submitted edition)."""
    return [a for a in _coauthors(edition) if rules.import_workbook(edition, a.pk)]
