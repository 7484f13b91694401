"""The 別紙1 charts in the PDF: absent by default (the sample's PDF as before), and with the edition's option on, one
tagged Figure per numerical target with its text alternative as /Alt, 和暦 year labels of at least 7 pt, on the three
sample zones."""
import json

import pytest

from zoneeval.assembly.render import document_html, render_pdf
from zoneeval.reports import era
from zoneeval.reports.figures import derive
from zoneeval.reports.presentation import SHEET_TABLE_NOTE

from . import pdf_structure
from .conftest import ROOT

SAMPLES = {"keihin": "keihin-fy2019.json", "kyushu": "kyushu-kanko-fy2018.json", "shiomi": "shiomi-fy2015.json"}
CHART_ALT = "の目標値と実績値の推移"


def _snapshot(name: str, charts: bool | None) -> dict:
    snapshot = json.loads((ROOT / "zoneeval" / "samples" / SAMPLES[name]).read_text(encoding="utf-8"))
    if charts is not None:
        snapshot["edition"]["annex1_charts"] = charts
    snapshot["derived"] = derive(snapshot)
    return snapshot


def _numerical_codes(snapshot: dict) -> list[str]:
    return [t["code"] for i in snapshot["parts"]["part3"]["indicators"] for t in i["targets"]
            if t.get("kind", "flow") != "qualitative"]


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def with_charts(request):
    snapshot = _snapshot(request.param, True)
    return {"snapshot": snapshot, "pdf": pdf_structure.read(render_pdf(snapshot).pdf)}


def _chart_figures(pdf):
    return [f for f in pdf.elements("Figure") if f.alt and CHART_ALT in f.alt]


def test_by_default_the_pdf_has_no_chart():
    snapshot = _snapshot("keihin", None)
    assert "annex1_charts" not in snapshot["edition"]
    html = document_html(snapshot)
    assert "chart-drawing" not in html
    pdf = pdf_structure.read(render_pdf(snapshot, html).pdf)
    assert pdf.elements("Figure")  # the schedule's drawings are still there
    assert _chart_figures(pdf) == []
    assert "各年度の目標値と実績値" not in "".join(c["text"] for c in pdf.chars)


def test_each_numerical_target_has_a_figure_with_its_alt(with_charts):
    codes = _numerical_codes(with_charts["snapshot"])
    figures = _chart_figures(with_charts["pdf"])
    assert codes and len(figures) == len(codes)
    for code, figure in zip(codes, figures):
        assert figure.alt.startswith(f"数値目標{code}{CHART_ALT}")
        assert SHEET_TABLE_NOTE in figure.alt  # the sheet's year table is the chart's table


def test_the_charts_lie_on_the_annex1_pages(with_charts):
    pdf = with_charts["pdf"]
    pages = {title.split(" ")[0]: page for depth, title, page in pdf.outline if title.startswith("別紙")}
    annex1 = range(pages["別紙1"] - 1, pages["別紙1-2"] - 1)  # 0-based pages of 別紙1
    assert all(figure.page in annex1 for figure in _chart_figures(pdf))


def test_year_labels_in_wareki_at_seven_points_or_more(with_charts):
    snapshot, pdf = with_charts["snapshot"], with_charts["pdf"]
    plan = snapshot["edition"]["plan_period"]
    first, last = plan["first_fiscal_year"], plan["last_fiscal_year"]
    figures = _chart_figures(pdf)
    owned = {key for figure in figures for element in figure.walk() for key in element.mcids}
    chars = [c for c in pdf.chars if (c["page"], c.get("mcid")) in owned and c["text"].strip()]
    assert chars
    assert min(c["size"] for c in chars) >= 7
    text = "".join(c["text"] for c in chars)
    # every plan year is named on the axis in 和暦 (the full label, or the era and year under 「（年度）」)
    for fy in range(first, last + 1):
        assert era.fiscal_year_label(fy)[:-2] in text or era.fiscal_year_short_plain(fy) in text, fy
    assert era.fiscal_year_era(first)[0].name in text
