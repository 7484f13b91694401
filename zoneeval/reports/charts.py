"""Line charts of the numerical targets (別紙1) and of the national score, drawn server-side as SVG (pure Python).

The functions compute geometry only (coordinates, path strings, labels); templates/reports/_chart.html draws it, in
the web pages and, when the edition asks for it (``edition.annex1_charts``), on each 別紙1 sheet of the PDF.

Rules, stated once:

- The x axis is the plan's fiscal years in 和暦 (era.py): 「令和元年度」 when it fits its slot, else 「令和元」 under an
  axis caption 「（年度）」, else 「R1」.
- The y axis starts at 0 (every figure of a target is a count, an amount or a ratio whose zero means something; a
  line that starts at a raised minimum would exaggerate small changes) and ends at the first "nice" tick (1, 2, 2.5,
  5 × 10^k) at or above the largest value drawn; it goes below 0 only when a value is negative. Tick labels carry
  thousands separators; the unit is the axis caption.
- A year without a value is a gap in its line (never a zero); a lone value is a marker without a line.
- Flow (cumulative) targets: a second panel with the running sums of the yearly targets and of the actuals up to the
  edition's year, and the plan goal (in the target's unit) as a dotted line. A running sum has a point only in a
  year whose own figure is known (a gap otherwise); it sums the known figures, as figures.py's 累計 does.
- Level targets: one panel with the yearly target and actual, the baseline (dotted) and the goal (dash-dot) as
  horizontal lines, named with their values and years in the panel's head (after a sample of their line). Qualitative targets have no chart.
- Series differ by line style and marker shape as well as colour (目標値: dashed, □; 実績値: solid, ●); the legend shows
  both. Every chart has a title (its text alternative) and the table of its numbers beside it.
- Sizes are in points at print size (the PDF draws the chart ``WIDTH`` pt wide): text is ``FONT`` pt (≥ 7 pt).
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from . import era
from .figures import dec
from .input import display_amount
from .target_kinds import CUMULATIVE_KINDS, LEVEL, QUALITATIVE
from .text_metrics import text_width

WIDTH = 500.0  # the drawing's width in pt (A4 portrait less the margins of print.css is 504 pt)
FONT = 7.5  # pt
LEFT = 50.0  # the y tick labels, right-aligned at LEFT - 4
RIGHT = 10.0
TOP = 26.0  # the panel title and the unit caption
PLOT_HEIGHT = 104.0
BOTTOM = 26.0  # year labels (one or two lines)
LEGEND_ROW = 13.0
GAP = 8.0  # between two panels
MAX_TICKS = 6
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
MARKER = 2.6  # half size of a marker

# name → (stroke, dash array, marker); the legend draws each with its line and its marker.
STYLES = {
    "target": ("#5b5b5b", "5 3", "square"),
    "actual": ("#1f4e9c", "", "circle"),
    "goal": ("#b3261e", "1.5 2", ""),
    "baseline": ("#333333", "1.5 2", ""),
    "level_goal": ("#b3261e", "6 2 1.5 2", ""),
    "score": ("#1f4e9c", "", "diamond"),
}


def _r(value: float) -> float:
    return round(float(value), 2)


def nice_ticks(low: Decimal, high: Decimal, max_ticks: int = MAX_TICKS) -> list[Decimal]:
    """Ticks from 0 (or the nice floor of a negative ``low``) to the first nice tick at or above ``high``: a step of
    1, 2, 2.5 or 5 × 10^k and at most ``max_ticks`` ticks."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if high == low:
        high = low + 1
    raw = (high - low) / (max_ticks - 1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(m * magnitude for m in NICE_STEPS if m * magnitude >= raw)
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    count = int((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def year_labels(years: list[int], slot: float) -> dict:
    """The x labels of ``years`` in a slot of ``slot`` pt: the longest form of 和暦 that fits every year."""
    fits = lambda labels: all(text_width(label) * FONT <= slot - 2 for label in labels)  # noqa: E731
    full = [era.fiscal_year_label(fy) for fy in years]
    if fits(full):
        return {"labels": full, "caption": ""}
    bare = [label[:-2] for label in full]  # 令和元, 平成27: under the caption 「（年度）」
    if fits(bare):
        return {"labels": bare, "caption": "（年度）"}
    return {"labels": [era.fiscal_year_short_plain(fy) for fy in years], "caption": "（年度）"}


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def _marker_path(shape: str, x: float, y: float) -> str:
    s = MARKER
    if shape == "square":
        return f"M{_r(x - s)} {_r(y - s)}h{_r(2 * s)}v{_r(2 * s)}h{_r(-2 * s)}Z"
    if shape == "diamond":
        d = s * 1.3
        return f"M{_r(x)} {_r(y - d)}L{_r(x + d)} {_r(y)}L{_r(x)} {_r(y + d)}L{_r(x - d)} {_r(y)}Z"
    return (f"M{_r(x - s)} {_r(y)}a{s} {s} 0 1 0 {_r(2 * s)} 0a{s} {s} 0 1 0 {_r(-2 * s)} 0Z")  # circle


def _style(name: str) -> dict:
    stroke, dash, marker = STYLES[name]
    return {"style": name, "stroke": stroke, "dash": dash, "marker": marker,
            "marker_fill": "#ffffff" if marker == "square" else stroke}


def panel(title: str, unit: str, years: list[int], series: list[dict], lines: list[dict], x0: float, width: float,
          *, fixed_range: tuple[Decimal, Decimal] | None = None, point_labels: bool = False) -> dict:
    """One panel: ``series`` are {"name", "style", "values" (Decimal | None per year)}; ``lines`` are horizontal
    reference lines {"name", "style", "value", "label"}. Coordinates are absolute in the drawing."""
    plot_left, plot_right = x0 + LEFT, x0 + width - RIGHT
    plot_top, plot_bottom = TOP, TOP + PLOT_HEIGHT
    drawn = [v for s in series for v in s["values"] if v is not None] + [line["value"] for line in lines]
    if fixed_range is not None:
        step = Decimal(1)
        ticks = [fixed_range[0] + step * i for i in range(int(fixed_range[1] - fixed_range[0]) + 1)]
    else:
        ticks = nice_ticks(min(drawn, default=Decimal(0)), max(drawn, default=Decimal(0)))
    low, high = ticks[0], ticks[-1]
    slot = (plot_right - plot_left) / max(len(years), 1)

    def x_of(index: int) -> float:
        return plot_left + slot * (index + 0.5)

    def y_of(value: Decimal) -> float:
        return plot_bottom - float((value - low) / (high - low)) * PLOT_HEIGHT

    labels = year_labels(years, slot)
    drawn_series = []
    for s in series:
        points = [None if v is None else (x_of(i), y_of(v)) for i, v in enumerate(s["values"])]
        style = _style(s["style"])
        paths = ["M" + "L".join(f"{_r(x)} {_r(y)}" for x, y in run) for run in _segments(points) if len(run) > 1]
        drawn_series.append({
            **style, "name": s["name"],
            "points": [None if p is None else {"x": _r(p[0]), "y": _r(p[1])} for p in points],
            "path": "".join(paths),
            "markers": "".join(_marker_path(style["marker"], *p) for p in points if p is not None),
            "value_labels": [
                {"x": _r(p[0]), "y": _r(p[1] - MARKER - 3), "text": display_amount(v)}
                for p, v in zip(points, s["values"]) if p is not None
            ] if point_labels else [],
        })
    drawn_lines = []
    # each reference line is named in the panel's head, right-aligned, after a sample of its line (a label on the line
    # itself would lie under the data that reaches it)
    for k, line in enumerate(lines):
        y = y_of(line["value"])
        label_y = FONT + 1 + k * (FONT + 2)
        label_x = plot_right
        sample_x2 = label_x - text_width(line["label"]) * FONT - 3
        drawn_lines.append({**_style(line["style"]), "name": line["name"], "y": _r(y), "x1": _r(plot_left),
                            "x2": _r(plot_right), "label": line["label"], "label_x": _r(label_x),
                            "label_y": _r(label_y), "sample_x1": _r(sample_x2 - 16), "sample_x2": _r(sample_x2),
                            "sample_y": _r(label_y - FONT * 0.35)})
    return {
        "title": title, "title_x": _r(x0 + LEFT), "title_y": _r(FONT + 1),
        "unit": f"（{unit}）" if unit else "", "unit_x": _r(plot_left - 4), "unit_y": _r(TOP - 5),
        "left": _r(plot_left), "right": _r(plot_right), "top": _r(plot_top), "bottom": _r(plot_bottom),
        "ticks": [{"value": t, "label": display_amount(t) or "0", "y": _r(y_of(t)), "x": _r(plot_left - 4)}
                  for t in ticks],
        "grid": "".join(f"M{_r(plot_left)} {_r(y_of(t))}H{_r(plot_right)}" for t in ticks),
        "years": [{"fiscal_year": fy, "x": _r(x_of(i)), "label": label, "y": _r(plot_bottom + FONT + 4)}
                  for i, (fy, label) in enumerate(zip(years, labels["labels"]))],
        "year_caption": labels["caption"], "year_caption_x": _r(plot_right), "year_caption_y": _r(plot_bottom + 2 * FONT + 8),
        "series": drawn_series, "lines": drawn_lines,
    }


def _legend(entries: list[tuple[str, str]], top: float) -> dict:
    """One row of legend entries (line sample, marker, text), left to right, wrapping onto further rows."""
    items, x, row = [], LEFT, 0
    for name, style_name in entries:
        width = 22 + text_width(name) * FONT + 14
        if x + width > WIDTH and x > LEFT:
            x, row = LEFT, row + 1
        y = top + row * LEGEND_ROW + LEGEND_ROW / 2
        style = _style(style_name)
        items.append({**style, "name": name, "x1": _r(x), "x2": _r(x + 18), "y": _r(y),
                      "marker_path": _marker_path(style["marker"], x + 9, y) if style["marker"] else "",
                      "text_x": _r(x + 22), "text_y": _r(y + FONT * 0.35)})
        x += width
    return {"items": items, "height": (row + 1) * LEGEND_ROW}


def _drawing(panels: list[dict], legend: list[tuple[str, str]], title: str, label: str, table: dict) -> dict:
    legend_top = TOP + PLOT_HEIGHT + BOTTOM
    drawn_legend = _legend(legend, legend_top)
    height = legend_top + drawn_legend["height"] + 2
    return {"panels": panels, "legend": drawn_legend["items"], "width": WIDTH, "height": _r(height),
            "view_box": f"0 0 {_r(WIDTH)} {_r(height)}", "font": FONT, "title": title, "label": label,
            "table": table}


def _values(years: list[int], by_year: dict, key: str) -> list[Decimal | None]:
    return [dec(by_year[fy][key]) if fy in by_year else None for fy in years]


def running_sums(values: list[Decimal | None]) -> list[Decimal | None]:
    """The running sum of ``values``, with a gap (None) where the year's own value is missing."""
    total, sums = Decimal(0), []
    for value in values:
        if value is None:
            sums.append(None)
        else:
            total += value
            sums.append(total)
    return sums


def _amount(value: Decimal | None, unit: str) -> str:
    return "" if value is None else f"{display_amount(value)}{unit}"


def target_chart(target: dict, figures: dict, first: int, last: int, fiscal_year: int, *,
                 table_note: str = "各年度の数値は下の表のとおり") -> dict | None:
    """The chart of one numerical target over the plan years (``first``…``last``), from its snapshot entry and its
    derived figures (figures.target_figures); None for a qualitative target or one without any figure."""
    kind = target.get("kind", "flow")
    if kind == QUALITATIVE:
        return None
    years = list(range(first, last + 1))
    unit = figures.get("unit", "")
    by_year = {y["fiscal_year"]: y for y in figures["years"]}
    targets = _values(years, by_year, "target")
    actuals = [None if fy > fiscal_year else v for fy, v in zip(years, _values(years, by_year, "actual"))]
    if all(v is None for v in targets + actuals):
        return None
    code = target["code"]
    range_label = era.fiscal_year_range_label(first, last)
    series = [{"name": "目標値", "style": "target", "values": targets},
              {"name": "実績値", "style": "actual", "values": actuals}]
    columns = ["目標値", "実績値"]
    rows = [[_amount(t, unit), _amount(a, unit)] for t, a in zip(targets, actuals)]
    summary_extra = ""
    if kind == LEVEL:
        lines, legend = [], [("目標値", "target"), ("実績値", "actual")]
        baseline, goal = target.get("baseline"), target.get("plan_goal")
        if baseline:
            value = dec(baseline["value"])
            label = f"基準値 {display_amount(value)}{unit}（{era.fiscal_year_label(baseline['fiscal_year'])}）"
            lines.append({"name": "基準値", "style": "baseline", "value": value, "label": label})
            legend.append(("基準値", "baseline"))
            summary_extra += f"、{label}"
        if goal and figures.get("plan_goal_in_unit") is not None:
            value = dec(figures["plan_goal_in_unit"])
            year = f"（{era.fiscal_year_label(goal['fiscal_year'])}）" if goal.get("fiscal_year") else ""
            label = f"目標 {display_amount(value)}{unit}{year}"
            lines.append({"name": "目標", "style": "level_goal", "value": value, "label": label})
            legend.append(("目標（水準）", "level_goal"))
            summary_extra += f"、{label}"
        panels = [panel("各年度の目標値と実績値", unit, years, series, lines, 0, WIDTH)]
    else:
        half = (WIDTH - GAP) / 2
        panels = [panel("各年度の目標値と実績値", unit, years, series, [], 0, half)]
        legend = [("目標値・累計目標値", "target"), ("実績値・累計実績値", "actual")]
        if kind in CUMULATIVE_KINDS:
            cumulative_targets, cumulative_actuals = running_sums(targets), running_sums(actuals)
            lines = []
            if figures.get("plan_goal_in_unit") is not None:
                goal = dec(figures["plan_goal_in_unit"])
                lines.append({"name": "計画の目標（累計）", "style": "goal", "value": goal,
                              "label": f"計画の目標 {display_amount(goal)}{unit}（累計）"})
                legend.append(("計画の目標（累計）", "goal"))
            panels.append(panel("累計", unit, years, [
                {"name": "累計目標値", "style": "target", "values": cumulative_targets},
                {"name": "累計実績値", "style": "actual", "values": cumulative_actuals}], lines, half + GAP, half))
            columns += ["累計目標値", "累計実績値"]
            rows = [row + [_amount(t, unit), _amount(a, unit)]
                    for row, t, a in zip(rows, cumulative_targets, cumulative_actuals)]
            known = [(fy, a) for fy, a in zip(years, cumulative_actuals) if a is not None]
            if known:
                summary_extra += (f"。累計実績値は{era.fiscal_year_label(known[-1][0])}までで"
                                  f"{_amount(known[-1][1], unit)}")
            if lines:
                summary_extra += f"、計画の目標は累計{_amount(lines[0]['value'], unit)}"
    label = f"数値目標{code}の目標値と実績値の推移（{range_label}、単位：{unit or 'なし'}）"
    title = f"{label}{summary_extra}。{table_note}。"
    table = {"caption": f"数値目標{code}のグラフの数値", "columns": columns,
             "rows": [{"year": era.fiscal_year_label(fy), "cells": row} for fy, row in zip(years, rows)]}
    return _drawing(panels, legend, title, label, table)


def national_score_chart(scores: list[tuple[int, object]], *, max_score: int = 5) -> dict | None:
    """The national evaluation's overall score (5-point scale) over the fiscal years of ``scores``
    ([(fiscal_year, score)], as the selector ``national_scores(zone)`` gives it); None when there is none. The years
    between the first and the last are on the axis; a year without a score is a gap."""
    known = {int(fy): dec(score) for fy, score in scores if score is not None}
    if not known:
        return None
    years = list(range(min(known), max(known) + 1))
    values = [known.get(fy) for fy in years]
    drawn = panel("国の評価（総合評価）の点数", "点", years,
                  [{"name": "総合評価の点数", "style": "score", "values": values}], [], 0, WIDTH,
                  fixed_range=(Decimal(0), Decimal(max_score)), point_labels=True)
    range_label = era.fiscal_year_range_label(years[0], years[-1])
    label = f"国の評価（総合評価）の点数の推移（{range_label}、{max_score}点満点）"
    listed = "、".join(f"{era.fiscal_year_label(fy)} {display_amount(v)}点" for fy, v in zip(years, values)
                      if v is not None)
    table = {"caption": "国の評価の点数", "columns": ["総合評価の点数"],
             "rows": [{"year": era.fiscal_year_label(fy), "cells": ["" if v is None else f"{display_amount(v)}点"]}
                      for fy, v in zip(years, values)]}
    return _drawing([drawn], [(f"総合評価の点数（{max_score}点満点）", "score")], f"{label}：{listed}。", label,
                    table)
