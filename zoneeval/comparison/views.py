"""The page "what changed": an edition compared with the previous year's submitted edition, or any two versions of
the zone's editions. Thin: selectors read, compare.py compares, the rules decide. GET only; nothing is written."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..authorities.rules import require, rules_for
from ..reports.permissions import viewable_edition_or_refuse
from .compare import REMOVED, SETTINGS, compare
from .locate import Locator
from .selectors import find_version, previous_submitted, versions_of_zone


def _link(change, new, locator: Locator) -> str:
    """Where the item is edited: the drafting section page of the newer side's edition, at the item when the newer
    side is the edition's current state and the item is in it."""
    if change.part == SETTINGS:
        return ""
    exact = new.is_current and change.status != REMOVED
    return locator.url(change.part, change.path if exact else None)


@login_required
def changes(request, zone_slug: str, fiscal_year: int):
    edition = viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)
    rules = rules_for(request.user)
    versions = [v for v in versions_of_zone(edition.zone) if rules.view_edition(v.edition)]
    new = find_version(versions, request.GET.get("new")) or find_version(versions, f"e{edition.pk}")
    old = find_version(versions, request.GET.get("old"))
    if old is None:
        previous = previous_submitted(new.edition)
        old = find_version(versions, f"e{previous.pk}") if previous else None
    comparison, authority = None, request.GET.get("authority") or ""
    authorities = []
    if old is not None:
        require(rules.compare_editions(old.edition, new.edition))
        old_data, new_data = old.data(), new.data()
        full = compare(old_data, new_data)
        authorities = [(a["slug"], a["name"]) for a in new_data.get("authorities", [])]
        authorities += [(a["slug"], a["name"]) for a in old_data.get("authorities", [])
                        if a["slug"] not in {s for s, _ in authorities}]
        if authority not in {s for s, _ in authorities}:
            authority = ""
        comparison = full.filtered(authority)
        locator, names = Locator(new.edition), dict(authorities)
        for change in [*comparison.changes, *comparison.year_bound]:
            change.link = _link(change, new, locator)
            change.owner_name = names.get(change.owner, "")
    return render(request, "comparison/changes.html", {
        "edition": edition, "versions": versions, "old": old, "new": new, "comparison": comparison,
        "groups": comparison.by_part() if comparison else [], "authorities": authorities, "authority": authority,
        "authority_name": dict(authorities).get(authority, ""),
    })
