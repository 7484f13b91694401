"""Reading a rendered PDF's pages back with pdfplumber: glyph positions, lines, page fill. Used by test_pdf_pages.py
(and handy from a shell: ``python -m tests.pdf_pages x.pdf``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4
# The page margins of static/css/print.css (@page and @page landscape): top/bottom hold the running header and the
# page number, so the body is what lies between them.
MARGINS_MM = {"portrait": (18, 16), "landscape": (14, 12)}  # (top/bottom, left/right)
YEAR_LABEL = re.compile(r"(?:明治|大正|昭和|平成|令和)(?:元|[0-9]{1,2})年度")
BULLETS = "•・･"


@dataclass
class Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    bold: bool  # every glyph of the line is bold (headings, captions, table heads)


@dataclass
class Page:
    number: int
    width: float
    height: float
    chars: list
    v_edges: list
    lines: list  # body lines (inside the top/bottom margins), top to bottom

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def margins(self) -> tuple[float, float]:
        top, side = MARGINS_MM["landscape" if self.landscape else "portrait"]
        return top * MM, side * MM

    @property
    def fill(self) -> float:
        """Share of the body's height that holds text or table rules: 0 for an empty page, 1 for a full one."""
        top_margin, _ = self.margins
        body = self.height - 2 * top_margin
        tops = [line.top for line in self.lines]
        bottoms = [line.bottom for line in self.lines]
        if not tops:
            return 0.0
        return max(0.0, min(1.0, (max(bottoms) - min(tops)) / body))

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _lines(chars, top_limit, bottom_limit) -> list[Line]:
    """Body characters grouped into visual lines (same baseline within a third of the glyph size)."""
    body = sorted((c for c in chars if c["top"] >= top_limit and c["bottom"] <= bottom_limit and c["text"].strip()),
                  key=lambda c: (round(c["bottom"], 0), c["x0"]))
    lines: list[list] = []
    for char in body:
        if lines and abs(lines[-1][-1]["bottom"] - char["bottom"]) <= char["size"] / 3:
            lines[-1].append(char)
        else:
            lines.append([char])
    result = []
    for group in lines:
        group.sort(key=lambda c: c["x0"])
        result.append(Line(min(c["top"] for c in group), max(c["bottom"] for c in group),
                           group[0]["x0"], group[-1]["x1"], "".join(c["text"] for c in group),
                           all("Bold" in c["fontname"] for c in group)))
    return result


def read(path) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars = list(page.chars)
            v_edges = [e for e in page.edges if e["orientation"] == "v"]
            top_margin = (14 if page.width > page.height else 18) * MM
            p = Page(page.page_number, float(page.width), float(page.height), chars, v_edges, [])
            p.lines = _lines(chars, top_margin - 0.5, p.height - top_margin + 0.5)
            pages.append(p)
    return pages


def glyphs_off_page(page: Page) -> list[str]:
    """Glyphs not wholly inside the page box, or left/right of the printable area."""
    _, side = page.margins
    bad = []
    for c in page.chars:
        if not c["text"].strip():
            continue
        if c["x0"] < side - 1 or c["x1"] > page.width - side + 1 or c["top"] < 0 or c["bottom"] > page.height:
            bad.append(f"p.{page.number} {c['text']!r} x={c['x0']:.1f}–{c['x1']:.1f} y={c['top']:.1f}")
    return bad


def glyphs_across_rules(page: Page) -> list[str]:
    """Glyphs that a vertical table rule passes through: text that left its cell."""
    bad = []
    for c in page.chars:
        if not c["text"].strip():
            continue
        x0, x1, top, bottom = c["x0"] + 0.6, c["x1"] - 0.6, c["top"] + 1, c["bottom"] - 1
        for e in page.v_edges:
            if x0 < e["x0"] < x1 and e["top"] < bottom and e["bottom"] > top:
                bad.append(f"p.{page.number} {c['text']!r} at x={c['x0']:.1f} crosses a rule at x={e['x0']:.1f}")
                break
    return bad


def split_year_labels(page: Page) -> list[str]:
    """和暦 year labels (令和元年度) whose characters are not on one line."""
    stream = [c for c in page.chars if c["text"].strip()]
    text = "".join(c["text"] for c in stream)
    bad = []
    for match in YEAR_LABEL.finditer(text):
        chars = stream[match.start():match.end()]
        on_one_line = max(c["bottom"] for c in chars) - min(c["bottom"] for c in chars) <= chars[0]["size"] / 2
        # Prose wraps a year at the edge of its text block (the rest starts far left); a label broken inside its
        # cell has its pieces stacked in a column no wider than the label.
        in_a_column = max(c["x1"] for c in chars) - min(c["x0"] for c in chars) < len(chars) * chars[0]["size"] + 2
        if not on_one_line and in_a_column:
            bad.append(f"p.{page.number} {match.group(0)}")
    return bad


def line_bullets(page: Page) -> set[str]:
    """The bullet characters that begin a line of the page."""
    return {line.text[0] for line in page.lines if line.text and line.text[0] in BULLETS}


if __name__ == "__main__":
    import sys

    for p in read(sys.argv[1]):
        last = p.lines[-1].text if p.lines else ""
        print(f"p.{p.number:>2} {'L' if p.landscape else 'P'} fill {p.fill:4.0%} off {len(glyphs_off_page(p))} "
              f"cross {len(glyphs_across_rules(p))} split {split_year_labels(p)} bullets {''.join(sorted(line_bullets(p)))}"
              f" last: {last[:40]}")


def first_cell_of_continued_table(page: Page, head_text: str) -> str | None:
    """On a page where a table's head (its line begins with ``head_text``) is repeated, the text in the first
    column of the first row below it; None if the head is not on the page. An empty string means a row was split
    or a rowspan cell (別紙1-2's 事業) was left behind on the previous page."""
    heads = [line for line in page.lines if line.text.startswith(head_text)]
    if not heads:
        return None
    head = heads[0]
    rules = []
    for x in sorted(e["x0"] for e in page.v_edges if e["top"] <= head.bottom <= e["bottom"]):
        if not rules or x - rules[-1] > 2:  # a cell border is drawn as two edges close together
            rules.append(x)
    if len(rules) < 2:
        return None
    text_columns_end = rules[min(3, len(rules) - 1)]  # past the head's drawing (別紙1-2's months): the text columns

    def in_text_columns(line):
        return any(rules[0] < c["x0"] and c["x1"] <= text_columns_end and abs(c["bottom"] - line.bottom) < 2
                   and c["text"].strip() for c in page.chars)

    below = [line for line in page.lines if line.top > head.bottom + 1 and in_text_columns(line)]
    if not below:
        return None
    first = below[0]
    return "".join(c["text"] for c in sorted(page.chars, key=lambda c: c["x0"])
                   if rules[0] < c["x0"] and c["x1"] <= rules[1] and abs(c["bottom"] - first.bottom) < 2)
