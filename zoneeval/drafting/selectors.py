"""Reads for the drafting pages: items of a section with their permissions prefetched."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from ..authorities.rules import rules_for
from ..reports import models as m
from .models import Part
from .registry import KINDS, SECTION_OF_MODEL, Kind

SLOT_SECTION_KINDS = ("passage", "survey-finding")


@dataclass
class Row:
    kind: Kind
    item: object
    label: str
    owner: object
    can_change: bool
    can_delete: bool


def kinds_in_section(section: str) -> list[Kind]:
    return [k for k in KINDS.values() if k.key in SLOT_SECTION_KINDS or SECTION_OF_MODEL.get(k.model) == section]


def _queryset(kind: Kind, edition, section: str):
    qs = kind.model.objects.filter(**{kind.edition_path: edition})
    if kind.key == "passage":
        prefixes = [section] if section != "targets" else ["annex1"]
        qs = qs.filter(slot__regex=r"^(%s)(\.|$)" % "|".join(prefixes))
    elif kind.key == "survey-finding":
        qs = qs.filter(slot="annex1" if section == "targets" else section)
    if kind.parent_attr:
        qs = qs.select_related(f"{kind.parent_attr}__owner")
    else:
        qs = qs.select_related("owner")
    if kind.model is m.LocalMeasureRow:
        qs = qs.prefetch_related(Prefetch("authority_links", queryset=m.LocalMeasureAuthority.objects.select_related(
            "authority")))
    if kind.year_grid:
        qs = qs.prefetch_related(kind.year_grid.related_name)
    return qs.order_by("order", "pk") if hasattr(kind.model, "order") else qs.order_by("pk")


def section_rows(user, edition, section: str) -> list[Row]:
    """Every item of the section with what the user may do to it. Queries: a fixed number per kind, whatever the
    number of rows (permissions are prefetched per model)."""
    rules = rules_for(user)
    rows = []
    for kind in kinds_in_section(section):
        items = list(_queryset(kind, edition, section))
        if not items:
            continue
        targets = [kind.permission_object(i) for i in items]
        rules.prefetch(list({(type(t), t.pk): t for t in targets}.values()))
        for item, target in zip(items, targets):
            can_change = bool(rules.edit_item(target, edition))
            rows.append(Row(
                kind=kind, item=item, label=kind.label_of(item), owner=target.owner, can_change=can_change,
                can_delete=can_change if kind.parent_attr else bool(rules.delete_item(item, edition)),
            ))
    return rows


def creation_options(user, edition, section: str) -> list[dict]:
    """The 'add' buttons the user may use in this section: kind, container and the authorities to add for."""
    authorities = list(m.CoAuthor.objects.filter(
        edition=edition, authority_id__in=rules_for(user).editing_for_edition(edition)).select_related(
        "authority").order_by("order"))
    if not authorities:
        return []
    options = []
    for kind in kinds_in_section(section):
        if not kind.creatable or kind.parent_attr or kind.key in ("initiative", "support-project"):
            continue
        for key, label in kind.containers.items():
            if kind.key in SLOT_SECTION_KINDS and not key.startswith(section if section != "targets" else "annex1"):
                continue
            options.append({"kind": kind, "container": key, "label": label,
                            "authorities": [c.authority for c in authorities]})
    return options


def parts_of(edition):
    """Parts in document order, each section's parts in the co-authors' order."""
    from .registry import SECTIONS

    section_order = {key: n for n, (key, _) in enumerate(SECTIONS)}
    author_order = dict(m.CoAuthor.objects.filter(edition=edition).values_list("authority_id", "order"))
    parts = Part.objects.filter(edition=edition).select_related("authority", "last_editor", "edition").prefetch_related(
        "comments__author", "comments__resolved_by", "comments__replies__author")
    return sorted(parts, key=lambda p: (section_order.get(p.section, 99), author_order.get(p.authority_id, 99)))
