"""Japanese era (和暦) formatting of dates and fiscal years. The only place that knows the eras.

A fiscal year is an integer: FY2019 runs from April 2019 to March 2020 and prints as 令和元年度. A fiscal year whose
April lies before an era change and whose March lies after it prints in schedules as ``H31・R1``.
"""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: date  # first day of the era


ERAS = (  # newest first
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 1, 25)),
)


def era_of(day: date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} is before the Meiji era")


def era_year(day: date) -> tuple[Era, int]:
    era = era_of(day)
    return era, day.year - era.start.year + 1


def _year_word(n: int) -> str:
    return "元" if n == 1 else str(n)


def fiscal_year_era(fiscal_year: int) -> tuple[Era, int]:
    """The era and era-year that name a fiscal year: the era in force for most of it (on 1 October).

    FY2019 (April 2019 – March 2020) is 令和元年度, although its April was 平成31年; FY1988 is 昭和63年度, although
    平成 began in its January."""
    era = era_of(date(fiscal_year, 10, 1))
    return era, fiscal_year - era.start.year + 1


def fiscal_year_label(fiscal_year: int) -> str:
    """令和元年度, 平成29年度."""
    era, n = fiscal_year_era(fiscal_year)
    return f"{era.name}{_year_word(n)}年度"


def fiscal_year_short(fiscal_year: int) -> str:
    """H29, R1; a fiscal year whose April lies in an earlier era than its name: H31・R1 (schedule heads)."""
    start_era, start_n = era_year(date(fiscal_year, 4, 1))
    era, n = fiscal_year_era(fiscal_year)
    if start_era == era:
        return f"{era.letter}{n}"
    return f"{start_era.letter}{start_n}・{era.letter}{n}"


def fiscal_year_short_plain(fiscal_year: int) -> str:
    """R1, H29: the short label by the fiscal year's name era (table heads of 別紙3)."""
    era, n = fiscal_year_era(fiscal_year)
    return f"{era.letter}{n}"


def date_label(day: date) -> str:
    """平成23年12月22日, 令和元年7月1日."""
    era, n = era_year(day)
    return f"{era.name}{_year_word(n)}年{day.month}月{day.day}日"


def datetime_label(moment: datetime, *, seconds: bool = False) -> str:
    """令和元年11月29日 13:19 (13:19:05 with ``seconds``), in the site's local time (TIME_ZONE, Asia/Tokyo): an aware
    moment (what the database gives) is converted here, so no caller prints UTC by forgetting to."""
    from django.utils import timezone

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    clock = f"{moment.hour:02d}:{moment.minute:02d}" + (f":{moment.second:02d}" if seconds else "")
    return f"{date_label(moment.date())} {clock}"


def fiscal_year_range_label(first: int, last: int) -> str:
    """平成29～令和3年度."""
    a, b = fiscal_year_label(first), fiscal_year_label(last)
    return f"{a[:-2]}～{b}"


def fiscal_year_of_month(year: int, month: int) -> int:
    return year if month >= 4 else year - 1


def month_label(year: int, month: int) -> str:
    """令和元年9月, 平成31年4月: the era in force on the month's first day (令和 begins on 1 May 2019, so April 2019
    is 平成31年4月 and May 2019 令和元年5月)."""
    era, n = era_year(date(year, month, 1))
    return f"{era.name}{_year_word(n)}年{month}月"


def month_label_short(year: int, month: int) -> str:
    """R1.9, H31.4: the short form of :func:`month_label`."""
    era, n = era_year(date(year, month, 1))
    return f"{era.letter}{n}.{month}"
