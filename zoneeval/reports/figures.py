"""Every derived figure of a report, computed in one place from the stored inputs.

The functions take the interchange snapshot (plain data, amounts as decimal strings; see
docs/interchange-format.md) so that the export, the web preview, the validator and the PDF all read the same
numbers. Nothing here is ever stored as an input.

- 進捗度 (progress) = actual ÷ target × 100, rounded half up (四捨五入) to an integer; it may exceed 100. For every
  kind of target it is the year's actual against the same year's target; a level target (a level, a ratio, a
  per-capita figure) has one zone actual a year (its owner's) and no cumulative figures.
- An indicator's progress combines its targets' progress by their 寄与度, normalised so that 33 % × 3 means a third
  each; a target without a contribution counts equally.
- Cumulative figures are sums over the plan's fiscal years up to the edition's year.
- 別紙3: a+b per year, column sums and 累計, and the counts per year.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .target_kinds import CUMULATIVE_KINDS, ZONE_FIGURE_KINDS
from .units import convert


def dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def fmt(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string without exponent or trailing zeros ("120", "24.5")."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def progress_ratio(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """actual ÷ target × 100, unrounded; None when either is missing or the target is zero."""
    if actual is None or target is None or target == 0:
        return None
    return actual / target * 100


def progress(actual: Decimal | None, target: Decimal | None) -> int | None:
    """進捗度 as printed: an integer percent, rounded half up."""
    ratio = progress_ratio(actual, target)
    return None if ratio is None else round_half_up(ratio)


def year_actual(year: dict, target: dict | None = None) -> Decimal | None:
    """The zone's actual of one year; None when nobody reported one. For a flow (or qualitative) target it is the
    sum of the authorities' figures; a level target (a level, a ratio, a per-capita figure) has one figure for the
    whole zone, its owner's (reports/models/targets.py ``actual_figure_refusal``), never a sum."""
    actuals = year.get("actuals", [])
    if target is not None and target.get("kind") in ZONE_FIGURE_KINDS:
        return next((dec(a["value"]) for a in actuals if a["authority"] == target["owner"]), None)
    values = [dec(a["value"]) for a in actuals]
    return sum(values, Decimal(0)) if values else None


def target_figures(target: dict, fiscal_year: int) -> dict:
    years = []
    cumulative_target = Decimal(0)
    cumulative_actual = Decimal(0)
    for year in sorted(target["years"], key=lambda y: y["fiscal_year"]):
        tv, av = dec(year.get("target")), year_actual(year, target)
        computed = progress(av, tv)
        stated = year.get("stated_progress")
        years.append({
            "fiscal_year": year["fiscal_year"],
            "target": fmt(tv),
            "actual": fmt(av),
            "progress": computed,
            "stated_progress": stated,
            "stated_progress_agrees": None if stated is None else stated == computed,
        })
        if tv is not None:
            cumulative_target += tv
        if av is not None and year["fiscal_year"] <= fiscal_year:
            cumulative_actual += av
    current = next((y for y in years if y["fiscal_year"] == fiscal_year), None)
    goal = target.get("plan_goal")
    goal_in_unit = None
    if goal:
        goal_in_unit = convert(dec(goal["value"]), goal["unit"], target.get("unit", ""))
    is_flow = target.get("kind", "flow") in CUMULATIVE_KINDS
    return {
        "code": target["code"],
        "unit": target.get("unit", ""),
        "years": years,
        "current": current,
        "cumulative_target": fmt(cumulative_target) if is_flow else None,
        "cumulative_actual": fmt(cumulative_actual) if is_flow else None,
        "plan_goal_in_unit": fmt(goal_in_unit),
        "cumulative_progress": progress(cumulative_actual, goal_in_unit) if is_flow else None,
    }


def indicator_progress(indicator: dict, target_results: dict[str, dict]) -> dict:
    """Combine the current year's progress of an indicator's targets by their 寄与度."""
    parts = []
    for target in indicator["targets"]:
        current = target_results[target["code"]]["current"]
        ratio = None
        if current is not None:
            ratio = progress_ratio(dec(current["actual"]), dec(current["target"]))
        weight = dec(target.get("contribution"))
        parts.append((ratio, weight))
    measured = [(r, w) for r, w in parts if r is not None]
    contributions = [w for _, w in parts if w is not None]
    contribution_total = sum(contributions, Decimal(0)) if contributions else None
    value = None
    if measured and len(measured) == len(parts):
        if all(w is not None for _, w in measured) and sum(w for _, w in measured) > 0:
            total_weight = sum(w for _, w in measured)
            value = round_half_up(sum(r * w for r, w in measured) / total_weight)
        else:
            value = round_half_up(sum(r for r, _ in measured) / len(measured))
    return {
        "number": indicator["number"],
        "progress": value,
        "contribution_total": fmt(contribution_total),
        "targets": [t["code"] for t in indicator["targets"]],
    }


