from ...reports.anchors import target_anchor
from ...reports.era import fiscal_year_label
from ...reports.text import plain_text
from . import messages
from .finding import ERROR, Finding


def target_years_complete(snapshot: dict) -> list[Finding]:
    """Each numerical target has a 目標値 for every plan year and a 実績値 for every year up to the edition's, and
    its self-evaluation box is written. Qualitative targets need only the evaluation."""
    edition = snapshot["edition"]
    first = edition["plan_period"]["first_fiscal_year"]
    last = edition["plan_period"]["last_fiscal_year"]
    findings = []
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        for t_index, target in enumerate(indicator["targets"]):
            path = f"$.parts.part3.indicators[{i_index}].targets[{t_index}]"
            anchor, code, owner = target_anchor(target["code"]), target["code"], target["owner"]
            if not plain_text(target["boxes"]["self_evaluation"]):
                findings.append(Finding("target_years_complete", ERROR, messages.BOX_EMPTY.format(
                    code=code, label="進捗状況に係る自己評価及び次年度以降の取組の方向性"), "annex1",
                    f"{path}.boxes.self_evaluation", anchor, owner))
            if target["kind"] == "qualitative":
                continue
            years = {y["fiscal_year"]: y for y in target["years"]}
            for fy in range(first, last + 1):
                year = years.get(fy)
                if year is None or year.get("target") is None:
                    findings.append(Finding("target_years_complete", ERROR, messages.TARGET_YEAR_MISSING.format(
                        code=code, year=fiscal_year_label(fy)), "annex1", f"{path}.years", anchor, owner))
                if fy <= edition["fiscal_year"] and (year is None or not year.get("actuals")):
                    findings.append(Finding("target_years_complete", ERROR, messages.ACTUAL_MISSING.format(
                        code=code, year=fiscal_year_label(fy)), "annex1", f"{path}.years", anchor, owner))
    return findings
