"""Readable differences between the before and after states of a revision (history, stale-save conflicts, the
audit log): rich text as paragraphs and list items (never tags), figures as they are typed (1,200), yes/no, names
instead of codes, and the per-year cells of a table (``2019:national``) as a small table of the years changed."""
from __future__ import annotations

import difflib
import html
from html.parser import HTMLParser

from django.utils.safestring import mark_safe

from ..reports.era import fiscal_year_label
from ..reports.input import display_amount
from .registry import KINDS, Field

EMPTY = "（空欄）"
NOTHING = "-"

# Every field of every kind by name (a revision of a known kind uses its own kind's fields first).
FIELDS: dict[str, Field] = {f.name: f for kind in KINDS.values() for f in kind.fields}
GRID_FIELDS: dict[str, Field] = {f.name: f for kind in KINDS.values() if kind.year_grid
                                 for f in kind.year_grid.fields}
LABELS = {name: f.label for name, f in {**FIELDS, **GRID_FIELDS}.items()}  # kept for callers of the old name


# ---- rich text as plain paragraphs ----------------------------------------------------------------------------

class _Reader(HTMLParser):
    BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [tag, items so far]

    def _break(self):
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._break()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break()
            prefix = "・"
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0] == "ol":
                    prefix = f"{self.lists[-1][1]}. "
            self.out.append("　" * max(len(self.lists) - 1, 0) + prefix)
        elif tag == "br":
            self.out.append("\n")
        elif tag in self.BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break()
        elif tag in self.BLOCKS:
            self._break()
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_data(self, data):
        self.out.append(data)


def readable_text(value: str) -> str:
    """Stored rich text as the reader sees it: one line per paragraph, list items as 「・」 (or 1. 2. …), line
    breaks kept, no tag. Text without markup comes back as it is."""
    value = value or ""
    if "<" not in value and "&" not in value:
        return value.strip()
    reader = _Reader()
    reader.feed(value)
    reader.close()
    lines = [line.strip() for line in "".join(reader.out).split("\n")]
    return "\n".join(line for line in lines if line)


# ---- values ---------------------------------------------------------------------------------------------------

def _authority_names() -> dict:
    from ..authorities.models import Authority

    return dict(Authority.objects.values_list("slug", "name"))


def value_text(value, field: Field | None = None, names: dict | None = None) -> str:
    """One stored value as text for people."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool) or (field is not None and field.kind == "bool"):
        return "有" if value else "無"
    if field is not None and field.kind == "authorities" and isinstance(value, list):
        names = names if names is not None else _authority_names()
        return "、".join(names.get(v, str(v)) for v in value) or EMPTY
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "、".join(f"{k}：{v}" for k, v in value.items()) or EMPTY
    if field is not None and field.kind == "choice":
        return str(dict(field.choices).get(value, value)) or EMPTY
    if field is not None and field.kind in ("amount", "count"):
        shown = display_amount(value)
        return f"{shown}{field.unit}" if shown and field.unit else shown or EMPTY
    text = readable_text(str(value))
    return text or EMPTY


REWRITTEN = 0.4  # below this similarity a text reads better as the old text struck through, then the new one


def _shortened(text: str, context: int | None, first: bool, last: bool) -> str:
    """An unchanged stretch of text, its middle left out (「…」) when it is longer than twice ``context``."""
    if context is None or len(text) <= 2 * context + 1:
        return text
    head = "" if first else text[:context]
    tail = "" if last else text[-context:]
    return f"{head}…{tail}"


def inline_diff(old: str, new: str, context: int | None = None) -> str:
    """Character-level diff of two texts as HTML with <del> and <ins>; a text rewritten (little in common) as the
    whole old text deleted, then the whole new text inserted. With ``context``, unchanged stretches keep only that
    many characters on each side of a change (a long text with a small edit stays readable)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if old and new and matcher.ratio() < REWRITTEN:
        return f"<del>{html.escape(old)}</del>\n<ins>{html.escape(new)}</ins>"
    out = []
    opcodes = matcher.get_opcodes()
    for n, (op, a1, a2, b1, b2) in enumerate(opcodes):
        if op == "equal":
            out.append(html.escape(_shortened(old[a1:a2], context, n == 0, n == len(opcodes) - 1)))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(old[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(new[b1:b2])}</ins>")
    return "".join(out)


def _year_label(year: str) -> str:
    try:
        return fiscal_year_label(int(year))
    except ValueError:
        return year


def _table_change(keys: list[str], before: dict, after: dict, grid: dict[str, Field]) -> dict | None:
    """The year cells (``2019:national``) that changed, as a table: a row per year with a change, a column per
    value; each cell old → new (or the unchanged value)."""
    columns = list(dict.fromkeys(k.split(":", 1)[1] for k in keys))
    columns.sort(key=lambda c: list(grid).index(c) if c in grid else len(grid))
    years = sorted({k.split(":", 1)[0] for k in keys})
    rows = []
    for year in years:
        cells, changed = [], False
        for column in columns:
            key = f"{year}:{column}"
            missing_old, missing_new = key not in before, key not in after
            old = "" if missing_old else display_amount(before[key]) if before[key] is not None else NOTHING
            new = "" if missing_new else display_amount(after[key]) if after[key] is not None else NOTHING
            cells.append({"old": old, "new": new, "changed": old != new})
            changed = changed or old != new
        if changed:
            rows.append({"year": _year_label(year), "cells": cells})
    if not rows:
        return None
    heads = []
    for column in columns:
        f = grid.get(column)
        heads.append(f"{f.label}（{f.unit}）" if f is not None and f.unit else (f.label if f is not None else column))
    return {"field": "年度別の値", "table": {"heads": heads, "rows": rows}}


def state_changes(before: dict, after: dict, kind=None) -> list[dict]:
    """The changes between two item states (``services.item_state``/``year_table_state``), readable."""
    before, after = before or {}, after or {}
    fields = {**FIELDS, **({f.name: f for f in kind.fields} if kind else {})}
    grid = GRID_FIELDS if kind is None or kind.year_grid is None else {f.name: f for f in kind.year_grid.fields}
    keys = list(dict.fromkeys(list(before) + list(after)))
    names = _authority_names() if any(fields.get(k) and fields[k].kind == "authorities" for k in keys) else {}
    changes, cells = [], []
    for key in keys:
        if ":" in key:
            cells.append(key)
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        field = fields.get(key)
        old_text, new_text = value_text(old, field, names), value_text(new, field, names)
        if old_text == new_text:
            continue
        changes.append({"field": field.label if field else key, "old": old_text, "new": new_text,
                        "diff": mark_safe(inline_diff(old_text, new_text))})
    if cells:
        table = _table_change(cells, before, after, grid)
        if table:
            changes.append(table)
    return changes


def _kind_of_revision(revision):
    from .registry import KIND_OF_MODEL

    model = revision.item_type.model_class() if revision.item_type_id else None
    return KIND_OF_MODEL.get(model)


def revision_diff(revision) -> dict:
    return {"revision": revision, "user": revision.user, "at": revision.created_at,
            "action": revision.get_action_display(), "label": revision.item_label,
            "changes": state_changes(revision.before, revision.after, _kind_of_revision(revision))}
