"""Where a finding can be fixed: the item its JSON path names, and the section page of the drafting screens at that
item (``#item-<kind>-<pk>``) for users who may edit it.

Findings name places in the snapshot by JSON path (``$.parts.annex3.fiscal[0]``); the snapshot lists each table in
the exporter's order ("order", then pk; indicators by number), which is the order read here. Only a run whose
snapshot is the edition's current content is resolved (the indexes of an out-of-date run may name other rows)."""
from __future__ import annotations

import re

from django.urls import reverse

from ..reports import models as m

PATTERNS = [
    (re.compile(r"^\$\.parts\.part3\.indicators\[(\d+)\]\.targets\[(\d+)\]"), "target"),
    (re.compile(r"^\$\.parts\.part3\.solutions\[(\d+)\]"), "solution"),
    (re.compile(r"^\$\.parts\.annex3\.fiscal\[(\d+)\]"), "fiscal"),
    (re.compile(r"^\$\.parts\.annex3\.(tax|financial)\[(\d+)\]"), "count"),
    (re.compile(r"^\$\.parts\.annex4\.([a-z_]+)\[(\d+)\]"), "local"),
    (re.compile(r"^\$\.parts\.annex1_2\.projects\[(\d+)\]"), "schedule"),
]


class _Tables:
    """The edition's rows in the snapshot's order, read once per table."""

    def __init__(self, edition):
        self.edition = edition
        self._cache: dict = {}

    def _rows(self, key, queryset):
        if key not in self._cache:
            self._cache[key] = list(queryset)
        return self._cache[key]

    def item(self, kind: str, groups: tuple):
        e = self.edition
        try:
            if kind == "target":
                indicators = self._rows("indicators", m.Indicator.objects.filter(edition=e).order_by("number")
                                        .prefetch_related("targets"))
                targets = sorted(indicators[int(groups[0])].targets.all(), key=lambda t: (t.order, t.pk))
                return targets[int(groups[1])]
            if kind == "solution":
                return self._rows("solutions", m.Solution.objects.filter(edition=e).order_by("number"))[int(groups[0])]
            if kind == "fiscal":
                return self._rows("fiscal", m.FiscalSupportRow.objects.filter(edition=e).order_by("order", "pk"))[
                    int(groups[0])]
            if kind == "count":
                rows = self._rows("counts", m.CountRow.objects.filter(edition=e).order_by("order", "pk"))
                return [r for r in rows if r.kind == groups[0]][int(groups[1])]
            if kind == "local":
                rows = self._rows("local", m.LocalMeasureRow.objects.filter(edition=e).order_by("order", "pk"))
                return [r for r in rows if r.table == groups[0]][int(groups[1])]
            if kind == "schedule":
                return self._rows("schedule", m.ScheduleProject.objects.filter(edition=e).order_by("order", "pk"))[
                    int(groups[0])]
        except (IndexError, ValueError):
            return None
        return None


def link_findings(edition, findings: list[dict], rules) -> list[dict]:
    """Set ``edit_url`` on each finding whose item the user may edit: the drafting section page at the item."""
    from ..drafting.registry import kind_of

    tables = _Tables(edition)
    for finding in findings:
        finding["edit_url"] = ""
        for pattern, kind in PATTERNS:
            match = pattern.match(finding.get("item", ""))
            if match is None:
                continue
            item = tables.item(kind, match.groups())
            if item is None or not rules.edit_item(item, edition):
                break
            registered = kind_of(item)
            section = registered.section_of(item)
            finding["edit_url"] = reverse("drafting:section", args=[edition.zone.slug, edition.fiscal_year, section]) \
                + f"?edit={registered.key}-{item.pk}#item-{registered.key}-{item.pk}"
            break
    return findings
