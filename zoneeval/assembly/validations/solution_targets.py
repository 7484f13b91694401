from ...reports.anchors import part_anchor
from . import messages
from .finding import ERROR, WARNING, Finding


def solutions_name_existing_targets(snapshot: dict) -> list[Finding]:
    """Each solution (解決策) contributes to numerical targets that exist in part 3."""
    codes = {t["code"] for i in snapshot["parts"]["part3"]["indicators"] for t in i["targets"]}
    findings = []
    for s_index, solution in enumerate(snapshot["parts"]["part3"]["solutions"]):
        path = f"$.parts.part3.solutions[{s_index}].related_targets"
        if not solution["related_targets"]:
            findings.append(Finding("solutions_name_existing_targets", WARNING, messages.SOLUTION_NO_TARGET.format(
                number=solution["number"]), "part3", path, part_anchor("part3"), solution["owner"]))
        for code in solution["related_targets"]:
            if code not in codes:
                findings.append(Finding("solutions_name_existing_targets", ERROR,
                                        messages.SOLUTION_TARGET_MISSING.format(number=solution["number"], code=code),
                                        "part3", path, part_anchor("part3"), solution["owner"]))
    return findings
