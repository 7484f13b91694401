from ...reports.anchors import row_anchor
from ...reports.era import fiscal_year_label
from ...reports.figures import dec
from . import messages
from .finding import ERROR, Finding

COLUMNS = {"requested": "財政支援要望", "national": "国予算(a)", "local": "自治体予算(b)"}


def _yen(value) -> str:
    return "-" if value is None else f"{int(dec(value)):,}" if dec(value) == int(dec(value)) else str(value)


def annex3_totals_agree(snapshot: dict) -> list[Finding]:
    """別紙3: each year's 総事業費 is a+b; 累計 columns are the sums of the years (or, when they count earlier years,
    at least those sums); the 累計 総事業費 is the 累計 a + 累計 b; the 累計 件数 are the sums of the years."""
    findings = []
    annex3 = snapshot["parts"]["annex3"]
    derived = snapshot["derived"]["annex3"]

    def add(message, path, anchor, owner):
        findings.append(Finding("annex3_totals_agree", ERROR, message, "annex3", path, anchor, owner))

    for index, (row, figures) in enumerate(zip(annex3["fiscal"], derived["fiscal"])):
        path, anchor, name = f"$.parts.annex3.fiscal[{index}]", row_anchor("annex3-fiscal", index), row["name"]
        stated_years = {y["fiscal_year"]: y for y in row["years"]}
        for y_index, year in enumerate(figures["years"]):
            if year["stated_total_agrees"] is False:
                add(messages.ANNEX3_YEAR_TOTAL.format(
                    name=name, year=fiscal_year_label(year["fiscal_year"]),
                    stated=_yen(stated_years[year["fiscal_year"]].get("stated_total")), computed=_yen(year["total"])),
                    f"{path}.years[{y_index}].stated_total", anchor, row["owner"])
        stated = figures["stated_cumulative"]
        includes_prior = row["cumulative"]["includes_prior_years"]
        for column, label in COLUMNS.items():
            if stated[column] is None:
                continue
            table_sum = dec(figures["table_sum"][column])
            if includes_prior:
                if table_sum is not None and dec(stated[column]) < table_sum:
                    add(messages.ANNEX3_CUMULATIVE_BELOW.format(name=name, column=label, stated=_yen(stated[column]),
                                                                computed=_yen(table_sum)),
                        f"{path}.cumulative.stated_{column}", anchor, row["owner"])
            elif dec(stated[column]) != (table_sum or 0):
                add(messages.ANNEX3_CUMULATIVE.format(name=name, column=label, stated=_yen(stated[column]),
                                                      computed=_yen(table_sum)),
                    f"{path}.cumulative.stated_{column}", anchor, row["owner"])
        computed_total = figures["cumulative"]["total"]
        if stated["total"] is not None and dec(stated["total"]) != dec(computed_total):
            add(messages.ANNEX3_CUMULATIVE_TOTAL.format(name=name, stated=_yen(stated["total"]),
                                                        computed=_yen(computed_total)),
                f"{path}.cumulative.stated_total", anchor, row["owner"])
    for table in ("tax", "financial"):
        for index, (row, figures) in enumerate(zip(annex3[table], derived[table])):
            if figures["stated_cumulative_agrees"] is False:
                add(messages.ANNEX3_COUNT_CUMULATIVE.format(name=row["name"], stated=figures["stated_cumulative"],
                                                            computed=figures["cumulative"]),
                    f"$.parts.annex3.{table}[{index}].stated_cumulative", row_anchor(f"annex3-{table}", index),
                    row["owner"])
    return findings
