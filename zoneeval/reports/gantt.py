"""Geometry of the 別紙1-2 schedule drawn as inline SVG: one column per plan month, April of the first plan year to
March of the last. Units are months (×10 in the SVG's view box); the templates draw rectangles and markers."""
from . import era

UNIT = 10  # view-box units per month
ROW_HEIGHT = 24


def _index(month: str, first_fiscal_year: int) -> int:
    year, m = (int(x) for x in month.split("-"))
    return (year * 12 + m - 1) - (first_fiscal_year * 12 + 3)


def _text_alternative(bars: list[dict], milestones: list[dict]) -> str:
    """What a row's bars and milestones say, as text (the accessible name of its SVG)."""
    said = [f"実施期間 {bar['start']}〜{bar['end']}" for bar in bars]
    said += [f"マイルストーン {m['month']} {m['label']}".strip() for m in milestones]
    return "、".join(said) or "実施期間・マイルストーンの記載なし"


def schedule(snapshot: dict) -> dict:
    plan = snapshot["edition"]["plan_period"]
    first, last = plan["first_fiscal_year"], plan["last_fiscal_year"]
    months = (last - first + 1) * 12
    width = months * UNIT
    years = [
        {"label": era.fiscal_year_short(fy), "x": (fy - first) * 12 * UNIT, "width": 12 * UNIT,
         "center": (fy - first) * 12 * UNIT + 6 * UNIT}
        for fy in range(first, last + 1)
    ]
    ticks = [{"x": i * UNIT, "month": (i + 3) % 12 + 1, "year_start": i % 12 == 0} for i in range(months)]
    current = snapshot["edition"]["fiscal_year"]
    highlight = {"x": (current - first) * 12 * UNIT, "width": 12 * UNIT}
    projects = []
    for project in snapshot["parts"]["annex1_2"]["projects"]:
        items = []
        for item in project["items"]:
            bars = []
            for bar in item["bars"]:
                start = max(0, _index(bar["start"], first))
                end = min(months - 1, _index(bar["end"], first))
                if end >= start:
                    bars.append({"x": start * UNIT, "width": (end - start + 1) * UNIT,
                                 "start": bar["start"], "end": bar["end"]})
            milestones = [
                {"x": _index(m["month"], first) * UNIT + UNIT / 2, "month": m["month"], "label": m["label"]}
                for m in item["milestones"] if 0 <= _index(m["month"], first) < months
            ]
            items.append({**item, "gantt_bars": bars, "gantt_milestones": milestones,
                          "gantt_label": _text_alternative(bars, milestones)})
        projects.append({**project, "items": items})
    return {"width": width, "height": ROW_HEIGHT, "months": months, "years": years, "ticks": ticks,
            "highlight": highlight, "projects": projects, "unit": UNIT}
