from ...reports.anchors import part_anchor, row_anchor, target_anchor
from ...reports.era import fiscal_year_label
from . import messages
from .finding import ERROR, Finding


def _month_index(month: str) -> int:
    year, m = month.split("-")
    return int(year) * 12 + int(m) - 1


def inside_plan_period(snapshot: dict) -> list[Finding]:
    """Years of targets and of 別紙3 lie inside the plan period; schedule bars and milestones inside its months."""
    edition = snapshot["edition"]
    first, last = edition["plan_period"]["first_fiscal_year"], edition["plan_period"]["last_fiscal_year"]
    findings = []

    def year_finding(where, year, part, path, anchor, owner):
        findings.append(Finding("inside_plan_period", ERROR, messages.YEAR_OUTSIDE_PLAN.format(
            where=where, year=fiscal_year_label(year), first=fiscal_year_label(first), last=fiscal_year_label(last)),
            part, path, anchor, owner))

    if not first <= edition["fiscal_year"] <= last:
        year_finding("評価書", edition["fiscal_year"], "title", "$.edition.fiscal_year", part_anchor("title"),
                     edition["coordinator"])
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        for t_index, target in enumerate(indicator["targets"]):
            for y_index, year in enumerate(target["years"]):
                if not first <= year["fiscal_year"] <= last:
                    year_finding(f"数値目標{target['code']}", year["fiscal_year"], "annex1",
                                 f"$.parts.part3.indicators[{i_index}].targets[{t_index}].years[{y_index}]",
                                 target_anchor(target["code"]), target["owner"])
    annex3 = snapshot["parts"]["annex3"]
    for table in ("fiscal", "tax", "financial"):
        for r_index, row in enumerate(annex3[table]):
            for y_index, year in enumerate(row["years"]):
                if not first <= year["fiscal_year"] <= last:
                    year_finding(f"別紙3「{row['name']}」", year["fiscal_year"], "annex3",
                                 f"$.parts.annex3.{table}[{r_index}].years[{y_index}]",
                                 row_anchor(f"annex3-{table}", r_index), row["owner"])
    first_month, last_month = first * 12 + 3, (last + 1) * 12 + 2
    label_first, label_last = f"{first}-04", f"{last + 1}-03"
    for p_index, project in enumerate(snapshot["parts"]["annex1_2"]["projects"]):
        for i_index, item in enumerate(project["items"]):
            path = f"$.parts.annex1_2.projects[{p_index}].items[{i_index}]"
            text = (item["text"] or item["label"])[:30]
            anchor = row_anchor("annex1_2-project", p_index)
            months = [b["start"] for b in item["bars"]] + [b["end"] for b in item["bars"]]
            months += [m["month"] for m in item["milestones"]]
            for month in months:
                if not first_month <= _month_index(month) <= last_month:
                    findings.append(Finding("inside_plan_period", ERROR, messages.MONTH_OUTSIDE_PLAN.format(
                        number=project["number"], text=text, month=month, first=label_first, last=label_last),
                        "annex1_2", path, anchor, project["owner"]))
            for bar in item["bars"]:
                if _month_index(bar["start"]) > _month_index(bar["end"]):
                    findings.append(Finding("inside_plan_period", ERROR, messages.BAR_REVERSED.format(
                        number=project["number"], text=text, start=bar["start"], end=bar["end"]),
                        "annex1_2", path, anchor, project["owner"]))
    return findings
