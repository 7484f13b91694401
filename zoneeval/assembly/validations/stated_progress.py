from ...reports.anchors import target_anchor
from ...reports.era import fiscal_year_label
from . import messages
from .finding import ERROR, Finding


def stated_progress_agrees(snapshot: dict) -> list[Finding]:
    """A 進捗度 printed by an imported document equals actual ÷ target × 100 rounded half up."""
    findings = []
    derived = snapshot["derived"]["targets"]
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        for t_index, target in enumerate(indicator["targets"]):
            positions = {y["fiscal_year"]: n for n, y in enumerate(target["years"])}
            for year in derived[target["code"]]["years"]:
                y_index = positions[year["fiscal_year"]]
                if year["stated_progress_agrees"] is False:
                    findings.append(Finding(
                        "stated_progress_agrees", ERROR,
                        messages.STATED_PROGRESS.format(code=target["code"], year=fiscal_year_label(year["fiscal_year"]),
                                                        stated=year["stated_progress"], computed=year["progress"]),
                        "annex1", f"$.parts.part3.indicators[{i_index}].targets[{t_index}].years[{y_index}].stated_progress",
                        target_anchor(target["code"]), target["owner"]))
    return findings
