"""The audit log for people: actions in Japanese, before/after as readable changes (states by their labels,
item fields and year cells as in the part history), never a dict or a tag. Reads only."""
from __future__ import annotations

import html

from django.utils.safestring import mark_safe

from ..authorities.models import Authority, Membership
from ..drafting.diffs import EMPTY, state_changes
from ..drafting.models import Part
from .actions import action_label

STATES = dict(Part.State.choices)
ROLES = dict(Membership.Role.choices)

# The keys the workflow writes into before/after (services.py, signals.py) and how to read them.
WORKFLOW_KEYS: dict[str, str] = {
    "state": "状態", "version": "版", "voided": "無効にした署名", "content_hash": "取りまとめ版（内容ハッシュ）",
    "authority_id": "作成主体", "user": "ユーザー", "role": "役割", "authority": "自治体",
}


def _workflow_value(key: str, value, authorities: dict) -> str:
    if value is None or value == "":
        return "（なし）" if key == "authority" else EMPTY
    if key == "state":
        return str(STATES.get(value, value))
    if key == "role":
        return str(ROLES.get(value, value))
    if key == "voided":
        return f"{value}件"
    if key == "content_hash":
        return str(value)[:12]
    if key == "authority_id":
        return authorities.get(("pk", value), str(value))
    if key == "authority":
        return authorities.get(("slug", value), str(value))
    return str(value)


def workflow_changes(before: dict, after: dict, authorities: dict) -> list[dict]:
    changes = []
    for key in dict.fromkeys(list(before or {}) + list(after or {})):
        has_old, has_new = key in (before or {}), key in (after or {})
        old = _workflow_value(key, before.get(key), authorities) if has_old else ""
        new = _workflow_value(key, after.get(key), authorities) if has_new else ""
        if has_old and has_new and old == new:
            continue
        if has_old and has_new:
            diff = f"<del>{_esc(old)}</del> → <ins>{_esc(new)}</ins>"
        elif has_new:
            diff = _esc(new)
        else:
            diff = f"<del>{_esc(old)}</del>"
        changes.append({"field": WORKFLOW_KEYS.get(key, key), "old": old, "new": new, "diff": mark_safe(diff)})
    return changes


def _esc(text: str) -> str:
    return html.escape(text)


def _authorities() -> dict:
    names = {}
    for pk, slug, name in Authority.objects.values_list("pk", "slug", "name"):
        names[("pk", pk)], names[("slug", slug)] = name, name
    return names


def describe(entries) -> list[dict]:
    """[{entry, at, actor, action (Japanese), subject, part, changes, comment}] for the audit templates."""
    authorities = None
    rows = []
    for e in entries:
        if e.action.startswith("edit_"):
            changes = state_changes(e.before, e.after)
        else:
            authorities = authorities if authorities is not None else _authorities()
            changes = workflow_changes(e.before, e.after, authorities)
        rows.append({"entry": e, "at": e.created_at, "actor": e.actor, "action": action_label(e.action),
                     "code": e.action, "subject": e.subject, "part": e.part,
                     "part_name": str(e.part) if e.part_id else "", "changes": changes,
                     "comment": e.comment})
    return rows
