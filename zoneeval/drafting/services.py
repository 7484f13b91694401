"""Writes of drafts: create, update and delete items, and the year table of a numerical target.

Each write checks permissions on the server (guardian object permissions; membership for creation), refuses a stale
version instead of overwriting it, records a revision (before/after) and marks the part as last edited by the user.
"""
from __future__ import annotations

from decimal import Decimal
from functools import wraps

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ..authorities.acting import acting_as
from ..authorities.models import Authority
from ..authorities.rules import Rules, require
from ..reports import models as m
from ..reports.content import EditionFrozen  # noqa: F401  (one exception for every refusal of a frozen edition)
from ..reports.figures import fmt
from .models import Part, Presence, Revision
from .registry import KIND_OF_MODEL, SECTION_OF_MODEL, Kind, kind_of
from .signals import revision_recorded


class StaleEdit(Exception):
    """The item changed since the form was loaded; ``revisions`` are the changes made meanwhile."""

    def __init__(self, revisions: list[Revision]):
        self.revisions = revisions
        super().__init__("stale edit")


class _NoChange(Exception):
    """A save that changes nothing: rolled back, no revision, no version, the approval stands."""


def _acting(service):
    """Run a write service as its user (``user`` is the first argument): model signals attribute the change."""

    @wraps(service)
    def run(user, *args, **kwargs):
        with acting_as(user):
            return service(user, *args, **kwargs)

    return run


def edition_of(item):
    kind = kind_of(item)
    obj = item
    for attr in kind.edition_path.split("__"):
        obj = getattr(obj, attr)
    return obj


def check_editable(edition) -> None:
    """A hook for the workflow: a submitted edition refuses every change."""
    if getattr(edition, "is_frozen", False):
        raise EditionFrozen()


# ---- item state for history and diffs ------------------------------------------------------------------------

def _value(value):
    if isinstance(value, Decimal):
        return fmt(value)
    return value


def item_state(item) -> dict:
    kind = kind_of(item)
    state = {}
    for f in kind.fields:
        if f.kind == "authorities":  # the co-authors named; partner bodies are the "bodies" field
            state[f.name] = [link.authority.slug for link in item.authority_links.select_related("authority")
                             if link.authority_id]
        elif f.kind == "bodies":
            state[f.name] = "\n".join(link.name for link in item.authority_links.all() if not link.authority_id)
        elif f.name == "bar_start":
            state[f.name] = item.bars[0]["start"] if item.bars else ""
        elif f.name == "bar_end":
            state[f.name] = item.bars[0]["end"] if item.bars else ""
        elif f.kind == "milestones":
            state[f.name] = "\n".join(f"{x['month']} {x['label']}" for x in item.milestones)
        else:
            state[f.name] = _value(getattr(item, f.name))
    if kind.year_grid:
        for year in getattr(item, kind.year_grid.related_name).all():
            for f in kind.year_grid.fields:
                state[f"{year.fiscal_year}:{f.name}"] = _value(getattr(year, f.name))
    return state


# ---- parts ---------------------------------------------------------------------------------------------------

def part_of(item, user=None) -> Part:
    kind = kind_of(item)
    part, _ = Part.objects.get_or_create(
        edition=edition_of(item), section=kind.section_of(item), authority=kind.owner_of(item)
    )
    return part


def ensure_parts(edition) -> int:
    """Create the Part of every (section, owner) that has items. Returns how many were created."""
    from ..reports.permissions import EDITION_PATHS

    wanted = set()
    for model, path in EDITION_PATHS.items():
        items = model.objects.filter(**{path: edition})
        if model is m.ActualFigure:
            wanted |= {("targets", a) for a in items.values_list("authority_id", flat=True).distinct()}
        elif model in (m.Passage, m.SurveyFinding):
            kind = KIND_OF_MODEL[model]
            wanted |= {(kind.section_of(model(slot=slot)), owner)
                       for slot, owner in items.values_list("slot", "owner_id").distinct()}
        else:
            section = SECTION_OF_MODEL[model]
            wanted |= {(section, owner) for owner in items.values_list("owner_id", flat=True).distinct()}
    existing = set(Part.objects.filter(edition=edition).values_list("section", "authority_id"))
    missing = [Part(edition=edition, section=s, authority_id=a) for s, a in wanted - existing]
    Part.objects.bulk_create(missing)
    return len(missing)


