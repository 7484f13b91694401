"""別紙1-2, the schedule: its geometry (zoneeval/reports/gantt.py), and the PDF itself read back with pdfplumber — label
sizes, milestone labels beside their ◆, 和暦 dates, one drawing per printed page, rows of the drawing matching the rows
of the table, every glyph on the page. Checked on the FY2019 sample and on a crowded variant of it (colliding
milestones across the Heisei → Reiwa change, a milestone in the plan's first and last month, a 事業 title and a row
longer than a page, long Latin words)."""
import copy
import json
import re

import pdfplumber
import pytest

from zoneeval.assembly.render import document_html, render_pdf
from zoneeval.reports import gantt
from zoneeval.reports.figures import derive
from zoneeval.reports.text_metrics import text_width, wrap

from .conftest import SAMPLE_PATH

DIAMOND_FILL = (0.702, 0.149, 0.118)  # #b3261e
EM = gantt.PRINT_FONT_PT


def _sample() -> dict:
    return json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))


def _crowded() -> dict:
    snapshot = _sample()
    projects = snapshot["parts"]["annex1_2"]["projects"]
    projects[11]["items"][1]["milestones"] = [
        {"month": "2019-04", "label": "改元前の節目"}, {"month": "2019-05", "label": "改元後の節目"},
        {"month": "2019-06", "label": "三つ目の節目"}, {"month": "2022-03", "label": "計画期間の最後の月"},
        {"month": "2017-04", "label": "計画期間の最初の月"},
    ]
    projects[0]["title"] = "長い事業名" * 200
    projects[1]["items"][0]["text"] = "とても長い内容の記述、" * 180
    projects[2]["items"][0]["label"] = ("Very long Latin words like Supercalifragilisticexpialidocious and "
                                       "https://example.com/a/very/long/path/without/spaces/at/all")
    snapshot["derived"] = derive(snapshot)
    return snapshot


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """(snapshot, schedule, path of the PDF) for the sample and the crowded variant."""
    sample = _sample()
    sample["derived"] = derive(sample)
    out = {}
    for name, snapshot in (("sample", sample), ("crowded", _crowded())):
        path = tmp_path_factory.mktemp("schedule") / f"{name}.pdf"
        path.write_bytes(render_pdf(snapshot).pdf)
        out[name] = (snapshot, gantt.schedule(snapshot), path)
    return out


def _schedule_pages(pdf) -> list:
    """The PDF's pages that carry the schedule's table head (事業 / 区分 / 内容)."""
    return [page for page in pdf.pages if "区分" in (page.extract_text() or "") and "内容" in page.extract_text()]


def _table_rules(page) -> list[dict]:
    """The drawing's horizontal rules (as wide as the table, or the table less its 事業 column)."""
    full, short = gantt.WIDTH * EM, (gantt.WIDTH - gantt.COLUMNS[0]) * EM
    return [line for line in page.lines if abs(line["top"] - line["bottom"]) < 0.1
            and min(abs((line["x1"] - line["x0"]) - full), abs((line["x1"] - line["x0"]) - short)) < 1]


def _table_left(page) -> float:
    return min(line["x0"] for line in _table_rules(page))


def _diamonds(page) -> list[tuple[float, float]]:
    marks = []
    for curve in page.curves:
        colour = curve.get("non_stroking_color")
        if colour and len(colour) == 3 and all(abs(a - b) < 0.01 for a, b in zip(colour, DIAMOND_FILL)):
            marks.append(((curve["x0"] + curve["x1"]) / 2, (curve["top"] + curve["bottom"]) / 2))
    return marks


# ---- the model -------------------------------------------------------------------------------------------------

def test_wrapped_lines_join_back_fit_and_obey_kinsoku():
    text = "●研究はがんセンターとの共同研究として行われ、研究計画の妥当性、倫理性についての審査を経て、共同研究者に配布"
    lines = wrap(text, 10)
    assert "".join(lines) == text and len(lines) > 1
    assert all(text_width(line) <= 10 for line in lines)
    assert not any(line[0] in "、。）」" for line in lines[1:])
    latin = "Very long Latin words like Supercalifragilisticexpialidocious"
    lines = wrap(latin, 7)
    assert "".join(lines) == latin and all(text_width(line.rstrip()) <= 7 for line in lines)


