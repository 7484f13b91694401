"""Readable differences between the before and after states of a revision."""
from __future__ import annotations

import difflib
import html

from django.utils.safestring import mark_safe

from ..reports.text import plain_text
from .registry import KINDS

LABELS = {f.name: f.label for kind in KINDS.values() for f in kind.fields}
for _kind in KINDS.values():
    if _kind.year_grid:
        LABELS.update({f.name: f.label for f in _kind.year_grid.fields})


def _label(key: str) -> str:
    if ":" in key:
        from ..reports.era import fiscal_year_label

        year, name = key.split(":", 1)
        return f"{fiscal_year_label(int(year))} {LABELS.get(name, name)}"
    return LABELS.get(key, key)


def _text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return plain_text(str(value)) if "<" in str(value) else str(value)


def inline_diff(old: str, new: str) -> str:
    """Character-level diff of two texts as HTML with <del> and <ins>."""
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(old[a1:a2]))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(old[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(new[b1:b2])}</ins>")
    return "".join(out)


def revision_diff(revision) -> dict:
    keys = list(dict.fromkeys(list(revision.before) + list(revision.after)))
    changes = []
    for key in keys:
        old, new = revision.before.get(key), revision.after.get(key)
        if old == new:
            continue
        old_text, new_text = _text(old), _text(new)
        changes.append({"field": _label(key), "old": old_text, "new": new_text,
                        "diff": mark_safe(inline_diff(old_text, new_text))})
    return {"revision": revision, "user": revision.user, "at": revision.created_at,
            "action": revision.get_action_display(), "label": revision.item_label, "changes": changes}