def _record(user, item, part: Part, action: str, before: dict, after: dict, label: str | None = None) -> Revision:
    # Locked and read afresh: concurrent saves of different items of one part queue up here, so each counts its own
    # step of the part's version (and sees the part's current state) instead of overwriting another's.
    part = Part.objects.select_for_update().get(pk=part.pk)
    part.last_editor = user
    part.version += 1
    part.save(update_fields=["last_editor", "version", "updated_at"])
    revision = Revision.objects.create(
        part=part, item_type=ContentType.objects.get_for_model(type(item)), item_id=item.pk,
        item_label=(label or kind_of(item).label_of(item))[:500], item_version=item.version, action=action,
        before=before, after=after, user=user,
    )
    revision_recorded.send(sender=Revision, part=part, user=user, revision=revision)  # the workflow: audit log,
    # approval and sign-offs voided
    return revision


def changes_since(item, version: int) -> list[Revision]:
    return list(Revision.objects.filter(
        item_type=ContentType.objects.get_for_model(type(item)), item_id=item.pk, item_version__gt=version
    ).select_related("user").order_by("item_version"))


# ---- writes --------------------------------------------------------------------------------------------------

def _apply(kind: Kind, item, data: dict) -> None:
    for f in kind.fields:
        if f.name not in data or f.kind in ("authorities", "bodies"):
            continue
        if f.name in ("bar_start", "bar_end", "milestones"):
            continue
        value = data[f.name]
        if value is None and f.kind in ("line", "rich"):
            value = ""
        setattr(item, f.name, value)
    if "bar_start" in data:
        start, end = data.get("bar_start"), data.get("bar_end")
        item.bars = [{"start": start, "end": end}] if start and end else []
    if "milestones" in data:
        item.milestones = data["milestones"]


def _apply_after_save(kind: Kind, item, data: dict, edition) -> None:
    if "authorities" in data and kind.model is m.LocalMeasureRow:
        # the co-authors picked, then the partner bodies typed (by name), in that order
        slugs = data["authorities"]
        partners = data.get("partner_bodies")
        if partners is None:  # not in this save: keep the row's partner bodies
            partners = [link.name for link in item.authority_links.all() if not link.authority_id]
        by_slug = {a.slug: a for a in Authority.objects.filter(slug__in=slugs)}
        item.authority_links.all().delete()
        links = [m.LocalMeasureAuthority(row=item, authority=by_slug[s]) for s in slugs]
        links += [m.LocalMeasureAuthority(row=item, name=name) for name in partners]
        for order, link in enumerate(links):
            link.order = order
            link.full_clean(exclude=["row", "authority"], validate_unique=False, validate_constraints=False)
        m.LocalMeasureAuthority.objects.bulk_create(links)
    if kind.year_grid:
        grid = kind.year_grid
        related = getattr(item, grid.related_name)
        for fy in edition.plan_years:
            # "" = the cell is blank; None = "-" (nothing); a year whose cells are all blank has no row.
            values = {f.name: data.get(f"y{fy}_{f.name}", "") for f in grid.fields}
            if not grid.rows_follow_cells:
                related.filter(fiscal_year=fy).update(**{k: (None if v == "" else v) for k, v in values.items()})
                continue
            if all(v == "" for v in values.values()):
                related.filter(fiscal_year=fy).delete()
                continue
            related.update_or_create(fiscal_year=fy, defaults={k: (None if v == "" else v) for k, v in values.items()})


