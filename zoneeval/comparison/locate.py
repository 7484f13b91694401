"""Where a compared item is edited: its drafting section page at the item (``#item-<kind>-<pk>``).

The comparison names an item by its JSON path in the snapshot it came from (``$.parts.annex3.fiscal[0]``); when that
snapshot is an edition's current state, the path's indexes are the exporter's order (reports/interchange/export.py:
"order", then pk; indicators and solutions by number), which is the order read here. Items of other versions (an
assembled snapshot, a removed item) link to the section page only."""
from __future__ import annotations

import re

from django.urls import reverse

from ..drafting.registry import kind_of
from ..reports import models as m

PASSAGE = re.compile(r"^\$\.parts\.(part2|part3|part7|annex4)\.(overview|goal|considerations|contribution_approach|"
                     r"pathway|overall|structure|private_sector)$")


class Locator:
    def __init__(self, edition):
        self.edition = edition
        self._cache: dict = {}

    def _list(self, key, queryset) -> list:
        if key not in self._cache:
            self._cache[key] = list(queryset)
        return self._cache[key]

    def _passages(self, slot):
        return self._list(("passage", slot), m.Passage.objects.filter(edition=self.edition, slot=slot)
                          .order_by("order", "pk"))

    def _findings(self, slot, target=None):
        qs = m.SurveyFinding.objects.filter(edition=self.edition, slot=slot)
        if target is not None:
            qs = m.SurveyFinding.objects.filter(target=target)
        return self._list(("finding", slot, getattr(target, "pk", None)), qs.order_by("order", "pk"))

    def _targets(self, i):
        indicators = self._list("indicators", m.Indicator.objects.filter(edition=self.edition).order_by("number"))
        return list(indicators[i].targets.order_by("order", "pk"))

    def item(self, path: str):  # noqa: C901 (one branch per place of the format)
        e = self.edition
        n = [int(x) for x in re.findall(r"\[(\d+)\]", path)]
        try:
            if match := PASSAGE.match(path):
                return self._passages(f"{match.group(1)}.{match.group(2)}")[0]
            if path == "$.parts.part2.previous_evaluation":
                return self._passages("part2.previous_evaluation")[0]
            if path.startswith("$.parts.part6.passages["):
                return self._passages("part6")[n[0]]
            if path.startswith("$.parts.part3.indicators[") and ".targets[" in path:
                target = self._targets(n[0])[n[1]]
                if ".survey_findings[" in path:
                    return self._findings("annex1", target)[n[2]]
                return target
            if path.startswith("$.parts.part3.solutions["):
                solution = self._list("solutions", m.Solution.objects.filter(edition=e).order_by("number"))[n[0]]
                if ".initiatives[" in path:
                    return list(solution.initiatives.order_by("order", "pk"))[n[1]]
                return solution
            if match := re.match(r"^\$\.parts\.part4\.(specific|general)_projects\[", path):
                return list(m.RegulatoryProject.objects.filter(edition=e, kind=match.group(1))
                            .order_by("order", "pk"))[n[0]]
            if path.startswith("$.parts.part4.proposals["):
                return list(m.RegulatoryProposal.objects.filter(edition=e).order_by("order", "pk"))[n[0]]
            if match := re.match(r"^\$\.parts\.part5\.(\w+)\.(none_reason|groups)", path):
                if match.group(2) == "none_reason":
                    return self._passages(f"part5.{match.group(1)}.none_reason")[0]
                if ".projects[" in path:
                    group = list(m.SupportGroup.objects.filter(section__edition=e, section__kind=match.group(1))
                                 .order_by("order", "pk"))[n[0]]
                    return sorted(group.projects.all(), key=lambda p: (p.order, p.pk))[n[1]]
                return None
            if path.startswith("$.parts.annex1_2.projects["):
                project = list(m.ScheduleProject.objects.filter(edition=e).order_by("order", "pk"))[n[0]]
                if ".items[" in path:
                    return sorted(project.items.all(), key=lambda i: (i.order, i.pk))[n[1]]
                return project
            if path == "$.parts.annex1_2.notes":
                return self._passages("annex1_2.notes")[0]
            if match := re.match(r"^\$\.parts\.(annex2|annex3|annex4)\.survey_findings\[", path):
                return self._findings(match.group(1))[n[0]]
            if path.startswith("$.parts.annex2.special_measures["):
                return list(m.SpecialMeasureUse.objects.filter(edition=e).order_by("order", "pk"))[n[0]]
            if match := re.match(r"^\$\.parts\.annex2\.(feasible|nationwide)_measures\[", path):
                return list(m.MeasureRow.objects.filter(edition=e, kind=match.group(1)).order_by("order", "pk"))[n[0]]
            if path.startswith("$.parts.annex3.fiscal["):
                return list(m.FiscalSupportRow.objects.filter(edition=e).order_by("order", "pk"))[n[0]]
            if match := re.match(r"^\$\.parts\.annex3\.(tax|financial)\[", path):
                return list(m.CountRow.objects.filter(edition=e, kind=match.group(1)).order_by("order", "pk"))[n[0]]
            if match := re.match(r"^\$\.parts\.annex4\.(\w+)\[", path):
                return list(m.LocalMeasureRow.objects.filter(edition=e, table=match.group(1))
                            .order_by("order", "pk"))[n[0]]
        except (IndexError, ValueError):
            return None
        return None

    def url(self, part: str, path: str | None) -> str:
        """The drafting section page of ``part``, at the item when ``path`` names one of this edition's items."""
        e = self.edition
        item = self.item(path) if path else None
        if item is None:
            return reverse("drafting:section", args=[e.zone.slug, e.fiscal_year, part])
        kind = kind_of(item)
        owner_item = kind.permission_object(item)
        anchor_kind = kind_of(owner_item)
        return (reverse("drafting:section", args=[e.zone.slug, e.fiscal_year, kind.section_of(item)])
                + f"#item-{anchor_kind.key}-{owner_item.pk}")
