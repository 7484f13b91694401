"""Ids of places in the document, shared by the templates (preview and PDF) and the validation findings."""
import re

PART_ANCHORS = {
    "title": "report-title", "part1": "part-1", "part2": "part-2", "part3": "part-3", "part4": "part-4", "part5": "part-5",
    "part6": "part-6", "part7": "part-7", "annex1": "annex-1", "annex1_2": "annex-1-2", "annex2": "annex-2",
    "annex3": "annex-3", "annex4": "annex-4",
}


def part_anchor(part: str) -> str:
    return PART_ANCHORS[part]


def target_anchor(code: str) -> str:
    """'(1)-①' → 'target-1-1'; '(2)' → 'target-2'."""
    parts = []
    for token in re.findall(r"[0-9]+|[①-⑳]", code, flags=re.ASCII):
        parts.append(token if token.isascii() else str(ord(token) - ord("①") + 1))
    return "target-" + "-".join(parts)


ROW_PREFIXES = {
    "annex3-fiscal": "annex3-fiscal", "annex3-tax": "tax-support", "annex3-financial": "financial-support",
    "annex1_2-project": "schedule-project",
    **{f"annex4-{t}": f"local-{t}" for t in ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")},
}


def row_anchor(table: str, index: int) -> str:
    """The id of the index-th row (0-based) of a table: ('annex3-tax', 0) → 'tax-support-1'."""
    return f"{ROW_PREFIXES[table]}-{index + 1}"
