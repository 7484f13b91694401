"""The layout of an edition's workbook (Excel): every sheet and every cell, decided once, read by the export (which
writes it) and by the import (which reads the uploaded file against it).

Sheets, in the document's order:
- one per numerical target of 別紙1 (「別紙1 (1)-①」): the plan years as 和暦 columns; 目標値 (the target's owner),
  実績値 per co-author (a level target: one zone figure, its owner's), then the computed 実績値（合計）, 進捗度 and,
  for a cumulative target, a 累計 column;
- 別紙3 財政支援 (4 lines a project: 財政支援要望, 国予算(a), 自治体予算(b) inputs; 総事業費(a+b) and 累計 computed),
  別紙3 税制支援 and 別紙3 金融支援 (件数 per year; 累計 computed);
- 5 件数: the part-5 counts (as stated, projects listed, counted this year), all read-only.

Input cells carry a ``key`` (what they are in the database) and their ``owner_id`` (the co-author whose figure it is);
derived cells are computed by reports/figures.py and never read back; label cells are checked on import, so a file of
another shape (rows added, a sheet of another edition) is refused instead of being read into the wrong cells.

The layout is rebuilt from the database on import: nothing in the uploaded file says which cell is what.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from ...reports import models as m
from ...reports.era import fiscal_year_label
from ...reports.figures import count_row_figures, dec, derive, fiscal_row_figures
from ...reports.input import display_amount
from ...reports.interchange.export import edition_snapshot
from ...reports.target_kinds import CUMULATIVE_KINDS, ZONE_FIGURE_KINDS

THOUSAND_YEN = "千円"
HEADING, LABEL, INPUT, DERIVED, INFO = "heading", "label", "input", "derived", "info"
# What an input cell holds, and so how it is validated (as the form field of the same box):
AMOUNT, GRID_AMOUNT, GRID_COUNT = "amount", "grid-amount", "grid-count"
BLANK = ""  # a 別紙3 cell left blank (a year whose cells are all blank has no row); None is '-' (nothing)
FORMAT_INTEGER = "#,##0"
BASE_SHEET = "zoneeval"  # very hidden: each input cell's value at the download (xlsx.py, reading.py)
FORMAT_PERCENT = "0%"


@dataclass
class Cell:
    row: int
    column: int
    value: object = None  # str, Decimal, int, None ('-' in a 別紙3 cell is None; a blank 別紙3 cell is BLANK)
    role: str = LABEL
    number_format: str = ""
    key: tuple | None = None  # input: ("target", target_id, fy) | ("actual", target_id, authority_id, fy) |
    # ("fiscal", row_id, fy, field) | ("count", row_id, fy)
    owner_id: int | None = None
    owner_name: str = ""
    input_kind: str = ""
    label: str = ""  # what the cell is, in words (「令和元年度 実績値（横浜市）」)
    obj: object = None  # the item the input belongs to (the target, the 別紙3 row)

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass
class Sheet:
    name: str
    cells: list[Cell] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)

    def put(self, row, column, value=None, role=LABEL, number_format="", **kwargs) -> Cell:
        cell = Cell(row, column, value, role, number_format, **kwargs)
        self.cells.append(cell)
        return cell


@dataclass
class Layout:
    edition: object
    sheets: list[Sheet]

    def inputs(self):
        for sheet in self.sheets:
            for cell in sheet.cells:
                if cell.role == INPUT:
                    yield sheet, cell

    def fingerprint(self) -> str:
        """A digest of every cell: changes when any figure, label or the shape changes (a stale preview)."""
        data = [[s.name, [[c.ref, c.role, _plain(c.value)] for c in s.cells]] for s in self.sheets]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def canonical(value, key) -> str:
    """An input cell's value as one string, to compare the database, the download and the file: '' blank (a 別紙1
    cell without a figure, a 別紙3 year without a row), '-' nothing (a 別紙3 cell), else the number ('1234.5')."""
    if value is None:
        return "" if key[0] in ("target", "actual") else "-"
    if value == BLANK:
        return ""
    return format(Decimal(value).normalize(), "f") if not isinstance(value, int) else str(value)


def amount_format(value) -> str:
    """Thousands separators; the decimal places the value has (a figure reads back as typed, in meaning)."""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        places = max(0, -value.normalize().as_tuple().exponent)
        return FORMAT_INTEGER + "." + "0" * places
    return FORMAT_INTEGER


def _percent(value: int | None):
    return None if value is None else Decimal(value) / 100


def target_sheet_name(code: str) -> str:
    return f"別紙1 {code}"[:31]


def _unit_label(unit: str) -> str:
    return f"（単位：{unit}）" if unit else ""


def build(edition) -> Layout:
    """The workbook of ``edition`` as it is in the database now."""
    snapshot = edition_snapshot(edition)
    derived = snapshot["derived"]
    coauthors = list(edition.coauthors.select_related("authority").order_by("order"))
    years = list(edition.plan_years)
    sheets = []
    targets = (m.NumericalTarget.objects.filter(indicator__edition=edition)
               .select_related("indicator", "owner").prefetch_related("years__actuals"))
    by_code = {t.code: t for t in targets}
    for indicator in snapshot["parts"]["part3"]["indicators"]:
        for data in indicator["targets"]:
            sheets.append(_target_sheet(edition, indicator, data, by_code[data["code"]],
                                        derived["targets"][data["code"]], coauthors, years))
    fiscal_rows = list(m.FiscalSupportRow.objects.filter(edition=edition).select_related("owner")
                       .prefetch_related("years").order_by("order", "pk"))
    sheets.append(_fiscal_sheet(snapshot["parts"]["annex3"]["fiscal"], fiscal_rows, years))
    count_rows = list(m.CountRow.objects.filter(edition=edition).select_related("owner")
                      .prefetch_related("years").order_by("order", "pk"))
    for kind, title, what in (("tax", "税制支援", "件数"), ("financial", "金融支援", "新規契約件数")):
        rows = [r for r in count_rows if r.kind == kind]
        sheets.append(_count_sheet(title, what, snapshot["parts"]["annex3"][kind], rows, years, edition.fiscal_year))
    sheets.append(_counts_sheet(derived["counts"]["part5"]))
    return Layout(edition, sheets)


def _header(sheet: Sheet, title: str, lines: list[str]) -> int:
    sheet.put(1, 1, title, HEADING)
    row = 2
    for line in lines:
        sheet.put(row, 1, line, LABEL)
        row += 1
    return row + 1


def _target_sheet(edition, indicator, data, target, figures, coauthors, years) -> Sheet:
    sheet = Sheet(target_sheet_name(data["code"]), widths={1: 34})
    level = data.get("kind") in ZONE_FIGURE_KINDS
    cumulative = data.get("kind", "flow") in CUMULATIVE_KINDS
    goal = figures.get("plan_goal_in_unit")
    goal_text = f"計画目標：{display_amount(goal)}{data.get('unit', '')}{'（累計）' if cumulative else ''}" if goal else ""
    contribution = f"寄与度：{display_amount(data['contribution'])}%" if data.get("contribution") else ""
    row = _header(sheet, "別紙1 目標に向けた取組の進捗に関する評価", [
        f"評価指標({indicator['number']}) {indicator['title']}",
        f"数値目標{data['code']} {data['title']}",
        "　".join(x for x in (goal_text, contribution, f"目標値の担当：{target.owner.name}") if x),
        _unit_label(data.get("unit", "")) or "（単位なし）",
    ])
    head = row
    sheet.put(head, 1, "年度", LABEL)
    for i, fy in enumerate(years):
        sheet.put(head, 2 + i, fiscal_year_label(fy), LABEL)
        sheet.widths[2 + i] = 14
    total_col = 2 + len(years)
    if cumulative:
        sheet.put(head, total_col, "累計", LABEL)
        sheet.widths[total_col] = 14
    stored = {y.fiscal_year: y for y in target.years.all()}
    fig_years = {y["fiscal_year"]: y for y in figures["years"]}

    row = head + 1
    sheet.put(row, 1, "目標値", LABEL)
    for i, fy in enumerate(years):
        value = stored[fy].target_value if fy in stored else None
        sheet.put(row, 2 + i, value, INPUT, amount_format(value), key=("target", target.pk, fy),
                  owner_id=target.owner_id, owner_name=target.owner.name, input_kind=AMOUNT,
                  label=f"{fiscal_year_label(fy)} 目標値", obj=target)
    if cumulative:
        value = dec(figures["cumulative_target"])
        sheet.put(row, total_col, value, DERIVED, amount_format(value))

    whose = [(target.owner, "特区全体・" + target.owner.name)] if level else [(c.authority, c.name) for c in coauthors]
    for authority, name in whose:
        row += 1
        sheet.put(row, 1, f"実績値（{name}）", LABEL)
        for i, fy in enumerate(years):
            if fy > edition.fiscal_year:  # the form offers no 実績値 of a year to come
                continue
            actual = next((a.value for a in stored[fy].actuals.all() if a.authority_id == authority.pk), None) \
                if fy in stored else None
            sheet.put(row, 2 + i, actual, INPUT, amount_format(actual), key=("actual", target.pk, authority.pk, fy),
                      owner_id=authority.pk, owner_name=name if not level else target.owner.name, input_kind=AMOUNT,
                      label=f"{fiscal_year_label(fy)} 実績値（{name}）", obj=target)
    if not level:
        row += 1
        sheet.put(row, 1, "実績値（合計）", LABEL)
        for i, fy in enumerate(years):
            value = dec(fig_years.get(fy, {}).get("actual"))
            sheet.put(row, 2 + i, value, DERIVED, amount_format(value))
        if cumulative:
            value = dec(figures["cumulative_actual"])
            sheet.put(row, total_col, value, DERIVED, amount_format(value))
    row += 1
    sheet.put(row, 1, "進捗度（%）", LABEL)
    for i, fy in enumerate(years):
        sheet.put(row, 2 + i, _percent(fig_years.get(fy, {}).get("progress")), DERIVED, FORMAT_PERCENT)
    if cumulative:
        sheet.put(row, total_col, _percent(figures["cumulative_progress"]), DERIVED, FORMAT_PERCENT)
    row += 2
    sheet.put(row, 1, "白い欄に入力します。灰色の欄（合計・進捗度・累計）は計算結果で、取り込みません。", INFO)
    if cumulative:
        sheet.put(row + 1, 1, "累計の進捗度は、累計の実績値の計画目標に対する割合です。", INFO)
    return sheet


FISCAL_FIELDS = (("requested", "財政支援要望"), ("national", "国予算(a)（実績）"), ("local", "自治体予算(b)（実績）"))


def _grid_value(stored: dict, fy: int, name: str):
    """A 別紙3 cell as the form shows it: the year's value, None ('-') when the year has a row without it, BLANK
    when the year has no row."""
    if fy not in stored:
        return BLANK
    return getattr(stored[fy], name)


def _annex3_header(sheet: Sheet, subtitle: list[str], years) -> tuple[int, int]:
    """The header rows every 別紙3 sheet shares: title, subtitle, 事業名・関連する数値目標・年度, one column per
    year, 累計 and 担当. Returns (the header row, the 累計 column)."""
    head = _header(sheet, "別紙3 財政・税制・金融支援の活用実績（国の支援措置）", subtitle)
    for col, text in ((1, "事業名"), (2, "関連する数値目標"), (3, "年度")):
        sheet.put(head, col, text, LABEL)
    for i, fy in enumerate(years):
        sheet.put(head, 4 + i, fiscal_year_label(fy), LABEL)
        sheet.widths[4 + i] = 14
    total_col = 4 + len(years)
    sheet.put(head, total_col, "累計", LABEL)
    sheet.put(head, total_col + 1, "担当", LABEL)
    sheet.widths[total_col + 1] = 12
    return head, total_col


def _fiscal_sheet(data_rows, rows, years) -> Sheet:
    sheet = Sheet("別紙3 財政支援", widths={1: 40, 2: 16, 3: 22})
    head, total_col = _annex3_header(sheet, ["財政支援措置の状況", f"（単位：{THOUSAND_YEN}。「-」は該当なし）"], years)
    sheet.widths[total_col] = 16
    row = head + 1
    for data, item in zip(data_rows, rows):
        figures = fiscal_row_figures(data)
        stored = {y.fiscal_year: y for y in item.years.all()}
        totals = {y["fiscal_year"]: y["total"] for y in figures["years"]}
        sheet.put(row, 1, item.name, LABEL)
        sheet.put(row, 2, item.related_targets, LABEL)
        sheet.put(row, total_col + 1, item.owner.name, LABEL)
        for offset, (name, label) in enumerate(FISCAL_FIELDS):
            sheet.put(row + offset, 3, f"{label}（{THOUSAND_YEN}）", LABEL)
            for i, fy in enumerate(years):
                value = _grid_value(stored, fy, name)
                sheet.put(row + offset, 4 + i, value, INPUT, amount_format(value), key=("fiscal", item.pk, fy, name),
                          owner_id=item.owner_id, owner_name=item.owner.name, input_kind=GRID_AMOUNT,
                          label=f"「{item.name}」{fiscal_year_label(fy)} {label}", obj=item)
            value = dec(figures["cumulative"][name])
            sheet.put(row + offset, total_col, value, DERIVED, amount_format(value))
        sheet.put(row + 3, 3, f"総事業費(a+b)（{THOUSAND_YEN}）", LABEL)
        for i, fy in enumerate(years):
            value = dec(totals.get(fy))
            sheet.put(row + 3, 4 + i, value, DERIVED, amount_format(value))
        value = dec(figures["cumulative"]["total"])
        sheet.put(row + 3, total_col, value, DERIVED, amount_format(value))
        row += 4
    sheet.put(row + 1, 1, "白い欄に入力します（「-」は該当なし）。灰色の欄（総事業費・累計）は計算結果で、取り込みません。", INFO)
    return sheet


def _count_sheet(title, what, data_rows, rows, years, fiscal_year) -> Sheet:
    sheet = Sheet(f"別紙3 {title}", widths={1: 40, 2: 16, 3: 14})
    head, total_col = _annex3_header(sheet, [f"{title}措置の状況", "（単位：件。「-」は該当なし）"], years)
    row = head + 1
    for data, item in zip(data_rows, rows):
        figures = count_row_figures(data, fiscal_year)
        stored = {y.fiscal_year: y for y in item.years.all()}
        sheet.put(row, 1, item.name, LABEL)
        sheet.put(row, 2, item.related_targets, LABEL)
        sheet.put(row, 3, what, LABEL)
        sheet.put(row, total_col + 1, item.owner.name, LABEL)
        for i, fy in enumerate(years):
            value = _grid_value(stored, fy, "count")
            sheet.put(row, 4 + i, value, INPUT, FORMAT_INTEGER, key=("count", item.pk, fy),
                      owner_id=item.owner_id, owner_name=item.owner.name, input_kind=GRID_COUNT,
                      label=f"「{item.name}」{fiscal_year_label(fy)} {what}", obj=item)
        sheet.put(row, total_col, figures["cumulative"], DERIVED, FORMAT_INTEGER)
        row += 1
    sheet.put(row + 1, 1, "白い欄に入力します（「-」は該当なし）。灰色の欄（累計）は計算結果で、取り込みません。", INFO)
    return sheet


def _counts_sheet(part5: dict) -> Sheet:
    sheet = Sheet("5 件数", widths={1: 30, 2: 18, 3: 18, 4: 18})
    head = _header(sheet, "5 財政・税制・金融支援の活用実績（件数）", ["（単位：件。この表は参照用で、取り込みません）"])
    for col, text in enumerate(("支援措置", "見出しに記載された件数", "掲げた事業の数", "当該年度に計上する事業の数"), 1):
        sheet.put(head, col, text, LABEL)
    labels = {"fiscal": "① 財政支援（事業件数）", "tax": "② 税制支援（適用件数）", "financial": "③ 金融支援（新規契約件数）"}
    for offset, kind in enumerate(("fiscal", "tax", "financial"), 1):
        figures = part5[kind]
        sheet.put(head + offset, 1, labels[kind], LABEL)
        for col, name in enumerate(("stated", "listed", "counting_this_year"), 2):
            sheet.put(head + offset, col, figures[name], DERIVED, FORMAT_INTEGER)
    return sheet


__all__ = ["build", "Layout", "Sheet", "Cell", "derive"]
