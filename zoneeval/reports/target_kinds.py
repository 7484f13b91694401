"""What the kind of a numerical target (数値目標) decides, stated once and read by the model, the interchange checks,
the figures, the drafting service and form, and the document (pure Python: no database).

- flow (年度ごとの値、累計目標あり): each co-author enters its own 実績値; the zone's actual is their sum; the plan goal
  is a cumulative one (「5年間（…）累計」).
- level (基準値からの水準; a level, a ratio, a per-capita figure): a baseline (value, year) and a goal (value, year);
  the 実績値 is ONE figure for the whole zone, entered by the target's owner (never summed over authorities); no
  cumulative figures; progress is the year's actual ÷ the year's target.
- qualitative (定性的評価): as flow for the figures it has.
"""
from __future__ import annotations

FLOW, LEVEL, QUALITATIVE = "flow", "level", "qualitative"

# Kinds whose 実績値 is one figure for the whole zone, entered by the target's owner.
ZONE_FIGURE_KINDS = frozenset({LEVEL})
# Kinds whose plan goal and figures are cumulative over the plan's years.
CUMULATIVE_KINDS = frozenset({FLOW})


def actual_figure_refusal(kind: str, owner, authority, owner_name: str = "") -> str | None:
    """The one rule of who enters a year's 実績値 of a target, for every way in (the model, the interchange checks,
    the drafting service and form, admin): for a level target only its owner, once for the zone. ``owner`` and
    ``authority`` are comparable keys (ids or slugs). None when allowed."""
    if kind in ZONE_FIGURE_KINDS and authority != owner:
        who = f"（{owner_name}）" if owner_name else ""
        return (f"水準を表す数値目標の実績値は特区全体で一つの値です。担当の自治体{who}だけが入力します"
                f"（自治体ごとに入力して合計することはできません）。")
    return None
