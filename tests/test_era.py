from datetime import date

import pytest

from zoneeval.reports import era


@pytest.mark.parametrize("fy, label", [
    (2017, "平成29年度"), (2018, "平成30年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2021, "令和3年度"),
    (1989, "平成元年度"), (1988, "昭和63年度"), (2011, "平成23年度"),
])
def test_fiscal_year_label(fy, label):
    assert era.fiscal_year_label(fy) == label


@pytest.mark.parametrize("fy, label", [(2017, "H29"), (2018, "H30"), (2019, "H31・R1"), (2020, "R2"), (1988, "S63")])
def test_schedule_heads(fy, label):
    assert era.fiscal_year_short(fy) == label


def test_table_heads_use_the_fiscal_years_name():
    assert [era.fiscal_year_short_plain(y) for y in range(2017, 2022)] == ["H29", "H30", "R1", "R2", "R3"]


@pytest.mark.parametrize("day, label", [
    (date(2011, 12, 22), "平成23年12月22日"), (date(2019, 7, 1), "令和元年7月1日"), (date(2019, 4, 30), "平成31年4月30日"),
    (date(2019, 5, 1), "令和元年5月1日"), (date(1989, 1, 7), "昭和64年1月7日"), (date(1989, 1, 8), "平成元年1月8日"),
])
def test_dates(day, label):
    assert era.date_label(day) == label


def test_plan_range():
    assert era.fiscal_year_range_label(2017, 2021) == "平成29～令和3年度"


@pytest.mark.parametrize("year, month, label, short", [
    (2017, 4, "平成29年4月", "H29.4"), (2019, 3, "平成31年3月", "H31.3"), (2019, 4, "平成31年4月", "H31.4"),
    (2019, 5, "令和元年5月", "R1.5"), (2019, 12, "令和元年12月", "R1.12"), (2020, 1, "令和2年1月", "R2.1"),
    (2022, 3, "令和4年3月", "R4.3"), (1989, 1, "昭和64年1月", "S64.1"), (1989, 2, "平成元年2月", "H1.2"),
])
def test_month_labels_across_the_era_change(year, month, label, short):
    """A month is named by the era in force on its first day: 令和 from May 2019, so a plan 平成29年度～令和3年度
    prints April 2019 as 平成31年4月 and May 2019 as 令和元年5月."""
    assert era.month_label(year, month) == label
    assert era.month_label_short(year, month) == short


def test_a_schedule_across_the_era_change_names_both_sides():
    from zoneeval.reports.gantt import _text_alternative

    said = _text_alternative([{"start": "2017-04", "end": "2022-03"}],
                             [{"month": "2019-04", "label": "改元前"}, {"month": "2019-05", "label": "改元後"}])
    assert said == "実施期間 平成29年4月～令和4年3月、マイルストーン 平成31年4月 改元前、マイルストーン 令和元年5月 改元後"


def test_a_moment_from_the_database_is_printed_in_local_time(settings):
    """Every caller of datetime_label gets Japan time, not only the template filter (the comparison page printed UTC)."""
    from datetime import datetime
    from datetime import timezone as dt_timezone

    from zoneeval.reports import era

    settings.TIME_ZONE = "Asia/Tokyo"
    moment = datetime(2019, 11, 29, 10, 37, tzinfo=dt_timezone.utc)
    assert era.datetime_label(moment) == "令和元年11月29日 19:37"
    assert era.datetime_label(datetime(2019, 11, 29, 10, 37)) == "令和元年11月29日 10:37"  # naive: as given
