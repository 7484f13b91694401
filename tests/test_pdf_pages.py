"""The pages of the official PDF, read back glyph by glyph (pdfplumber): nothing leaves its cell or the page, and
the pages flow. Checked on the FY2019 sample, on a fictional zone of nine co-authors with long names and on a fictional
地域活性化 zone with level targets and a partner body."""
import json
import re
import subprocess
from html.parser import HTMLParser

import pytest

from zoneeval.assembly.render import document_html, render_pdf
from zoneeval.reports.figures import derive
from zoneeval.reports.templatetags.report_format import rich

from . import pdf_pages
from .conftest import ROOT

SAMPLES = {"keihin": "keihin-fy2019.json", "kyushu": "kyushu-kanko-fy2018.json", "shiomi": "shiomi-fy2015.json"}
# The head of the 別紙1-2 table, repeated on each of its pages.
SCHEDULE_HEAD = "事業区分内容"
# A page whose body is less than this share of the page's height is "nearly empty".
MIN_FILL = 0.3


# Each sample as it is, and with the edition's option of the 別紙1 charts switched on (a chart per numerical target).
VARIANTS = sorted(SAMPLES) + [f"{name}+charts" for name in sorted(SAMPLES)]


@pytest.fixture(scope="module", params=VARIANTS)
def rendered(request, tmp_path_factory):
    name, _, option = request.param.partition("+")
    snapshot = json.loads((ROOT / "zoneeval" / "samples" / SAMPLES[name]).read_text(encoding="utf-8"))
    snapshot["edition"]["annex1_charts"] = option == "charts"
    snapshot["derived"] = derive(snapshot)
    html = document_html(snapshot)
    assert ("chart-drawing" in html) == (option == "charts")
    path = tmp_path_factory.mktemp("pages") / f"{name}-{option or 'plain'}.pdf"
    path.write_bytes(render_pdf(snapshot, html).pdf)
    return {"snapshot": snapshot, "html": html, "path": path, "pages": pdf_pages.read(path)}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Headings(HTMLParser):
    """Texts that introduce what follows: headings, captions, labels, table heads, the 解決策 rows of 別紙1-2."""
    TAGS = {"h1", "h2", "h3", "h4", "h5", "caption"}
    CLASSES = {"label", "group-heading", "annex-label", "gantt-solution", "expected-label"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts, self.in_thead = [], [], 0

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        self.in_thead += tag == "thead"
        heading = tag in self.TAGS or bool(classes & self.CLASSES) or (self.in_thead and tag == "th")
        self.stack.append((tag, heading, len(self.texts)))
        if heading:
            self.texts.append("")

    def handle_endtag(self, tag):
        self.in_thead -= tag == "thead"
        while self.stack:
            open_tag, _, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, heading, index in self.stack:
            if heading:
                self.texts[index] += data


def _headings(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    return [t for t in (_flat(text) for text in parser.texts) if t]


def test_every_glyph_lies_inside_the_page_and_its_printable_width(rendered):
    assert rendered["pages"]
    off = [bad for page in rendered["pages"] for bad in pdf_pages.glyphs_off_page(page)]
    assert off == []


def test_no_glyph_crosses_a_table_rule(rendered):
    """A glyph that a cell's vertical border passes through has left its cell (nowrap names, amounts, labels)."""
    # The schedule's pages are a drawing over the table (its labels sit on a white ground over the month lines);
    # tests/test_schedule.py checks their glyphs against the drawing's own rows and lines.
    pages = [page for page in rendered["pages"] if SCHEDULE_HEAD not in _flat(page.text)]
    assert any(page.v_edges for page in pages)
    crossing = [bad for page in pages for bad in pdf_pages.glyphs_across_rules(page)]
    assert crossing == []


def test_every_body_name_is_printed_whole_in_annex4(rendered):
    pages = rendered["pages"]
    first = next(p.number for p in pages if "■地域独自の取組の状況" in _flat(p.text))
    raw = subprocess.run(["pdftotext", "-f", str(first), str(rendered["path"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    flat = _flat(raw)
    bodies = [body for table in ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")
              for row in rendered["snapshot"]["parts"]["annex4"][table] for body in row["authorities"]]
    coauthors = {a["slug"]: a["name"] for a in rendered["snapshot"]["authorities"]}
    # A co-author by its slug, a partner body (not a co-author) by its own name.
    names = sorted({coauthors[body] if isinstance(body, str) else body["name"] for body in bodies})
    assert names
    assert [name for name in names if name not in flat] == []


def test_no_page_is_nearly_empty_but_before_an_intended_break(rendered):
    """The intended breaks are before each 別紙 (a page that begins with 別紙… and its ■ heading) and the end of the
    document; only the page before one may be less than MIN_FILL full."""
    pages = rendered["pages"]

    def starts_annex(page):
        return bool(re.match(r"^別紙[0-9０-９-]+■", _flat(page.text)))

    assert sum(starts_annex(p) for p in pages) >= 5
    sparse = [f"p.{p.number} {p.fill:.0%}" for p, following in zip(pages, pages[1:] + [None])
              if p.fill < MIN_FILL and following is not None and not starts_annex(following)]
    assert sparse == []


def test_no_heading_or_caption_is_the_last_text_of_a_page(rendered):
    headings = _headings(rendered["html"])
    assert any("現地調査" in h for h in headings) and any(h.startswith("解決策") for h in headings)
    orphans = []
    for page in rendered["pages"][:-1]:
        last = page.lines[-1]
        text = _flat(last.text)
        if last.bold and len(text) >= 2 and any(text in h for h in headings):
            orphans.append(f"p.{page.number} {last.text}")
    assert orphans == []


def test_year_labels_are_never_broken(rendered):
    labels = [m.group(0) for p in rendered["pages"] for m in pdf_pages.YEAR_LABEL.finditer(p.text)]
    assert labels
    assert [bad for page in rendered["pages"] for bad in pdf_pages.split_year_labels(page)] == []


def test_one_bullet_style_in_the_whole_document(rendered):
    bullets = set().union(*(pdf_pages.line_bullets(p) for p in rendered["pages"]))
    assert bullets == {"・"}


def test_typed_bullets_are_shown_as_one_list():
    assert rich("<p>・一つ目</p><p>・ 二つ目</p><p>本文・途中</p><ul><li>• 三つ目</li></ul>") == (
        "<ul><li>一つ目</li><li>二つ目</li></ul><p>本文・途中</p><ul><li>三つ目</li></ul>")
    assert rich(rich("<p>・一つ目</p>")) == "<ul><li>一つ目</li></ul>"


def test_a_continued_schedule_page_begins_with_its_project_named(rendered):
    """別紙1-2 continues on the next page with 解決策 or a 事業 in its first cell, never the rest of a 事業 whose
    name (a rowspan cell) stayed on the previous page."""
    schedule_pages = [p for p in rendered["pages"] if SCHEDULE_HEAD in _flat(p.text)]
    assert schedule_pages  # one page or several: each begins with 解決策 or a 事業 below its head
    firsts = [(p.number, pdf_pages.first_cell_of_continued_table(p, SCHEDULE_HEAD)) for p in schedule_pages]
    assert [n for n, cell in firsts if cell is None] == []
    assert [(n, cell) for n, cell in firsts if not re.match(r"^(解決策|事業)[0-9]", cell)] == []


def test_each_target_figures_block_is_on_one_page(rendered):
    """The 目標値, 実績値 and 進捗度 rows of a 別紙1 sheet share the 評価指標 cell (rowspan): they stay together."""
    blocks = [(page, i) for page in rendered["pages"] for i, line in enumerate(page.lines) if "寄与度(※)" in line.text]
    assert len(blocks) == sum(len(i["targets"]) for i in rendered["snapshot"]["parts"]["part3"]["indicators"])
    assert [page.number for page, i in blocks if not any("目標値" in line.text for line in page.lines[:i])] == []


JAPANESE_FONT = re.compile(r"^[A-Z]{6}\+(IPAex(Gothic|Mincho)|Noto-?Sans-?CJK)")


def test_every_glyph_is_drawn_in_an_embedded_japanese_font(rendered):
    """No glyph falls back to a font without Japanese (tofu, a Latin font's shapes) or to a font left out of the
    file; every font is embedded as a subset with its Unicode map (text can be searched and read aloud)."""
    listing = subprocess.run(["pdffonts", str(rendered["path"])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows
    # columns from the right: object ID (2), uni, sub, emb
    assert [row[0] for row in rows if row[-5:-2] != ["yes", "yes", "yes"]] == []
    fonts = {c["fontname"] for page in rendered["pages"] for c in page.chars}
    assert [font for font in fonts if not JAPANESE_FONT.match(font)] == []
    unmapped = [f"p.{page.number}" for page in rendered["pages"] for c in page.chars if c["text"].startswith("(cid:")]
    assert unmapped == []
