"""The derived figures, computed from small hand-made snapshots."""
from decimal import Decimal

import pytest

from zoneeval.reports import figures


@pytest.mark.parametrize("actual, target, expected", [
    ("120", "87", 138), ("136", "200", 68), ("50666", "49000", 103), ("5", "6", 83), ("100", "58", 172),
    ("1", "1", 100), ("119", "115", 103), ("1", "8", 13),  # 12.5 rounds half up to 13, not to the even 12
    ("5", "200", 3),  # 2.5 → 3
])
def test_progress_rounds_half_up(actual, target, expected):
    assert figures.progress(Decimal(actual), Decimal(target)) == expected


def test_progress_without_a_target_is_none():
    assert figures.progress(Decimal(5), Decimal(0)) is None
    assert figures.progress(None, Decimal(5)) is None


def _target(code, years, contribution=None, unit="件", goal=None):
    return {
        "code": code, "kind": "flow", "unit": unit, "contribution": contribution,
        "plan_goal": goal,
        "years": [
            {"fiscal_year": fy, "target": t, "actuals": [{"authority": a, "value": v} for a, v in actuals]}
            for fy, t, actuals in years
        ],
    }


def test_actuals_of_several_authorities_are_summed_and_cumulated():
    t = _target("(3)", [
        (2017, "48", [("a", "60"), ("b", "45")]),
        (2018, "53", [("a", "56")]),
        (2019, "58", [("a", "70"), ("b", "30")]),
        (2020, "60", []),
    ], goal={"value": "280", "unit": "件"})
    result = figures.target_figures(t, 2019)
    assert result["current"]["actual"] == "100"
    assert result["current"]["progress"] == 172
    assert result["cumulative_actual"] == "261"
    assert result["cumulative_target"] == "219"  # 48+53+58+60: all years given
    assert result["plan_goal_in_unit"] == "280"


def test_plan_goal_is_converted_to_the_table_unit():
    t = _target("(1)-③", [(2019, "49000", [("a", "50666")])], unit="人", goal={"value": "24.5", "unit": "万人"})
    assert figures.target_figures(t, 2019)["plan_goal_in_unit"] == "245000"


def test_indicator_progress_from_thirds():
    indicator = {"number": 1, "targets": [
        _target("(1)-①", [(2019, "87", [("a", "120")])], contribution="33"),
        _target("(1)-②", [(2019, "200", [("a", "136")])], contribution="33"),
        _target("(1)-③", [(2019, "49000", [("a", "50666")])], contribution="33"),
    ]}
    results = {t["code"]: figures.target_figures(t, 2019) for t in indicator["targets"]}
    out = figures.indicator_progress(indicator, results)
    assert out["progress"] == 103
    assert out["contribution_total"] == "99"


def test_indicator_progress_uses_unequal_contributions():
    indicator = {"number": 1, "targets": [
        _target("(1)-①", [(2019, "100", [("a", "200")])], contribution="75"),  # 200 %
        _target("(1)-②", [(2019, "100", [("a", "100")])], contribution="25"),  # 100 %
    ]}
    results = {t["code"]: figures.target_figures(t, 2019) for t in indicator["targets"]}
    assert figures.indicator_progress(indicator, results)["progress"] == 175


def test_indicator_progress_is_none_while_a_target_has_no_actual():
    indicator = {"number": 1, "targets": [
        _target("(1)-①", [(2019, "100", [("a", "200")])], contribution="50"),
        _target("(1)-②", [(2019, "100", [])], contribution="50"),
    ]}
    results = {t["code"]: figures.target_figures(t, 2019) for t in indicator["targets"]}
    assert figures.indicator_progress(indicator, results)["progress"] is None


def test_fiscal_row_totals_and_cumulative():
    row = {
        "name": "x", "unit": "千円",
        "years": [
            {"fiscal_year": 2018, "requested": "10", "national": "10", "local": "5", "stated_total": "15"},
            {"fiscal_year": 2019, "requested": "20", "national": "20", "local": "7", "stated_total": "28"},
            {"fiscal_year": 2020, "requested": None, "national": None, "local": None},
        ],
        "cumulative": {"includes_prior_years": False},
    }
    out = figures.fiscal_row_figures(row)
    assert [y["total"] for y in out["years"]] == ["15", "27", None]
    assert [y["stated_total_agrees"] for y in out["years"]] == [True, False, None]
    assert out["cumulative"] == {"requested": "30", "national": "30", "local": "12", "total": "42"}


def test_fiscal_row_with_prior_years_uses_stated_cumulative_columns_and_recomputes_their_total():
    row = {
        "name": "x", "years": [{"fiscal_year": 2019, "requested": "1", "national": "1", "local": "1"}],
        "cumulative": {"includes_prior_years": True, "stated_requested": "9", "stated_national": "8",
                       "stated_local": "4", "stated_total": "99"},
    }
    out = figures.fiscal_row_figures(row)
    assert out["cumulative"]["total"] == "12"
    assert out["stated_cumulative"]["total"] == "99"


def test_count_rows():
    row = {"name": "t", "years": [{"fiscal_year": 2017, "count": 1}, {"fiscal_year": 2018, "count": None},
                                  {"fiscal_year": 2019, "count": 2}], "stated_cumulative": 2}
    out = figures.count_row_figures(row, 2019)
    assert out["cumulative"] == 3
    assert out["this_year"] == 2
    assert out["stated_cumulative_agrees"] is False
