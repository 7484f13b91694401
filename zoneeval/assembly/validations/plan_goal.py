from ...reports.anchors import target_anchor
from ...reports.figures import dec, fmt
from ...reports.target_kinds import LEVEL
from . import messages
from .finding import ERROR, Finding


def plan_goal_matches_yearly_targets(snapshot: dict) -> list[Finding]:
    """For a yearly-flow target, the yearly 目標値 add up to the plan's cumulative goal (475億円 = 115+81+87+93+99).
    A level target states its baseline (value, year) and its goal (value, year), which it prints (基準値 → 目標)."""
    findings = []
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        for t_index, target in enumerate(indicator["targets"]):
            if target["kind"] == LEVEL:
                goal, baseline = target.get("plan_goal") or {}, target.get("baseline") or {}
                if goal.get("fiscal_year") is None or baseline.get("fiscal_year") is None:
                    findings.append(Finding(
                        "plan_goal_matches_yearly_targets", ERROR, messages.LEVEL_GOAL_MISSING.format(
                            code=target["code"]), "annex1",
                        f"$.parts.part3.indicators[{i_index}].targets[{t_index}].plan_goal",
                        target_anchor(target["code"]), target["owner"]))
                continue
            figures = snapshot["derived"]["targets"][target["code"]]
            goal, total = dec(figures["plan_goal_in_unit"]), dec(figures["cumulative_target"])
            if target["kind"] != "flow" or goal is None or total is None:
                continue
            if goal != total:
                findings.append(Finding(
                    "plan_goal_matches_yearly_targets", ERROR,
                    messages.PLAN_GOAL_SUM.format(code=target["code"], total=f"{fmt(total)}{target['unit']}",
                                                  goal=f"{fmt(goal)}{target['unit']}"),
                    "annex1", f"$.parts.part3.indicators[{i_index}].targets[{t_index}].plan_goal",
                    target_anchor(target["code"]), target["owner"]))
    return findings