def test_labels_in_one_row_never_overlap_and_stay_beside_their_mark():
    months = 60
    milestones = [{"x": (i + 0.5) * gantt.AXIS_WIDTH / months, "text": f"令和元年{i}月 節目{i}"} for i in (0, 1, 2, 3, 59)]
    labels = gantt._place_labels(milestones)
    boxes = []
    for label in labels:
        width = max(text_width(line) for line in label.lines)
        start = label.x - width if label.anchor == "end" else label.x
        assert 0 <= start and start + width <= gantt.AXIS_WIDTH  # inside the time axis
        assert min(abs(start - label.mark_x), abs(start + width - label.mark_x)) <= gantt.LABEL_GAP + 1e-9
        for lane in range(label.lane, label.lane + len(label.lines)):
            boxes.append((lane, start, start + width))
    for i, (lane, a0, a1) in enumerate(boxes):
        for lane_b, b0, b1 in boxes[i + 1:]:
            assert lane != lane_b or a1 <= b0 or b1 <= a0
    assert next(label for label in labels if label.mark_x > gantt.AXIS_WIDTH - 1).anchor == "end"  # last month


def test_every_page_fits_and_every_item_is_on_one(rendered):
    for name in ("sample", "crowded"):
        snapshot, schedule, _ = rendered[name]
        heights = [gantt.FIRST_PAGE_HEIGHT] + [gantt.PAGE_HEIGHT] * len(schedule["print_pages"])
        for page, limit in zip(schedule["print_pages"], heights):
            assert page["drawing"]["height_em"] <= limit + 1e-6
        items = sum(len(p["items"]) for p in snapshot["parts"]["annex1_2"]["projects"])
        shown = [row for page in schedule["print_pages"] for group in page["groups"] for row in group["rows"]
                 if row["alternative"]]
        assert len(shown) == items
        assert len(schedule["screen_pages"]) == 1


def test_a_title_or_a_row_longer_than_a_page_goes_on_with_zoku(rendered):
    _, schedule, _ = rendered["crowded"]
    headings = [row["project"]["heading"] for page in schedule["print_pages"] for group in page["groups"]
                for row in group["rows"] if row["project"]]
    assert "事業1（続き）" in headings and "事業2（続き）" in headings


def test_one_drawing_per_printed_page_and_one_on_screen(rendered, client, edition):
    snapshot, schedule, _ = rendered["sample"]
    html = document_html(snapshot)
    annex = html[html.index('id="annex-1-2"'):html.index('id="annex-2"')]
    assert annex.count("<svg") == len(schedule["print_pages"]) > 1
    assert all(re.search(r'<svg[^>]*role="img"[^>]*aria-label="[^"]+"', svg) for svg in re.findall(r"<svg[^>]*>",
                                                                                                   annex))
    assert annex.count("<title>") == annex.count("<desc>") == annex.count("<svg")
    from django.urls import reverse

    from zoneeval.authorities.models import Membership
    from zoneeval.authorities.services import ensure_user

    client.force_login(ensure_user("viewer-s", "pw-for-tests-123", authority=None, role=Membership.Role.VIEWER))
    page = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    annex = page[page.index('id="annex-1-2"'):page.index('id="annex-2"')]
    assert annex.count("<svg") == 1
    assert "令和2年1月 医療機器製造販売承認" in annex  # the label, and the row's text alternative
    assert "実施期間 平成29年4月～令和4年3月" in annex


def test_the_text_alternative_says_every_bar_and_milestone_in_wareki(rendered):
    snapshot, schedule, _ = rendered["crowded"]
    titles = " ".join(page["drawing"]["title"] for page in schedule["print_pages"])
    for project in snapshot["parts"]["annex1_2"]["projects"]:
        for item in project["items"]:
            for m in item["milestones"]:
                assert f"{gantt.month_label(m['month'])} {m['label']}" in titles
    assert "マイルストーン 平成31年4月 改元前の節目" in titles and "マイルストーン 令和元年5月 改元後の節目" in titles
    assert not re.search(r"\d{4}-\d{2}", titles)


