"""Reads an uploaded workbook against the edition's layout (layout.py): what would change, for one authority.

The rules, in the order they are checked; any error refuses the whole file, every error named by sheet and cell:
- the file: at most ``WORKBOOK_MAX_BYTES``, an .xlsx (zip) package of at most ``WORKBOOK_PARTS_MAX`` parts that unpack
  to at most ``WORKBOOK_UNPACKED_MAX_BYTES`` (checked before openpyxl reads it);
- the sheets: exactly the layout's (an unknown sheet or a missing one is refused);
- the shape: every heading and row/column label as the layout has it now (a file of an older shape — a project
  added or renamed since the download — is refused: download it again);
- every input cell: a plain value, never a formula; validated by the same form field as its box on the web (digits,
  decimal places, never negative, full-width digits and commas accepted; 別紙3 cells also take '-');
- a cell whose value differs from the database is a change when the authority may edit it (its owner, and the rules
  say so: ``edit_item`` for 目標値 and 別紙3 rows, ``enter_actual`` for 実績値); otherwise it is IGNORED and listed as
  a notice on the preview: the workbook is a copy of the whole edition, other co-authors go on entering their figures
  after the download, so a difference there is usually their newer figure, not an error the uploader can fix in
  the file — refusing the file for it would block the upload for nothing, silently dropping it would hide a mistake.
Computed cells (合計, 進捗度, 累計, 総事業費) and notes are never read.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django import forms

from ... import limits
from ...reports import models as m
from ...reports.input import display_amount
from ..forms import AmountField, GridCell, _digits
from .layout import AMOUNT, BASE_SHEET, BLANK, GRID_AMOUNT, HEADING, INPUT, LABEL, Layout, canonical


class WorkbookRefused(Exception):
    """The file is refused whole; ``messages`` say where and why, in Japanese."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class Change:
    sheet: str
    ref: str
    label: str
    old: object
    new: object
    key: tuple
    obj: object
    base: str | None = None  # the value at the download ('' blank, '-' nothing), when the file says

    @property
    def old_text(self) -> str:
        return shown(self.old, self.key)

    @property
    def new_text(self) -> str:
        return shown(self.new, self.key)

    @property
    def changed_since_download(self) -> bool:
        """Someone changed the cell in the edition after the download, and the user typed over it too."""
        return self.base is not None and self.base != canonical(self.old, self.key)

    @property
    def base_text(self) -> str:
        if self.base is None:
            return ""
        return shown(BLANK if self.base == "" else (None if self.base == "-" else Decimal(self.base)), self.key)


@dataclass
class Reading:
    changes: list[Change] = field(default_factory=list)
    ignored: list[Change] = field(default_factory=list)  # differences in cells the authority may not edit
    newer: list[Change] = field(default_factory=list)  # cells changed in the edition since the download, left as
    # the file has them (not typed over): the edition's newer value stays
    owners: dict = field(default_factory=dict)  # (sheet, ref) of an ignored cell → whose cell it is


def shown(value, key) -> str:
    """A cell's value as the preview prints it."""
    if value is BLANK or value == BLANK or (value is None and key[0] in ("target", "actual")):
        return "（空欄）"
    if value is None:
        return "-"
    return display_amount(value)


MAX_ERRORS = 20


def where(sheet: str, ref: str | None = None) -> str:
    return f"シート『{sheet}』のセル {ref}：" if ref else f"シート『{sheet}』："


def _open(data: bytes):
    from openpyxl import load_workbook

    if len(data) > limits.WORKBOOK_MAX_BYTES:
        raise WorkbookRefused([f"ファイルが大きすぎます（{len(data) / 1024 / 1024:.1f} MB）。"
                               f"{limits.WORKBOOK_MAX_BYTES // 1024 // 1024} MB までのワークブックを取り込めます。"])
    not_xlsx = "Excel のワークブック（.xlsx）として読めません。ダウンロードしたワークブックに入力して保存したファイルを選んでください。"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            if len(parts) > limits.WORKBOOK_PARTS_MAX:
                raise WorkbookRefused([not_xlsx])
            if sum(p.file_size for p in parts) > limits.WORKBOOK_UNPACKED_MAX_BYTES:
                raise WorkbookRefused([f"ワークブックの中身が大きすぎます（展開すると "
                                       f"{limits.WORKBOOK_UNPACKED_MAX_BYTES // 1024 // 1024} MB を超えます）。"])
            if "xl/workbook.xml" not in package.namelist():
                raise WorkbookRefused([not_xlsx])
    except zipfile.BadZipFile:
        raise WorkbookRefused([not_xlsx]) from None
    try:
        return load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False)
    except WorkbookRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged package
        raise WorkbookRefused([not_xlsx]) from None


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _field(cell):
    if cell.input_kind == AMOUNT:
        return AmountField(label=cell.label)
    model = m.FiscalSupportYear if cell.input_kind == GRID_AMOUNT else m.CountYear
    name = cell.key[3] if cell.input_kind == GRID_AMOUNT else "count"
    return GridCell(label=cell.label, integer=cell.input_kind != GRID_AMOUNT, **_digits(model, name))