def _sum(values) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None and b is None:
        return None
    return (a or Decimal(0)) + (b or Decimal(0))


def fiscal_row_figures(row: dict) -> dict:
    years = []
    for year in sorted(row["years"], key=lambda y: y["fiscal_year"]):
        a, b = dec(year.get("national")), dec(year.get("local"))
        total = _add(a, b)
        stated = dec(year.get("stated_total")) if "stated_total" in year else None
        years.append({
            "fiscal_year": year["fiscal_year"],
            "total": fmt(total),
            "stated_total_agrees": None if "stated_total" not in year else stated == total,
        })
    columns = {
        name: _sum(dec(y.get(name)) for y in row["years"]) for name in ("requested", "national", "local")
    }
    columns["total"] = _sum(_add(dec(y.get("national")), dec(y.get("local"))) for y in row["years"])
    cumulative_info = row.get("cumulative", {})
    includes_prior = cumulative_info.get("includes_prior_years", False)
    if includes_prior:
        cumulative = {name: dec(cumulative_info.get(f"stated_{name}")) for name in ("requested", "national", "local")}
    else:
        cumulative = {name: columns[name] for name in ("requested", "national", "local")}
    cumulative_total = _add(cumulative["national"], cumulative["local"])
    return {
        "name": row["name"],
        "unit": row.get("unit", "千円"),
        "years": years,
        "table_sum": {k: fmt(v) for k, v in columns.items()},
        "cumulative": {k: fmt(v) for k, v in cumulative.items()} | {"total": fmt(cumulative_total)},
        "cumulative_source": "stated" if includes_prior else "computed",
        "stated_cumulative": {
            name: cumulative_info.get(f"stated_{name}") for name in ("requested", "national", "local", "total")
        },
    }


def count_row_figures(row: dict, fiscal_year: int) -> dict:
    counts = [y["count"] for y in row["years"] if y.get("count") is not None]
    cumulative = sum(counts) if counts else 0
    this_year = next((y.get("count") for y in row["years"] if y["fiscal_year"] == fiscal_year), None)
    stated = row.get("stated_cumulative")
    return {
        "name": row["name"],
        "cumulative": cumulative,
        "this_year": this_year,
        "stated_cumulative": stated,
        "stated_cumulative_agrees": None if stated is None else stated == cumulative,
    }


def counts(snapshot: dict) -> dict:
    parts = snapshot["parts"]
    by_authority: dict[str, int] = {a["slug"]: 0 for a in snapshot["authorities"]}
    annex4_tables = ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")
    for table in annex4_tables:
        for row in parts["annex4"][table]:
            for body in row["authorities"]:
                if isinstance(body, str):  # a co-author; partner bodies ({"name": …}) are not counted here
                    by_authority[body] = by_authority.get(body, 0) + 1
    part5 = {}
    for kind in ("fiscal", "tax", "financial"):
        section = parts["part5"][kind]
        listed = sum(len(g["projects"]) for g in section["groups"])
        counting = sum(len(g["projects"]) for g in section["groups"] if g["counts_this_year"])
        part5[kind] = {"stated": section["stated_count"], "listed": listed, "counting_this_year": counting}
    return {
        "indicators": len(parts["part3"]["indicators"]),
        "targets": sum(len(i["targets"]) for i in parts["part3"]["indicators"]),
        "solutions": len(parts["part3"]["solutions"]),
        "initiatives": sum(len(s["initiatives"]) for s in parts["part3"]["solutions"]),
        "schedule_projects": len(parts["annex1_2"]["projects"]),
        "schedule_items": sum(len(p["items"]) for p in parts["annex1_2"]["projects"]),
        "annex4_rows": {t: len(parts["annex4"][t]) for t in annex4_tables},
        "annex4_rows_by_authority": by_authority,
        "part5": part5,
    }


def derive(snapshot: dict) -> dict:
    """The read-only ``derived`` block of an export."""
    fiscal_year = snapshot["edition"]["fiscal_year"]
    indicators = snapshot["parts"]["part3"]["indicators"]
    targets = {
        t["code"]: target_figures(t, fiscal_year) for indicator in indicators for t in indicator["targets"]
    }
    annex3 = snapshot["parts"]["annex3"]
    return {
        "fiscal_year": fiscal_year,
        "targets": targets,
        "indicators": {str(i["number"]): indicator_progress(i, targets) for i in indicators},
        "annex3": {
            "fiscal": [fiscal_row_figures(r) for r in annex3["fiscal"]],
            "tax": [count_row_figures(r, fiscal_year) for r in annex3["tax"]],
            "financial": [count_row_figures(r, fiscal_year) for r in annex3["financial"]],
        },
        "counts": counts(snapshot),
    }