# ---- the PDF ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample", "crowded"])
def test_schedule_pages_labels_and_glyphs(rendered, name):
    snapshot, schedule, path = rendered[name]
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:  # no glyph outside its page
            for char in page.chars:
                assert 0 <= char["x0"] and char["x1"] <= page.width and 0 <= char["top"] and char["bottom"] <= page.height, (
                    page.page_number, char["text"])
        pages = _schedule_pages(pdf)
        assert len(pages) == len(schedule["print_pages"])  # each computed page is one printed page
        text = "\n".join(page.extract_text() for page in pages)
        assert not re.search(r"\d{4}-\d{2}", text)  # no ISO month
        assert "H31・R1" in text and "H29" in text
        for page in pages:
            assert page.width > page.height
            small = [c["text"] for c in page.chars if c["size"] < 7 - 1e-3]
            assert not small, (page.page_number, small[:20])
            left = _table_left(page)
            assert left + gantt.WIDTH * EM <= page.width


@pytest.mark.parametrize("name", ["sample", "crowded"])
def test_milestone_labels_are_beside_their_mark_and_do_not_overlap(rendered, name):
    _, schedule, path = rendered[name]
    with pdfplumber.open(path) as pdf:
        pages = _schedule_pages(pdf)
        found = 0
        for page, model in zip(pages, schedule["print_pages"]):
            marks = _diamonds(page)
            boxes = []
            for label in model["drawing"]["labels"]:
                hits = page.search(re.escape(label["text"]).replace(r"\ ", r"\s*"), regex=True)
                assert hits, (page.page_number, label["text"])
                hit = min(hits, key=lambda h: abs(h["x0"] - (_table_left(page) + label["x"] / gantt.SCALE * EM))
                          if label["anchor"] == "start" else
                          abs(h["x1"] - (_table_left(page) + label["x"] / gantt.SCALE * EM)))
                boxes.append(hit)
                for char in hit["chars"]:
                    assert char["size"] >= 7
                # the nearest ◆: beside the label (a lane under the bar per label placed before it in the row)
                distance = min(max(hit["x0"] - x, x - hit["x1"], 0) + max(hit["top"] - y, y - hit["bottom"], 0)
                               for x, y in marks)
                assert distance <= (gantt.ROW_LINE * 4 + 1) * EM, (label["text"], distance)
                found += 1
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
        assert found == sum(len(page["drawing"]["labels"]) for page in schedule["print_pages"]) > 0


def test_the_sample_labels_sit_right_beside_their_mark(rendered):
    """Without collisions every label starts at its ◆: under it, at most one row line down."""
    _, schedule, path = rendered["sample"]
    with pdfplumber.open(path) as pdf:
        text = re.sub(r"\s", "", "".join(page.extract_text() for page in _schedule_pages(pdf)))
        for label in ("平成30年9月事業開始", "平成30年3月運営開始", "令和2年1月医療機器製造販売承認"):
            assert label in text
        for page in _schedule_pages(pdf):
            marks = _diamonds(page)
            for x, y in marks:
                near = [c for c in page.chars if 0 <= c["x0"] - x <= 1.5 * EM and 0 <= c["top"] - y <= gantt.ROW_LINE * EM]
                assert near and near[0]["text"] in "平令", (page.page_number, x, y)


@pytest.mark.parametrize("name", ["sample", "crowded"])
def test_rows_of_the_drawing_match_the_rows_of_the_table(rendered, name):
    """No glyph of the table's words crosses a rule of the drawing, and there is one rule per row."""
    _, schedule, path = rendered[name]
    with pdfplumber.open(path) as pdf:
        for page, model in zip(_schedule_pages(pdf), schedule["print_pages"]):
            lines = _table_rules(page)  # a rule inside a 事業's rows starts right of the 事業 column
            rules = sorted({round(line["top"], 1) for line in lines})
            rows = sum(1 + len(group["rows"]) - (group["solution"] is None) for group in model["groups"])
            assert len(rules) == rows + 2  # the head's top, one above every row, the bottom
            left = _table_left(page)
            axis = left + gantt.AXIS_X * EM
            words = [c for c in page.chars if left <= c["x0"] < axis and rules[0] <= c["top"] <= rules[-1]]
            assert words
            for char in words:
                assert not any(char["top"] < line["top"] - 0.2 and char["bottom"] > line["top"] + 0.2
                               and char["x1"] > line["x0"] for line in lines), (page.page_number, char["text"], char["top"])
            # and the drawing's bottom is the table's bottom
            assert abs(rules[-1] - rules[0] - model["drawing"]["height_em"] * EM) < 0.5


def test_a_copy_of_the_sample_is_not_changed_by_rendering():
    snapshot = _sample()
    before = copy.deepcopy(snapshot)
    gantt.schedule(snapshot)
    assert snapshot == before
