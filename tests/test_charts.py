"""The charts of the numerical targets and of the national score (zoneeval/reports/charts.py): their geometry, computed
from the figures, and where they are shown (the web pages always; the PDF's 別紙1 sheets when the edition asks)."""
import copy
import re
from decimal import Decimal

import pytest

from zoneeval.reports import charts, era
from zoneeval.reports.figures import derive, target_figures


def _target(kind="flow", years=None, **extra):
    years = years if years is not None else {}
    return {"code": "(9)", "kind": kind, "unit": "件", "owner": "a",
            "years": [{"fiscal_year": fy, "target": t, "actuals": [] if a is None else [{"authority": "a", "value": a}]}
                      for fy, (t, a) in sorted(years.items())], **extra}


def _chart(target, first=2017, last=2021, fiscal_year=2019):
    return charts.target_chart(target, target_figures(target, fiscal_year), first, last, fiscal_year)


def _expected_y(panel, value):
    low, high = panel["ticks"][0]["value"], panel["ticks"][-1]["value"]
    return round(panel["bottom"] - float((Decimal(value) - low) / (high - low)) * (panel["bottom"] - panel["top"]), 2)


def _expected_x(panel, index, count):
    slot = (panel["right"] - panel["left"]) / count
    return round(panel["left"] + slot * (index + 0.5), 2)


# ---- ticks ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("low,high", [(0, 141), (0, 7), (Decimal("4.8"), Decimal("17")), (0, 245000), (0, 1),
                                      (0, Decimal("0.37")), (-12, 40), (0, 0), (0, 1500000)])