@_acting
@transaction.atomic
def update_item(user, item, data: dict, expected_version: int):
    """Save ``data`` over ``item``. A save that changes nothing is no revision (the item and its part keep their
    versions and any approval)."""
    kind = kind_of(item)
    edition = edition_of(item)
    check_editable(edition)
    require(Rules(user).edit_item(kind.permission_object(item), edition))
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if locked.version != expected_version:
        raise StaleEdit(changes_since(locked, expected_version))
    before = item_state(locked)
    try:
        with transaction.atomic():
            _apply(kind, locked, data)
            locked.version += 1
            locked.save()
            _apply_after_save(kind, locked, data, edition)
            after = item_state(locked)
            if after == before:
                raise _NoChange
            if kind.parent_attr:
                parent = kind.permission_object(locked)
                type(parent).objects.filter(pk=parent.pk).update(version=F("version") + 1)
            _record(user, locked, part_of(locked), Revision.Action.UPDATE, before, after)
    except _NoChange:
        return type(item).objects.get(pk=item.pk)
    return locked


CONTAINER_DEFAULTS = {
    "passage": lambda edition, key: {"edition": edition, "slot": key},
    "survey-finding": lambda edition, key: {"edition": edition, "slot": key},
    "regulatory-project": lambda edition, key: {"edition": edition, "kind": key},
    "proposal": lambda edition, key: {"edition": edition},
    "special-measure": lambda edition, key: {"edition": edition},
    "measure-row": lambda edition, key: {"edition": edition, "kind": key},
    "fiscal-row": lambda edition, key: {"edition": edition},
    "count-row": lambda edition, key: {"edition": edition, "kind": key},
    "local-row": lambda edition, key: {"edition": edition, "table": key},
    "schedule-project": lambda edition, key: {"edition": edition, "number": _next_number(edition)},
}
PARENT_CONTAINERS = {  # kind → (parent model, lookup to the edition, attribute on the new item)
    "initiative": (m.Solution, "edition", "solution"),
    "support-project": (m.SupportGroup, "section__edition", "group"),
    "schedule-item": (m.ScheduleProject, "edition", "project"),
}


def _next_number(edition) -> int:
    return (m.ScheduleProject.objects.filter(edition=edition).aggregate(n=Max("number"))["n"] or 0) + 1


@_acting
@transaction.atomic
def create_item(user, kind: Kind, edition, container: str, owner: Authority | None, data: dict, parent_id=None):
    check_editable(edition)
    rules = Rules(user)
    values = {}
    if kind.key in PARENT_CONTAINERS:
        parent_model, path, attr = PARENT_CONTAINERS[kind.key]
        parent = parent_model.objects.filter(pk=parent_id, **{path: edition}).first()
        if parent is None:
            raise PermissionDenied("追加先が見つかりません。")
        values[attr] = parent
        if kind.parent_attr:
            require(rules.edit_item(parent, edition))
    else:
        if container not in kind.containers:
            raise PermissionDenied("追加先が正しくありません。")
        values.update(CONTAINER_DEFAULTS[kind.key](edition, container))
    if not kind.parent_attr:
        require(rules.create_item(edition, owner.pk if owner else None))
        values["owner"] = owner
    order_field = {"initiative": "solution", "support-project": "group", "schedule-item": "project"}.get(kind.key)
    scope = {order_field: values[order_field]} if order_field else {"edition": edition}
    values["order"] = (kind.model.objects.filter(**scope).aggregate(n=Max("order"))["n"] or 0) + 1
    item = kind.model(**values)
    _apply(kind, item, data)
    item.save()
    _apply_after_save(kind, item, data, edition)
    _record(user, item, part_of(item), Revision.Action.CREATE, {}, item_state(item))
    return item


@_acting
@transaction.atomic
def delete_item(user, item, expected_version: int) -> None:
    kind = kind_of(item)
    edition = edition_of(item)
    check_editable(edition)
    rules = Rules(user)
    require(rules.edit_item(kind.permission_object(item), edition) if kind.parent_attr
            else rules.delete_item(item, edition))
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if locked.version != expected_version:
        raise StaleEdit(changes_since(locked, expected_version))
    part, before = part_of(locked), item_state(locked)
    _record(user, locked, part, Revision.Action.DELETE, before, {})
    locked.delete()


