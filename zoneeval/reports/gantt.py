"""The 別紙1-2 schedule: an HTML table for the words, and ONE SVG drawing per printed page for the rules, the time
axis, the bars, the milestones and their labels, laid over the table.

Why this shape: the words (事業, 区分, 内容) stay a real table, so the layout engine wraps Japanese text with its own
line-breaking rules, a cell can never lose a glyph (a table row grows rather than overflow), and the tagged PDF and
screen readers get table headers and cells. The drawing needs every row's height before layout, so the rows are given
their height here: each row is a whole number of "row lines" (``ROW_LINE`` em), at least as many as its longest cell
needs by the conservative estimate of :mod:`text_metrics`; an invisible spacer in the row's time-axis cell
(``spacer_lines`` lines of ``ROW_LINE`` em) makes the row exactly that tall. Text is set at ``TEXT_LINE`` em, a little
less than ``ROW_LINE``, so a line made taller by a fallback font still fits. The table has no borders of its own: the
drawing draws every rule, so no border width enters the row pitch. Everything is in em of the schedule's font size
(``PRINT_FONT_PT`` in the PDF; the web preview sets its own size and the same geometry scales with it).

An SVG cannot break across pages, so the schedule is paginated here (``pages``): each page is one table (with its
head) and one drawing. Rows are kept whole, a 解決策 heading stays with the row after it, a 事業 is kept on one page
when it fits on an empty one, and a 事業 or a row taller than a page continues on the next with 「（続き）」.

The time axis: one column per plan month, April of the first plan year to March of the last. Month numbers are printed
for every month, quarter, half-year or year start, whichever is the finest that fits at the schedule's font size. Dates
are 和暦 (:mod:`era`), also across the Heisei → Reiwa change of May 2019. Milestone labels (「令和2年1月 医療機器製造販
売承認」) are set under the bar, beside their ◆ (right of it, or left when the right has no room), in the first lane of
the row where they do not overlap another label.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import era
from .text_metrics import text_width, wrap

# ---- geometry (em of the schedule's font size) -------------------------------------------------------------------
PRINT_FONT_PT = 7.5  # the schedule's font size in the PDF (print.css, .print .gantt-page); every label is 1 em
COLUMNS = (13.0, 8.5, 24.5)  # 事業, 区分, 内容; the time axis takes the rest of WIDTH
WIDTH = 102.0  # the table: 765 pt at 7.5 pt, inside the 273 mm (774 pt) of an A4 landscape page less 12 mm margins
PAD_X, PAD_Y = 0.4, 0.3  # cell padding
ROW_LINE = 1.4  # the pitch of one row line
TEXT_LINE = 1.3  # the line height of the text in the cells (less than ROW_LINE: room for a taller fallback line)
WRAP_SLACK = 0.5  # em each estimated line leaves unused, against rounding in the layout engine
HEAD_LINES = 2  # the head row: years, then months
# The printed page: A4 landscape less 14 mm top and bottom margins (print.css, @page landscape) is 182 mm = 68.8 em at
# 7.5 pt. The first page also carries the annex label, the heading, the zone line and the legend.
# Measured on the sample: the table starts 11.7 em below the first page's top; 3 em are left spare on every page for
# changes of the headings or margins (a page that still overflows moves whole to the next: break-inside: avoid).
PAGE_HEIGHT = 66.0
FIRST_PAGE_HEIGHT = 54.0

SCALE = 10  # SVG user units per em (font-size 10 = 1 em)
AXIS_X = sum(COLUMNS)
AXIS_WIDTH = WIDTH - AXIS_X
BAR_HEIGHT = 0.8
DIAMOND = 0.5  # half diagonal of a milestone ◆
LABEL_GAP = 0.35  # between a ◆ and its label
LABEL_SPACING = 0.8  # between two labels in one lane
MONTH_LABEL_INSET = 0.2  # a month number starts this far right of its tick
MINOR_TICK = 0.35  # height of the tick of a month without a number


def _em(value: float) -> float:
    return round(value * SCALE, 2)


def _month_index(month: str, first_fiscal_year: int) -> int:
    year, m = (int(x) for x in month.split("-"))
    return (year * 12 + m - 1) - (first_fiscal_year * 12 + 3)


def _month_parts(month: str) -> tuple[int, int]:
    year, m = (int(x) for x in month.split("-"))
    return year, m


def month_label(month: str) -> str:
    """'2019-09' → 令和元年9月; '2019-04' → 平成31年4月."""
    return era.month_label(*_month_parts(month))


def _text_alternative(bars: list[dict], milestones: list[dict]) -> str:
    """What a row's bars and milestones say, in words and 和暦."""
    said = [f"実施期間 {month_label(bar['start'])}～{month_label(bar['end'])}" for bar in bars]
    said += [f"マイルストーン {month_label(m['month'])} {m['label']}".strip() for m in milestones]
    return "、".join(said) or "実施期間・マイルストーンの記載なし"


