from decimal import Decimal

from ...reports.anchors import target_anchor
from ...reports.figures import dec, fmt
from . import messages
from .finding import ERROR, WARNING, Finding


def contributions_add_up(snapshot: dict) -> list[Finding]:
    """An indicator with several targets gives each a 寄与度, adding to 100 %. Equal shares rounded to integers are
    accepted (33 % × 3 = 99 %: a third each)."""
    findings = []
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        targets = indicator["targets"]
        path = f"$.parts.part3.indicators[{i_index}]"
        anchor, owner = target_anchor(targets[0]["code"]), targets[0]["owner"]
        contributions = [dec(t.get("contribution")) for t in targets]
        if len(targets) == 1:
            if contributions[0] not in (None, Decimal(100)):
                findings.append(Finding("contributions_add_up", WARNING, messages.CONTRIBUTION_SUM.format(
                    number=indicator["number"], total=fmt(contributions[0])), "part3", path, anchor, owner))
            continue
        if any(c is None for c in contributions):
            findings.append(Finding("contributions_add_up", ERROR, messages.CONTRIBUTION_MISSING.format(
                number=indicator["number"]), "part3", path, anchor, owner))
            continue
        total = sum(contributions)
        equal_shares = len(set(contributions)) == 1 and abs(total - 100) < len(contributions)
        if total != 100 and not equal_shares:
            findings.append(Finding("contributions_add_up", ERROR, messages.CONTRIBUTION_SUM.format(
                number=indicator["number"], total=fmt(total)), "part3", path, anchor, owner))
    return findings
