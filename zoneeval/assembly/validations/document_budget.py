"""The edition fits the document budget (zoneeval/limits.py DOCUMENT_TEXT_BUDGET): the characters of all its text,
counted before anything is rendered. Over budget is an error, and the render stage then refuses to render (a
1 MB paste would otherwise become a PDF of hundreds of pages and minutes of layout)."""
from ...limits import DOCUMENT_TEXT_BUDGET
from ...reports.anchors import PART_ANCHORS, part_anchor
from . import messages
from .finding import ERROR, Finding

RULE = "document_within_budget"


def _path(parts) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _strings(snapshot: dict):
    """(path, length, owner) of every string under ``parts``, without recursion."""
    todo = [(snapshot["parts"], ("parts",), "")]
    while todo:
        node, path, owner = todo.pop()
        if isinstance(node, dict):
            owner = node.get("owner", owner) if isinstance(node.get("owner"), str) else owner
            todo.extend((value, path + (key,), owner) for key, value in node.items())
        elif isinstance(node, list):
            todo.extend((value, path + (index,), owner) for index, value in enumerate(node))
        elif isinstance(node, str):
            yield path, len(node), owner


def document_within_budget(snapshot: dict) -> list[Finding]:
    total, largest = 0, (0, ("parts",), "")
    for path, length, owner in _strings(snapshot):
        total += length
        if length > largest[0]:
            largest = (length, path, owner)
    if total <= DOCUMENT_TEXT_BUDGET:
        return []
    length, path, owner = largest
    part = path[1] if len(path) > 1 and path[1] in PART_ANCHORS else "part2"
    return [Finding(RULE, ERROR, messages.DOCUMENT_OVER_BUDGET.format(
        total=f"{total:,}", budget=f"{DOCUMENT_TEXT_BUDGET:,}", where=_path(path), length=f"{length:,}"),
        part, _path(path), part_anchor(part), owner or snapshot["edition"]["coordinator"])]


def over_budget(findings: list[dict]) -> dict | None:
    """The budget finding among a run's stored findings, when it is an error."""
    return next((f for f in findings if f.get("rule") == RULE and f.get("severity") == ERROR), None)