def _cell_width(index: int) -> float:
    return COLUMNS[index] - 2 * PAD_X - WRAP_SLACK


@dataclass
class _Label:
    x: float  # em from the left of the time axis, where the text starts (anchor start) or ends (anchor end)
    lane: int
    anchor: str
    lines: tuple[str, ...]
    mark_x: float


def _place_labels(milestones: list[dict]) -> list[_Label]:
    """Lanes under the bar for the milestone labels of one row: beside its ◆, never over another label."""
    taken: dict[int, list[tuple[float, float]]] = {}

    def free(lane: int, start: float, end: float) -> bool:
        return all(end + LABEL_SPACING <= a or start >= b + LABEL_SPACING for a, b in taken.get(lane, []))

    placed = []
    for m in sorted(milestones, key=lambda m: m["x"]):
        lines = wrap(m["text"], AXIS_WIDTH - 2 * LABEL_GAP) or ("",)
        width = max(text_width(line) for line in lines)
        x = m["x"]
        right = (x + LABEL_GAP, x + LABEL_GAP + width)
        left = (x - LABEL_GAP - width, x - LABEL_GAP)
        options = [(right, "start", right[0]), (left, "end", left[1])]
        options = [o for o in options if o[0][0] >= 0 and o[0][1] <= AXIS_WIDTH]
        if not options:  # neither side has room: as near the ◆ as the axis allows
            start = max(0.0, min(x - width / 2, AXIS_WIDTH - width))
            options = [((start, start + width), "start", start)]
        lane = 0
        while True:
            fitting = [o for o in options if all(free(lane + k, *o[0]) for k in range(len(lines)))]
            if fitting:
                (start, end), anchor, at = fitting[0]
                for k in range(len(lines)):
                    taken.setdefault(lane + k, []).append((start, end))
                placed.append(_Label(at, lane, anchor, lines, x))
                break
            lane += 1
    return placed


@dataclass
class _Item:
    """One item of a project, measured: its text lines per column and what its time-axis cell draws."""
    label_lines: tuple[str, ...]
    text_lines: tuple[str, ...]
    bars: list[dict]
    milestones: list[dict]
    labels: list[_Label]
    alternative: str

    @property
    def axis_lines(self) -> int:
        return 1 + max((label.lane + len(label.lines) for label in self.labels), default=0)


@dataclass
class _Row:
    kind: str  # "solution" or "item"
    lines: int
    solution: int | None = None
    label: str = ""
    text: str = ""
    item: _Item | None = None
    draw_labels: bool = True
    project: dict | None = None  # the project cell, on the first row of a project on a page
    project_number: int | None = None
    anchor: str = ""


@dataclass
class _Page:
    rows: list[_Row] = field(default_factory=list)
    lines: float = 0.0  # height used, in em


def _row_height(lines: int) -> float:
    return lines * ROW_LINE + 2 * PAD_Y


HEAD_HEIGHT = _row_height(HEAD_LINES)


def _measure(project: dict, first: int, months: int) -> list[_Item]:
    items = []
    for item in project["items"]:
        bars = []
        for bar in item["bars"]:
            start = max(0, _month_index(bar["start"], first))
            end = min(months - 1, _month_index(bar["end"], first))
            if end >= start:
                bars.append({"start_index": start, "end_index": end, "start": bar["start"], "end": bar["end"]})
        milestones = [
            {"x": (_month_index(m["month"], first) + 0.5) * AXIS_WIDTH / months, "month": m["month"],
             "label": m["label"], "text": f"{month_label(m['month'])} {m['label']}".strip()}
            for m in item["milestones"] if 0 <= _month_index(m["month"], first) < months
        ]
        items.append(_Item(
            label_lines=wrap(item["label"], _cell_width(1)), text_lines=wrap(item["text"], _cell_width(2)),
            bars=bars, milestones=milestones, labels=_place_labels(milestones),
            alternative=_text_alternative(bars, milestones),
        ))
    return items