def test_ticks_start_at_zero_and_reach_the_largest_value_in_nice_steps(low, high):
    ticks = charts.nice_ticks(Decimal(low), Decimal(high))
    steps = {b - a for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step.scaleb(-step.adjusted()).normalize()
    assert mantissa in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
    assert ticks[0] == min(Decimal(low), 0) or ticks[0] < min(Decimal(low), 0) < ticks[1]
    top = Decimal(high) if high != low else Decimal(low) + 1  # an empty range is drawn as 0…1
    assert ticks[-2] < top <= ticks[-1]
    assert 2 <= len(ticks) <= charts.MAX_TICKS


def test_ticks_of_a_known_range():
    assert charts.nice_ticks(Decimal(0), Decimal(141)) == [0, 50, 100, 150]
    assert charts.nice_ticks(Decimal(0), Decimal(17)) == [0, 5, 10, 15, 20]


# ---- points, gaps, cumulative ------------------------------------------------------------------------------------

def test_points_lie_at_the_year_and_value_they_stand_for():
    values = {2017: ("115", "119"), 2018: ("81", "141"), 2019: ("87", "120"), 2020: ("93", None), 2021: ("99", None)}
    chart = _chart(_target(years=values))
    yearly = chart["panels"][0]
    target_series, actual_series = yearly["series"]
    for index, fy in enumerate(range(2017, 2022)):
        t, a = values[fy]
        assert target_series["points"][index] == {"x": _expected_x(yearly, index, 5), "y": _expected_y(yearly, t)}
        if a is None:
            assert actual_series["points"][index] is None
        else:
            assert actual_series["points"][index] == {"x": _expected_x(yearly, index, 5),
                                                      "y": _expected_y(yearly, a)}
    assert yearly["ticks"][0]["value"] == 0 and yearly["ticks"][-1]["value"] >= 141
    # the labels of the x axis are the plan's years in 和暦
    assert [y["fiscal_year"] for y in yearly["years"]] == list(range(2017, 2022))
    assert all(y["label"].startswith(("平成", "令和", "H", "R")) for y in yearly["years"])


def test_a_missing_year_is_a_gap_never_a_zero():
    chart = _chart(_target(years={2017: ("4", "6"), 2018: ("5", None), 2019: ("6", "5"), 2020: ("7", None),
                                  2021: (None, None)}), fiscal_year=2019)
    yearly = chart["panels"][0]
    target_series, actual_series = yearly["series"]
    assert actual_series["points"][1] is None and actual_series["points"][2] is not None
    assert target_series["points"][4] is None
    zero_y = _expected_y(yearly, 0)
    assert all(p is None or p["y"] != zero_y for p in actual_series["points"])
    # no line across the gap: two lone markers (no segment of two points) for 2017 and 2019
    assert actual_series["path"] == ""
    assert actual_series["markers"].count("M") == 2
    # the target line is one run 2017–2020 (4 points), broken before 2021
    assert target_series["path"].count("M") == 1 and target_series["path"].count("L") == 3
    # in the cumulative panel, the year without an actual is a gap as well
    cumulative_actual = chart["panels"][1]["series"][1]
    assert cumulative_actual["points"][1] is None


def test_cumulative_panel_sums_the_figures(sample):
    snapshot = copy.deepcopy(sample)
    derived = derive(snapshot)
    plan = snapshot["edition"]["plan_period"]
    fiscal_year = snapshot["edition"]["fiscal_year"]
    targets = [t for i in snapshot["parts"]["part3"]["indicators"] for t in i["targets"]]
    assert targets
    for target in targets:
        figures = derived["targets"][target["code"]]
        chart = charts.target_chart(target, figures, plan["first_fiscal_year"], plan["last_fiscal_year"], fiscal_year)
        cumulative = chart["panels"][1]
        years = range(plan["first_fiscal_year"], plan["last_fiscal_year"] + 1)
        by_year = {y["fiscal_year"]: y for y in figures["years"]}
        running_target, running_actual = Decimal(0), Decimal(0)
        for index, fy in enumerate(years):
            year = by_year.get(fy, {})
            if year.get("target") is not None:
                running_target += Decimal(year["target"])
                assert cumulative["series"][0]["points"][index]["y"] == _expected_y(cumulative, running_target)
            if year.get("actual") is not None and fy <= fiscal_year:
                running_actual += Decimal(year["actual"])
                assert cumulative["series"][1]["points"][index]["y"] == _expected_y(cumulative, running_actual)
            else:
                assert cumulative["series"][1]["points"][index] is None
        # the last running sum of the actuals is the 累計 of figures.py
        assert running_actual == Decimal(figures["cumulative_actual"])
        # the plan goal (in the table's unit) is the dotted line
        assert cumulative["lines"][0]["y"] == _expected_y(cumulative, figures["plan_goal_in_unit"])
        last_row = chart["table"]["rows"][list(years).index(fiscal_year)]
        assert last_row["cells"][3].replace(",", "").startswith(figures["cumulative_actual"])


def test_a_level_target_draws_its_baseline_and_goal_and_no_cumulative(shiomi):
    derived = derive(shiomi)
    plan = shiomi["edition"]["plan_period"]
    level = next(t for i in shiomi["parts"]["part3"]["indicators"] for t in i["targets"] if t["kind"] == "level")
    chart = charts.target_chart(level, derived["targets"][level["code"]], plan["first_fiscal_year"],
                                plan["last_fiscal_year"], shiomi["edition"]["fiscal_year"])
    assert len(chart["panels"]) == 1
    panel = chart["panels"][0]
    lines = {line["name"]: line for line in panel["lines"]}
    assert lines["基準値"]["y"] == _expected_y(panel, level["baseline"]["value"])
    assert era.fiscal_year_label(level["baseline"]["fiscal_year"]) in lines["基準値"]["label"]
    assert lines["目標"]["y"] == _expected_y(panel, level["plan_goal"]["value"])
    assert era.fiscal_year_label(level["plan_goal"]["fiscal_year"]) in lines["目標"]["label"]
    assert all(y["label"].startswith("平成") for y in panel["years"])  # a plan in Heisei years
    assert "累計" not in " ".join(chart["table"]["columns"])
    assert {item["name"] for item in chart["legend"]} >= {"目標値", "実績値", "基準値"}


def test_a_qualitative_target_or_one_without_figures_has_no_chart():
    assert _chart(_target(kind="qualitative", years={2017: ("1", "1")})) is None
    assert _chart(_target(years={})) is None


def test_series_differ_by_line_style_and_marker_not_only_colour():
    chart = _chart(_target(years={2017: ("4", "6"), 2018: ("5", "5")}))
    legend = chart["legend"]
    assert len({(item["dash"], item["marker"]) for item in legend}) == len(legend)


def test_year_labels_take_the_longest_form_that_fits():
    years = [2018, 2019, 2020]
    assert charts.year_labels(years, 200)["labels"] == ["平成30年度", "令和元年度", "令和2年度"]
    narrow = charts.year_labels(years, 40)
    assert narrow["labels"] == ["平成30", "令和元", "令和2"] and narrow["caption"] == "（年度）"
    assert charts.year_labels(years, 20)["labels"] == ["H30", "R1", "R2"]


def test_text_is_at_least_seven_points_at_print_size():
    assert charts.FONT >= 7
    chart = _chart(_target(years={2017: ("4", "6")}))
    assert chart["width"] == charts.WIDTH and chart["font"] == charts.FONT


# ---- the national score --------------------------------------------------------------------------------------------

def test_national_scores_on_a_five_point_axis_with_gaps():
    chart = charts.national_score_chart([(2016, "3.5"), (2017, Decimal("3.8")), (2019, "3.9")])
    panel = chart["panels"][0]
    assert [t["value"] for t in panel["ticks"]] == [0, 1, 2, 3, 4, 5]
    points = panel["series"][0]["points"]
    assert [y["fiscal_year"] for y in panel["years"]] == [2016, 2017, 2018, 2019]
    assert points[2] is None
    assert points[3] == {"x": _expected_x(panel, 3, 4), "y": _expected_y(panel, "3.9")}
    assert [v["text"] for v in panel["series"][0]["value_labels"]] == ["3.5", "3.8", "3.9"]
    assert "令和元年度 3.9点" in chart["title"]
    assert charts.national_score_chart([]) is None
    assert charts.national_score_chart([(2019, None)]) is None


# ---- the web pages -------------------------------------------------------------------------------------------------

def _svgs(html):
    return re.findall(r'<svg class="chart-drawing"[^>]*>\s*<title>([^<]*)</title>', html)


def _coordinator(edition):
    from django.contrib.auth import get_user_model

    from zoneeval.authorities.models import Membership

    user = get_user_model().objects.create_user("chart-coordinator", password="pw")
    Membership.objects.create(user=user, authority=edition.coordinator, role="coordinator")
    return user


def _drafter(edition):
    from django.contrib.auth import get_user_model

    from zoneeval.authorities.models import Membership

    user = get_user_model().objects.create_user("chart-drafter", password="pw")
    Membership.objects.create(user=user, authority=edition.coordinator, role="drafter")
    return user


def _numerical_targets(edition):
    return [t for t in edition.indicators.all() for t in t.targets.all() if t.kind != "qualitative"]


def test_the_edition_page_shows_each_numerical_targets_chart_with_its_table(client, shiomi_edition):
    client.force_login(_coordinator(shiomi_edition))
    html = client.get(f"/{shiomi_edition.zone.slug}/{shiomi_edition.fiscal_year}/").content.decode()
    titles = _svgs(html)
    numerical = _numerical_targets(shiomi_edition)
    assert numerical and len(titles) == len(numerical)
    for target in numerical:
        assert any(f"数値目標{target.code}の" in title for title in titles)
    assert html.count('role="img"') >= len(numerical)
    assert html.count('<details class="chart-table">') == len(numerical)
    assert "平成24年度" in html and "（%）" in html
    assert 'id="national-scores"' not in html  # no national evaluation recorded: no chart of scores


def test_the_edition_page_shows_the_national_scores_when_there_are_some(client, edition, monkeypatch):
    from zoneeval.reports import views

    monkeypatch.setattr(views, "national_scores", lambda zone: [(2017, "3.6"), (2018, "3.9")])
    client.force_login(_coordinator(edition))
    html = client.get(f"/{edition.zone.slug}/{edition.fiscal_year}/").content.decode()
    assert 'id="national-scores"' in html
    assert any(title.startswith("国の評価（総合評価）の点数の推移") for title in _svgs(html))
    assert "3.9点" in html


def test_the_year_table_page_shows_the_chart_of_what_is_typed(client, edition):
    target = _numerical_targets(edition)[0]
    client.force_login(_coordinator(edition))
    html = client.get(f"/draft/target/{target.pk}/years/").content.decode()
    assert len(_svgs(html)) == 1 and f"数値目標{target.code}" in _svgs(html)[0]
    form = {f"target_{fy}": "" for fy in edition.plan_years} | {"version": target.version}
    preview = client.post(f"/draft/target/{target.pk}/years/preview/", form).content.decode()
    # every target value blanked: no target line is left (only the actuals, saved, are drawn)
    assert len(_svgs(preview)) == 1
    assert 'data-series="目標値"' not in preview


# ---- the option of the edition -------------------------------------------------------------------------------------

def test_the_coordinator_switches_the_pdf_charts_on_and_it_is_audited(client, edition):
    from zoneeval.reports.interchange.export import edition_snapshot
    from zoneeval.workflow.models import AuditEntry

    assert edition.annex1_charts is False
    assert "annex1_charts" not in edition_snapshot(edition, with_derived=False)["edition"]
    client.force_login(_coordinator(edition))
    response = client.post(f"/{edition.zone.slug}/{edition.fiscal_year}/print-options/", {"annex1_charts": "on"})
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.annex1_charts is True
    assert edition_snapshot(edition, with_derived=False)["edition"]["annex1_charts"] is True
    entry = AuditEntry.objects.get(edition=edition, action="set_print_options")
    assert entry.before == {"annex1_charts": False} and entry.after == {"annex1_charts": True}
    client.post(f"/{edition.zone.slug}/{edition.fiscal_year}/print-options/", {})
    edition.refresh_from_db()
    assert edition.annex1_charts is False


def test_a_drafter_may_not_switch_the_option(client, edition):
    client.force_login(_drafter(edition))
    page = client.get(f"/{edition.zone.slug}/{edition.fiscal_year}/").content.decode()
    assert "PDFの印刷設定は取りまとめ自治体の取りまとめ担当だけが変更できます。" in page
    response = client.post(f"/{edition.zone.slug}/{edition.fiscal_year}/print-options/", {"annex1_charts": "on"})
    assert response.status_code == 403
    assert "取りまとめ担当だけが変更できます" in response.content.decode()
    edition.refresh_from_db()
    assert edition.annex1_charts is False


def test_the_option_round_trips_through_the_interchange_format(db, sample):
    from zoneeval.reports.interchange.export import edition_snapshot
    from zoneeval.reports.interchange.importer import import_document

    document = copy.deepcopy(sample)
    document["edition"]["annex1_charts"] = True
    imported = import_document(document)
    assert imported.annex1_charts is True
    assert edition_snapshot(imported, with_derived=False)["edition"]["annex1_charts"] is True


def test_a_submitted_edition_keeps_its_option(client, edition):
    from django.utils import timezone

    from zoneeval.authorities.rules import FROZEN
    from zoneeval.reports.models import Edition

    coordinator = _coordinator(edition)
    Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    client.force_login(coordinator)
    response = client.post(f"/{edition.zone.slug}/{edition.fiscal_year}/print-options/", {"annex1_charts": "on"})
    assert response.status_code == 403 and FROZEN in response.content.decode()
    edition.refresh_from_db()
    assert edition.annex1_charts is False
