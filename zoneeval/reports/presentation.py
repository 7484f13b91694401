"""Turns a snapshot into what the document templates print (labels, year columns, lookups).

The web preview and (later) the PDF use the same templates and this same context; nothing here computes a figure:
figures come from ``snapshot['derived']`` (see figures.py)."""
from . import charts, era, gantt
from .anchors import target_anchor
from .input import display_amount
from .target_kinds import CUMULATIVE_KINDS, LEVEL


def level_goal_segments(target: dict) -> list[str]:
    """A level target's goal as the official form prints it, in pieces that are never broken inside (a value, a
    year): 「基準値 7%」「（平成22年度）」「→ 目標 17%」「（平成28年度）」 — never a 累計. A part not given is left out."""
    baseline, goal = target.get("baseline"), target.get("plan_goal")
    segments = []
    if baseline:
        segments += [f"基準値 {display_amount(baseline['value'])}{target.get('unit', '')}",
                     f"（{era.fiscal_year_label(baseline['fiscal_year'])}）"]
    if goal:
        segments.append(f"{'→ ' if segments else ''}目標 {display_amount(goal['value'])}{goal['unit']}")
        if goal.get("fiscal_year"):
            segments.append(f"（{era.fiscal_year_label(goal['fiscal_year'])}）")
    return segments


def level_goal_label(target: dict) -> str:
    """「基準値 7%（平成22年度） → 目標 17%（平成28年度）」 on one line."""
    return "".join(f" {s}" if s.startswith("→") else s for s in level_goal_segments(target))


def goal_labels(target: dict, figures: dict, plan_year_count: int, plan_range_label: str) -> dict:
    """The goal line of a target in 本文3① (``part3``, a string) and in its 別紙1 sheet (``annex1``, pieces never
    broken inside); empty when it has none.
    A cumulative (flow) goal is 「5年間（平成29～令和3年度）累計：475億円」 / 「475億円（累計）」 (in the table's unit
    when it converts); a level goal names its baseline and goal with their years; a qualitative goal as before."""
    goal = target.get("plan_goal")
    if target.get("kind") == LEVEL:
        return {"part3": level_goal_label(target), "annex1": level_goal_segments(target)}
    if not goal:
        return {"part3": "", "annex1": []}
    stated = f"{display_amount(goal['value'])}{goal['unit']}"
    in_unit = figures.get("plan_goal_in_unit")
    sheet = stated if in_unit is None else f"{display_amount(in_unit)}{figures.get('unit', '')}"
    cumulative = target.get("kind", "flow") in CUMULATIVE_KINDS
    return {"part3": f"{plan_year_count}年間（{plan_range_label}）累計：{stated}",
            "annex1": [f"{sheet}（累計）" if cumulative else sheet]}


def body_names(bodies: list, authorities: dict) -> list[str]:
    """The names printed in a 別紙4 row's 自治体名: a co-author's name, or the partner body's own name."""
    return [authorities.get(body, body) if isinstance(body, str) else body["name"] for body in bodies]

# 別紙1's year columns print the full label (令和元年度) on one line when the plan has at most this many years: six
# columns of 6em beside the row labels still leave the two text columns of a portrait page about 8 characters each.
# A longer plan prints the short form (R1, H30), which always fits.
FULL_YEAR_LABELS_UP_TO = 6


# The text alternative of a 別紙1 chart points at the sheet's own year table (the same numbers).
SHEET_TABLE_NOTE = "各年度の目標値・実績値・進捗度の数値はこのシートの表のとおり"


def document_context(snapshot: dict) -> dict:
    edition = snapshot["edition"]
    first = edition["plan_period"]["first_fiscal_year"]
    last = edition["plan_period"]["last_fiscal_year"]
    kind = snapshot["zone"]["kind"]
    zone_kind_label = "国際戦略" if kind == "international" else "地域活性化"
    authorities = {a["slug"]: a["name"] for a in snapshot["authorities"]}
    derived = snapshot["derived"]
    plan_year_count, plan_range_label = last - first + 1, era.fiscal_year_range_label(first, last)
    targets = [
        {"indicator": indicator, "target": target, "figures": derived["targets"][target["code"]],
         "anchor": target_anchor(target["code"]), "goal": goal_labels(target, derived["targets"][target["code"]], plan_year_count, plan_range_label),
         "chart": charts.target_chart(target, derived["targets"][target["code"]], first, last, edition["fiscal_year"],
                                      table_note=SHEET_TABLE_NOTE)}
        for indicator in snapshot["parts"]["part3"]["indicators"]
        for target in indicator["targets"]
    ]
    annex4 = snapshot["parts"]["annex4"]
    local_rows = {
        table: [row | {"body_names": body_names(row["authorities"], authorities)} for row in annex4[table]]
        for table in ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")
    }
    return {
        "doc": snapshot,
        "parts": snapshot["parts"],
        "derived": derived,
        "authorities": authorities,
        "coauthor_names": "、".join(a["name"] for a in snapshot["authorities"]),
        "fiscal_year": edition["fiscal_year"],
        "fiscal_year_label": era.fiscal_year_label(edition["fiscal_year"]),
        "plan_years": list(range(first, last + 1)),
        "plan_range_label": plan_range_label,
        "plan_year_count": plan_year_count,
        "goals": {sheet["target"]["code"]: sheet["goal"] for sheet in targets},
        "local_rows": local_rows,
        "target_year_heads": [
            era.fiscal_year_label(fy) if last - first + 1 <= FULL_YEAR_LABELS_UP_TO else era.fiscal_year_short_plain(fy)
            for fy in range(first, last + 1)
        ],
        "zone_kind_label": zone_kind_label,
        "previous_score_label": previous_score_label(snapshot["parts"]["part2"]["previous_evaluation"]["score"]),
        "document_title": f"{era.fiscal_year_label(edition['fiscal_year'])} {zone_kind_label}総合特別区域評価書",
        "target_sheets": targets,
        # the PDF prints the 別紙1 charts only when the edition asks for it; the web preview always shows them
        "annex1_charts": bool(edition.get("annex1_charts", False)),
        "schedule": gantt.schedule(snapshot),
        "fiscal_rows": list(zip(snapshot["parts"]["annex3"]["fiscal"], derived["annex3"]["fiscal"])),
        "tax_rows": list(zip(snapshot["parts"]["annex3"]["tax"], derived["annex3"]["tax"])),
        "financial_rows": list(zip(snapshot["parts"]["annex3"]["financial"], derived["annex3"]["financial"])),
    }


def national_score_label(value) -> str:
    """A score of the national evaluation as the Cabinet Office prints it, one decimal (3.9, 4.0); '' for none."""
    return "" if value is None else format(value, ".1f")


def previous_score_label(score: str | None) -> str:
    """Section 2④'s score as the document prints it (3.9, 4.0: one decimal, as published); '' for none."""
    from decimal import Decimal

    return "" if score is None else national_score_label(Decimal(score))