def _paginate(projects: list[dict], first: int, months: int, page_heights: tuple[float, float] | None) -> list[_Page]:
    """The rows of the schedule on pages (one page without limit when ``page_heights`` is None: the web preview)."""
    limit_first, limit = page_heights or (1e9, 1e9)
    pages = [_Page()]

    def room() -> float:
        return (limit_first if len(pages) == 1 else limit) - HEAD_HEIGHT - pages[-1].lines

    def new_page():
        pages.append(_Page())

    def lines_fitting(space: float) -> int:
        return max(0, int((space - 2 * PAD_Y + 1e-9) // ROW_LINE))

    def full_page_lines() -> int:
        return lines_fitting(limit - HEAD_HEIGHT)

    def add(row: _Row):
        pages[-1].rows.append(row)
        pages[-1].lines += _row_height(row.lines)

    solution = None
    for project in projects:
        items = _measure(project, first, months)
        title_lines = (f"事業{project['number']}",) + wrap(project["title"], _cell_width(0))
        rows = []
        for item in items:
            need = max(len(item.label_lines), len(item.text_lines), item.axis_lines, 1)
            rows.append((item, need))
        if not rows:
            rows.append((None, 1))
        first_row_lines = rows[0][1]
        block = sum(_row_height(n) for _, n in rows)
        block = max(block, _row_height(len(title_lines)) + _row_height(1) * (len(rows) - 1))
        heading = _row_height(1) if project["solution"] != solution else 0.0
        if pages[-1].rows and block + heading > room() and block + heading <= limit - HEAD_HEIGHT:
            new_page()  # keep the 事業 on one page when it fits on an empty one
        elif pages[-1].rows and heading + _row_height(min(first_row_lines, full_page_lines())) > room():
            new_page()  # a 解決策 heading or a 事業's first line never alone at the foot of a page
        if heading:
            solution = project["solution"]
            add(_Row("solution", 1, solution=solution))

        remaining_title = list(title_lines)
        page_rows: list[_Row] = []  # this project's rows on the current page

        def close_project_cell(continued: bool):
            """The project cell of this page: as many title lines as its rows hold, the rest goes on."""
            nonlocal remaining_title
            if not page_rows:
                return
            held = sum(_row_height(r.lines) for r in page_rows) - 2 * PAD_Y
            capacity = lines_fitting(held + 2 * PAD_Y)
            shown = remaining_title[:capacity] if continued else remaining_title
            deficit = len(shown) - capacity
            if deficit > 0:  # the last item grows to hold the title
                page_rows[-1].lines += deficit
                pages[-1].lines += deficit * ROW_LINE
            page_rows[0].project = {"rowspan": len(page_rows), "heading": shown[0] if shown else "",
                                    "title": "".join(shown[1:])}
            remaining_title = remaining_title[len(shown):]
            if remaining_title or continued:
                remaining_title = [f"事業{project['number']}（続き）"] + remaining_title
            page_rows.clear()

        for index, (item, need) in enumerate(rows):
            label_lines = list(item.label_lines) if item else []
            text_lines = list(item.text_lines) if item else []
            first_piece = True
            while True:
                fits = lines_fitting(room())
                too_short = first_piece and (need <= full_page_lines() or item is not None and fits < item.axis_lines)
                if fits < 1 or (too_short and need > fits and pages[-1].rows):
                    close_project_cell(continued=True)
                    new_page()
                    continue
                take = min(need, fits)
                row = _Row("item", take, label="".join(label_lines[:take]), text="".join(text_lines[:take]),
                           item=item, draw_labels=first_piece, project_number=project["number"],
                           anchor=f"schedule-project-{project['number']}" if index == 0 and first_piece else "")
                label_lines, text_lines = label_lines[take:], text_lines[take:]
                add(row)
                page_rows.append(row)
                need -= take
                first_piece = False
                if need <= 0:
                    break
                close_project_cell(continued=True)
                new_page()
        # The title may still need more lines than the rows took: the last row grows, or the title goes on.
        while len(remaining_title) > sum(r.lines for r in page_rows) + lines_fitting(room()):
            extra = lines_fitting(room())
            page_rows[-1].lines += extra
            pages[-1].lines += extra * ROW_LINE
            close_project_cell(continued=True)
            new_page()
            continuation = _Row("item", 1, item=None, draw_labels=False, project_number=project["number"])
            add(continuation)
            page_rows.append(continuation)
        close_project_cell(continued=False)
    return [page for page in pages if page.rows]


def _head(first: int, last: int, months: int, current: int) -> dict:
    month_width = AXIS_WIDTH / months
    years = []
    for fy in range(first, last + 1):
        x = (fy - first) * 12 * month_width
        label = era.fiscal_year_short(fy)
        if text_width(label) > 12 * month_width - 0.4:
            label = era.fiscal_year_short_plain(fy)
        if text_width(label) > 12 * month_width - 0.4:
            label = ""
        years.append({"x": _em(AXIS_X + x), "width": _em(12 * month_width), "center": _em(AXIS_X + x + 6 * month_width),
                      "label": label, "shade": (fy - first) % 2 == 1, "current": fy == current})
    widest = max(text_width(str(m)) for m in range(1, 13)) + MONTH_LABEL_INSET + 0.3
    step = next((s for s in (1, 3, 6, 12) if s * month_width >= widest), 12)
    month_labels = [  # from the tick that starts the month
        {"x": _em(AXIS_X + i * month_width + MONTH_LABEL_INSET), "label": (i + 3) % 12 + 1}
        for i in range(0, months, step)
    ]
    return {"years": years, "months": month_labels, "step": step, "month_width": month_width}


def _draw(page: _Page, head: dict, months: int, highlight: tuple[int, int] | None, summary: str) -> dict:
    """Coordinates (SVG user units) of everything one page's drawing draws."""
    month_width = AXIS_WIDTH / months
    grid = []  # path commands

    def hline(y, x1, x2):
        grid.append(f"M{_em(x1)} {_em(y)}H{_em(x2)}")

    def vline(x, y1, y2):
        grid.append(f"M{_em(x)} {_em(y1)}V{_em(y2)}")

    edges = [0.0]
    for width in COLUMNS:
        edges.append(edges[-1] + width)
    hline(0, 0, WIDTH)
    for x in edges[1:]:
        vline(x, 0, HEAD_HEIGHT)
    year_half = PAD_Y + ROW_LINE
    hline(year_half, AXIS_X, WIDTH)
    ticks = []  # a full tick where a month number starts, a short one at every other month
    for i in range(1, months):
        if i % 12:
            tick_top = year_half if i % head["step"] == 0 else HEAD_HEIGHT - MINOR_TICK
            ticks.append(f"M{_em(AXIS_X + i * month_width)} {_em(tick_top)}V{_em(HEAD_HEIGHT)}")
    y = HEAD_HEIGHT
    bars, marks, labels, year_lines, alternatives = [], [], [], [], []
    project_open_until = 0  # index of the last row covered by the current project cell
    for index, row in enumerate(page.rows):
        row_height = _row_height(row.lines)
        top, bottom = y, y + row_height
        if row.kind == "solution":
            hline(top, 0, WIDTH)
            alternatives.append(f"解決策{row.solution}")
        else:
            starts_project = row.project is not None
            hline(top, 0 if starts_project or index > project_open_until else COLUMNS[0], WIDTH)
            if starts_project:
                project_open_until = index + row.project["rowspan"] - 1
            for x in edges[1:]:
                vline(x, top, bottom)
            band = top + PAD_Y + ROW_LINE / 2
            item = row.item
            if item is not None:
                for bar in item.bars:
                    bars.append({"x": _em(AXIS_X + bar["start_index"] * month_width), "y": _em(band - BAR_HEIGHT / 2),
                                 "width": _em((bar["end_index"] - bar["start_index"] + 1) * month_width),
                                 "height": _em(BAR_HEIGHT)})
                if row.draw_labels:
                    for m in item.milestones:
                        cx, d = AXIS_X + m["x"], DIAMOND
                        marks.append(f"M{_em(cx)} {_em(band - d)}L{_em(cx + d)} {_em(band)}L{_em(cx)} {_em(band + d)}"
                                     f"L{_em(cx - d)} {_em(band)}Z")
                    for label in item.labels:
                        for k, line in enumerate(label.lines):
                            baseline = top + PAD_Y + ROW_LINE * (label.lane + k + 1) + ROW_LINE / 2 + 0.35
                            width = text_width(line)
                            left = AXIS_X + label.x - (width if label.anchor == "end" else 0)
                            labels.append({"x": _em(AXIS_X + label.x), "y": _em(baseline), "anchor": label.anchor,
                                           "text": line, "box_x": _em(left - 0.1), "box_y": _em(baseline - 0.95),
                                           "box_width": _em(width + 0.2), "box_height": _em(1.2)})
                    head_text = f"事業{row.project_number}"
                    words = " ".join(filter(None, [row.label, row.text]))[:60]
                    alternatives.append(f"{head_text} {words}：{item.alternative}")
        y = bottom
    hline(y, 0, WIDTH)
    vline(0, 0, y)
    vline(WIDTH, 0, y)
    for year in head["years"][1:]:
        year_lines.append(f"M{year['x']} 0V{_em(y)}")
    shade = None
    if highlight is not None:
        start, end = highlight
        shade = {"x": _em(AXIS_X + start * month_width), "y": _em(HEAD_HEIGHT),
                 "width": _em((end - start) * month_width), "height": _em(y - HEAD_HEIGHT)}
    description = "。".join(alternatives)
    return {
        "view_box": f"0 0 {_em(WIDTH)} {_em(y)}", "width_em": WIDTH, "height_em": round(y, 3),
        "grid": "".join(grid), "ticks": "".join(ticks), "year_lines": "".join(year_lines), "bars": bars,
        "marks": "".join(marks), "labels": labels, "shade": shade, "year_band_height": _em(year_half),
        "head_height": _em(HEAD_HEIGHT), "year_label_y": _em(PAD_Y + ROW_LINE / 2 + 0.35),
        "month_label_y": _em(year_half + ROW_LINE / 2 + 0.35 + PAD_Y / 2),
        "title": f"{summary}。{description}" if description else summary, "label": summary,
        "desc": description,
    }


def _template_groups(page: _Page) -> list[dict]:
    """The page's rows in groups, one per 解決策 heading (a page may begin inside a 解決策: a group without one)."""
    groups: list[dict] = []
    for row in page.rows:
        if row.kind == "solution":
            groups.append({"solution": row.solution, "rows": []})
            continue
        if not groups:
            groups.append({"solution": None, "rows": []})
        groups[-1]["rows"].append({
            "anchor": row.anchor, "project": row.project, "label": row.label, "text": row.text,
            "spacer": range(row.lines - 1),
            "alternative": row.item.alternative if row.item is not None and row.draw_labels else "",
        })
    return groups


def schedule(snapshot: dict) -> dict:
    """What annex1_2.html draws: ``print_pages`` (one table and one drawing per printed page) and ``screen_pages``
    (the web preview: the whole schedule as one table and one drawing)."""
    plan = snapshot["edition"]["plan_period"]
    first, last = plan["first_fiscal_year"], plan["last_fiscal_year"]
    months = (last - first + 1) * 12
    current = snapshot["edition"]["fiscal_year"]
    highlight = ((current - first) * 12, (current - first + 1) * 12) if first <= current <= last else None
    head = _head(first, last, months, current)
    projects = snapshot["parts"]["annex1_2"]["projects"]
    range_label = era.fiscal_year_range_label(first, last)

    def pages_of(page_heights):
        pages = _paginate(projects, first, months, page_heights)
        drawn = []
        for number, page in enumerate(pages, start=1):
            of = f"（{number}/{len(pages)}ページ）" if len(pages) > 1 else ""
            summary = (f"目標達成に向けた実施スケジュールの工程表{of}：{range_label}の各月に、事業の実施期間を横棒、"
                       f"マイルストーンを◆で示す")
            drawn.append({"number": number, "count": len(pages), "groups": _template_groups(page),
                          "drawing": _draw(page, head, months, highlight, summary)})
        return drawn

    return {
        "head": head, "months": months, "columns": COLUMNS,
        "print_pages": pages_of((FIRST_PAGE_HEIGHT, PAGE_HEIGHT)),
        "screen_pages": pages_of(None),
    }
