"""Writes a workbook layout (layout.py) as an .xlsx file with openpyxl.

Every sheet is protected (without a password: the lock says "not to be typed into", it is no security — the import
never reads those cells anyway). Input cells that the workbook is for are unlocked and marked (pale yellow, the
owner named in a comment); computed cells are grey and locked; other authorities' input cells are locked and white.
"""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from .layout import BASE_SHEET, BLANK, DERIVED, HEADING, INFO, INPUT, LABEL, Layout, canonical

GREY = PatternFill("solid", fgColor="D9D9D9")
MINE = PatternFill("solid", fgColor="FFF2CC")
HEAD = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)


def _excel_value(value):
    if value is None:
        return "-"  # '-': nothing (a 別紙3 cell), as the document prints it
    if value == BLANK:
        return None
    return value


def write(layout: Layout, authority_id: int | None = None) -> bytes:
    """The .xlsx bytes. ``authority_id``: the co-author whose cells are open to typing; None opens every input
    cell (the coordinator's whole workbook)."""
    book = Workbook()
    book.remove(book.active)
    for sheet in layout.sheets:
        ws = book.create_sheet(sheet.name)
        for column, width in sheet.widths.items():
            ws.column_dimensions[ws.cell(1, column).column_letter].width = width
        for cell in sheet.cells:
            xc = ws.cell(cell.row, cell.column)
            if cell.role == INPUT:
                value = cell.value
                if cell.key[0] in ("target", "actual") and value is None:
                    value = BLANK  # a 別紙1 cell: blank is "no figure"
                xc.value = _excel_value(value)
                xc.number_format = cell.number_format
                xc.border = BOX
                xc.alignment = Alignment(horizontal="right")
                if authority_id is None or cell.owner_id == authority_id:
                    xc.protection = UNLOCKED
                    xc.fill = MINE
                    xc.comment = Comment(f"{cell.owner_name}が入力する欄", "zoneeval")
                else:
                    xc.protection = LOCKED
            elif cell.role == DERIVED:
                xc.value = float(cell.value) if isinstance(cell.value, Decimal) else cell.value
                xc.number_format = cell.number_format
                xc.fill, xc.border, xc.protection = GREY, BOX, LOCKED
                xc.alignment = Alignment(horizontal="right")
            else:
                xc.value = cell.value
                xc.protection = LOCKED
                if cell.role == HEADING:
                    xc.font = Font(bold=True, size=12)
                elif cell.role == INFO:
                    xc.font = Font(size=9, color="595959")
                elif cell.role == LABEL and cell.row > 1:
                    xc.alignment = Alignment(wrap_text=False, vertical="center")
        rows = {c.row for c in sheet.cells if c.role in (INPUT, DERIVED)}
        columns = {c.column for c in sheet.cells if c.role in (INPUT, DERIVED)}
        for cell in sheet.cells:  # a label inside a table (a column head, a row head) is boxed and shaded
            if cell.role == LABEL and cell.row > 2 and (cell.row in rows or cell.column in columns):
                xc = ws.cell(cell.row, cell.column)
                xc.fill, xc.border = HEAD, BOX
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.freeze_panes = None
    _write_base(book, layout)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_base(book, layout: Layout) -> None:
    """Every input cell's value at the download, on a very hidden sheet (Excel and LibreOffice keep it): the import
    tells what the user typed (a cell that differs from it) from what others changed since (a cell that does not)."""
    ws = book.create_sheet(BASE_SHEET)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for sheet, cell in layout.inputs():
        ws.append([sheet.name, cell.ref, canonical(cell.value, cell.key)])


def file_name(edition, authority=None) -> str:
    who = f"-{authority.slug}" if authority else ""
    return f"{edition.zone.slug}-{edition.fiscal_year}{who}-figures.xlsx"