# ---- the year table of a numerical target --------------------------------------------------------------------

@_acting
@transaction.atomic
def save_year_table(user, target: m.NumericalTarget, targets: dict, actuals: dict, authority: Authority | None,
                    expected_version: int) -> m.NumericalTarget:
    """``targets``: {fy: Decimal|None} (only if the user may change the target); ``actuals``: {fy: Decimal|None} of
    ``authority``, which must be one the user edits for. The target's version guards both. The target values belong
    to the target owner's part, the actual figures to their authority's part: each changed part gets its revision
    (and loses its approval); a save that changes nothing is no revision."""
    edition = target.indicator.edition
    check_editable(edition)
    rules = Rules(user)
    locked = m.NumericalTarget.objects.select_for_update().get(pk=target.pk)
    if locked.version != expected_version:
        raise StaleEdit(changes_since(locked, expected_version))
    if targets:
        require(rules.edit_item(locked, edition))
    if actuals:
        require(rules.enter_actual(locked, authority.pk if authority else None, edition))
    before = year_table_state(locked)
    try:
        with transaction.atomic():
            for fy, value in targets.items():
                m.TargetYear.objects.update_or_create(target=locked, fiscal_year=fy, defaults={"target_value": value})
            for fy, value in actuals.items():
                _save_actual(rules, locked, fy, authority, value, edition)
            after = year_table_state(locked)
            if _column(after, "") == _column(before, ""):  # every filled cell as it was
                raise _NoChange
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
            changed_owners = []
            if _column(before, "目標値") != _column(after, "目標値"):
                changed_owners.append(locked.owner)
            actual = f"実績値({authority.name})" if authority else None
            if actual and authority not in changed_owners and _column(before, actual) != _column(after, actual):
                changed_owners.append(authority)
            for owner in changed_owners:
                part, _ = Part.objects.get_or_create(edition=edition, section="targets", authority=owner)
                _record(user, locked, part, Revision.Action.UPDATE, before, after)
    except _NoChange:
        return m.NumericalTarget.objects.get(pk=target.pk)
    return locked


def _column(state: dict, label: str) -> dict:
    """The cells of one column of a year table state (``目標値``, or ``実績値(<authority>)``)."""
    return {k: v for k, v in state.items() if k.endswith(f":{label}" if label else "") and v is not None}


def _save_actual(rules, target, fy, authority, value, edition) -> None:
    year, _ = m.TargetYear.objects.get_or_create(target=target, fiscal_year=fy)
    existing = m.ActualFigure.objects.filter(target_year=year, authority=authority).first()
    if value is None:
        if existing:
            require(rules.delete_item(existing, edition))
            existing.delete()
    elif existing:
        if existing.value != value:
            require(rules.edit_item(existing, edition))
            existing.value, existing.version = value, existing.version + 1
            existing.save()
    else:
        m.ActualFigure.objects.create(target_year=year, authority=authority, value=value, order=99)


def year_table_state(target: m.NumericalTarget) -> dict:
    state = {}
    for year in target.years.prefetch_related("actuals__authority"):
        state[f"{year.fiscal_year}:目標値"] = _value(year.target_value)
        for actual in year.actuals.all():
            state[f"{year.fiscal_year}:実績値({actual.authority.name})"] = _value(actual.value)
    return state


# ---- presence ------------------------------------------------------------------------------------------------

def mark_present(user, part: Part) -> list:
    """Record that ``user`` has ``part`` open; return the other users seen on it in the last 30 seconds."""
    now = timezone.now()
    Presence.objects.update_or_create(part=part, user=user, defaults={"seen_at": now})
    recent = now - timezone.timedelta(seconds=30)
    return [p.user for p in Presence.objects.filter(part=part, seen_at__gte=recent).exclude(user=user)
            .select_related("user")]