def _typed(xc) -> str:
    """What was typed into the cell, as text for the form field; raises ValidationError for what is no value."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    value = xc.value
    if xc.data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula)) or (
            isinstance(value, str) and value.startswith("=")):
        raise forms.ValidationError("数式は取り込めません。計算式ではなく数値を入力してください。")
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise forms.ValidationError("数値で入力してください。")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _base(book) -> dict:
    """{(sheet, ref): value at the download} from the very hidden sheet; {} when the file has none (then every
    difference from the edition counts as typed)."""
    if BASE_SHEET not in book.sheetnames:
        return {}
    base = {}
    for row in book[BASE_SHEET].iter_rows(max_col=3, values_only=True):
        if len(row) == 3 and all(isinstance(v, str) or v is None for v in row) and row[0] and row[1]:
            value = row[2] or ""
            if value not in ("", "-"):
                try:
                    value = format(Decimal(value).normalize(), "f")
                except ArithmeticError:  # not what the export wrote: as if the file said nothing of the cell
                    continue
            base[(row[0], row[1])] = value
    return base


def read(data: bytes, layout: Layout, authority, may_edit) -> Reading:
    """What the file changes for ``authority``; ``may_edit(cell)`` answers for one input cell (the rules).

    A cell counts as typed by the user when it differs from its value at the download (the hidden sheet); one that
    does not, while the edition changed since, keeps the edition's newer value (listed as ``newer``)."""
    book = _open(data)
    base = _base(book)
    errors: list[str] = []
    expected = [s.name for s in layout.sheets]
    for name in book.sheetnames:
        if name not in expected and name != BASE_SHEET:
            errors.append(f"シート『{name}』はこの評価書のワークブックにないシートです。シートを追加・改名せずに入力してください。")
    for name in expected:
        if name not in book.sheetnames:
            errors.append(f"シート『{name}』がありません。この評価書のワークブックをダウンロードし直して入力してください。")
    if errors:
        raise WorkbookRefused(errors[:MAX_ERRORS])
    reading = Reading()
    for sheet in layout.sheets:
        ws = book[sheet.name]
        for cell in sheet.cells:
            xc = ws.cell(cell.row, cell.column)
            if cell.role in (HEADING, LABEL):
                if _text(xc.value) != _text(cell.value):
                    errors.append(where(sheet.name, cell.ref) + f"表の形がこの評価書と違います（「{_text(cell.value)}」の欄"
                                  "です）。行や列を追加・削除せず、最新のワークブックをダウンロードし直して入力してください。")
                continue
            if cell.role != INPUT:
                continue
            try:
                new = _field(cell).clean(_typed(xc))
            except forms.ValidationError as error:
                errors.append(where(sheet.name, cell.ref) + error.messages[0])
                continue
            old = cell.value
            if cell.key[0] in ("target", "actual"):
                new = None if new == "" else new
            if canonical(old, cell.key) == canonical(new, cell.key):
                continue
            at_download = base.get((sheet.name, cell.ref))
            change = Change(sheet.name, cell.ref, cell.label, old, new, cell.key, cell.obj, at_download)
            if at_download is not None and at_download == canonical(new, cell.key):
                reading.newer.append(change)  # not typed over: the edition's newer value stays
            elif cell.owner_id == authority.pk and may_edit(cell):
                reading.changes.append(change)
            else:
                reading.ignored.append(change)
                reading.owners[(sheet.name, cell.ref)] = cell.owner_name
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise WorkbookRefused(errors[:MAX_ERRORS])
    return reading
