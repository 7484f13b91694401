"""The accessible PDF (PDF/UA-1): its catalog, structure tree, artifacts and bookmarks, read back from the rendered PDF
of the FY2019 sample (draft) and of a submitted (final) PDF of the same report as a Heisei 地域活性化 zone."""
import json
import re

import pytest
from django.test import override_settings
from lxml import html as lxml_html

from zoneeval.assembly.pieces import render_in_pieces
from zoneeval.assembly.render import document_html, draft_mark, render_pdf
from zoneeval.reports import era
from zoneeval.reports.presentation import document_context

from .conftest import SAMPLE_PATH
from .pdf_structure import read

ANNEX_NUMBERS = ["別紙1", "別紙1-2", "別紙2", "別紙3", "別紙4"]  # the official form's annexes


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def snapshot():
    return json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def draft_html(snapshot):
    return document_html(snapshot)


@pytest.fixture(scope="module", params=["one pass", "pieces", "cut pieces"])
def draft(request, snapshot, draft_html, tmp_path_factory):
    """A draft as one pass renders it, and as drafts are rendered: in pieces, merged (zoneeval/assembly/pieces.py),
    and rendered again, the long pieces cut where the first render broke their pages (cuts.py)."""
    if request.param != "one pass":
        with override_settings(ARTEFACT_DIR=tmp_path_factory.mktemp("artefacts")):
            result = render_in_pieces(snapshot)  # the long pieces written as sub-pieces of one layout
            if request.param == "cut pieces":  # each sub-piece laid out on its own, as after an edit
                from zoneeval.assembly import pieces

                planned = pieces.plan(snapshot)
                for piece in planned:
                    for path in pieces._paths(piece.key):
                        pieces.artefact_storage().delete(path)
                assert sum(not pieces.render_piece(piece).parts for piece in planned if piece.parent) >= 5
                result = render_in_pieces(snapshot)
            return read(result.pdf)
    return read(render_pdf(snapshot, draft_html).pdf)


@pytest.fixture(scope="module")
def other_snapshot(snapshot):
    """The same report as another zone would submit it: 地域活性化, in a Heisei year, under another name."""
    other = json.loads(json.dumps(snapshot))
    other["zone"].update(kind="regional", name="テスト地域活性化総合特区")
    other["edition"]["fiscal_year"] = 2018
    return other


@pytest.fixture(scope="module")
def final(other_snapshot):
    return read(render_pdf(other_snapshot, document_html(other_snapshot, final=True)).pdf)


def _expected_title(snapshot) -> str:
    context = document_context(snapshot)
    return f"{context['document_title']}（{snapshot['zone']['name']}）"


@pytest.mark.parametrize("which", ["draft", "final"])
def test_the_catalog_declares_a_tagged_document_in_japanese_with_its_title(which, draft, final):
    pdf = {"draft": draft, "final": final}[which]
    assert "StructTreeRoot" in pdf.catalog
    assert bool(pdf.catalog["MarkInfo"]["/Marked"]) is True
    assert str(pdf.catalog["Lang"]) == "ja"
    assert bool(pdf.catalog["ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert 'pdfuaid:part="1"' in pdf.metadata
    assert pdf.root.tag == "Document" and len(pdf.elements("P")) > 0


def test_the_title_is_the_reports_own(draft, final, snapshot, other_snapshot):
    assert draft.info["Title"] == _expected_title(snapshot)
    assert final.info["Title"] == _expected_title(other_snapshot)
    assert final.info["Title"].startswith("平成30年度 地域活性化総合特別区域評価書")
    assert final.info["Title"] != draft.info["Title"]


def test_headings_are_tagged_in_order_without_skipped_levels(draft, draft_html, snapshot):
    headings = draft.headings()
    assert headings[0][0] == 1
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, f"H{before} followed by H{level} {text}"
    # Every heading of the HTML is a heading of the PDF, at its level and in its order.
    tree = lxml_html.fromstring(draft_html)
    expected = [(int(h.tag[1]), _flat(h.text_content())) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert [(level, _flat(text)) for level, text in headings] == expected
    texts = [_flat(text) for _, text in headings]
    kind = document_context(snapshot)["zone_kind_label"]
    assert f"1{kind}総合特別区域の名称" in texts and "7総合評価" in texts
    assert any(t.startswith("数値目標(1)-①") for t in texts)


def test_table_header_cells_are_th_with_their_scope(draft, draft_html, snapshot):
    tree = lxml_html.fromstring(draft_html)
    scopes = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}
    html_scopes = {}
    for th in tree.iter("th"):
        html_scopes.setdefault(_flat(th.text_content()), set()).add(scopes[th.get("scope")])
    tables = draft.elements("Table")
    assert tables
    header_cells = [th for table in tables for th in table.walk() if th.tag == "TH"]
    assert len(header_cells) >= len(list(tree.iter("th")))
    for th in header_cells:
        assert str(th.attributes.get("Scope")) in html_scopes[_flat(th.text)], th.text
    # Data cells point at header cells of their own table: 目標値 and its year for a target value.
    context = document_context(snapshot)
    year_label = era.fiscal_year_label(context["fiscal_year"])
    checked = 0
    for table in tables:
        for td in (e for e in table.walk() if e.tag == "TD"):
            names = _header_names(table, td)
            if "目標値" in names and year_label in names:
                checked += 1
    assert checked == len(context["target_sheets"])
    # A row-group header (解決策N of 別紙1-2) heads the cells of its group, beside their row header (事業N).
    grouped = [td for table in tables for td in table.walk() if td.tag == "TD"
               and any(n.startswith("解決策") for n in _header_names(table, td))
               and any(n.startswith("事業") for n in _header_names(table, td))]
    assert grouped


def _header_names(table, cell) -> list[str]:
    """The texts of the header cells a cell's /Headers name (KeyError: a header outside its table)."""
    ids = {e.id: _flat(e.text) for e in table.walk() if e.tag == "TH"}
    return [ids[str(h)] for h in cell.attributes.get("Headers", [])]


def test_tables_keep_their_captions(draft, draft_html):
    tree = lxml_html.fromstring(draft_html)
    captions = {_flat(c.text_content()) for c in tree.iter("caption")}
    tagged = {_flat(c.text) for table in draft.elements("Table") for c in table.kids if c.tag == "Caption"}
    assert captions and captions <= tagged


def test_lists_are_tagged_as_lists(draft):
    lists = draft.elements("L")
    assert lists
    for element in lists:
        assert all(kid.tag in ("LI", "L", "Caption") for kid in element.kids), [k.tag for k in element.kids]
    items = draft.elements("LI")
    assert items and all(any(kid.tag == "LBody" for kid in item.kids) for item in items)
    assert any("特例措置の効果が認められる" in item.text for item in items)


def test_every_figure_has_a_text_alternative_and_the_schedule_is_one(draft):
    figures = draft.elements("Figure")
    assert figures
    assert all(figure.alt and figure.alt.strip() for figure in figures)
    pages = {title.split(" ")[0]: page for depth, title, page in draft.outline if title.startswith("別紙")}
    schedule_pages = range(pages["別紙1-2"] - 1, pages["別紙2"] - 1)  # 0-based pages of 別紙1-2
    assert any(figure.page in schedule_pages for figure in figures)


def _marked_chars(pdf):
    return [c for c in pdf.chars if c["text"].strip()]


@pytest.mark.parametrize("which", ["draft", "final"])
def test_every_glyph_is_tagged_content_or_an_artifact(which, draft, final):
    pdf = {"draft": draft, "final": final}[which]
    for char in _marked_chars(pdf):
        if char.get("tag") == "Artifact":
            continue
        key = (char["page"], char.get("mcid"))
        assert key in pdf.parent_tree, char
        assert pdf.parent_tree[key] in pdf.reachable, char


def test_page_header_footer_and_draft_mark_are_artifacts(draft, final, snapshot):
    mark = _flat(draft_mark())
    pages = max(c["page"] for c in draft.chars) + 1
    for page in range(pages):
        artifacts = _flat("".join(c["text"] for c in draft.chars if c["page"] == page and c.get("tag") == "Artifact"))
        assert mark in artifacts
        assert f"{page + 1}/{pages}" in artifacts
        if page > 0:
            assert _flat(snapshot["zone"]["name"]) in artifacts
    content = _flat("".join(c["text"] for c in draft.chars if c.get("tag") != "Artifact"))
    assert mark not in content
    assert "案" not in _flat("".join(c["text"] for c in final.chars if c.get("tag") == "Artifact"))
    assert all(c.get("tag") == "Artifact" for c in final.chars if c["text"] == "/")


def test_bookmarks_carry_the_annex_numbers_in_page_order(draft, draft_html, snapshot):
    titles = [title for _, title, _ in draft.outline]
    assert all(title.strip() for title in titles)
    assert len(titles) == len(set(titles))
    pages = [page for _, _, page in draft.outline]
    assert all(page is not None for page in pages) and pages == sorted(pages)
    tree = lxml_html.fromstring(draft_html)
    annex_headings = {h.get("data-annex"): h.text_content().strip() for h in tree.iter("h2") if h.get("data-annex")}
    assert list(annex_headings) == ANNEX_NUMBERS
    top = [title for depth, title, _ in draft.outline if depth == 0]
    assert [t for t in top if t.startswith("別紙")] == [f"{n} {annex_headings[n]}" for n in ANNEX_NUMBERS]
    parts = [t for t in top if re.match(r"[0-9]", t)]
    assert [p.split(" ")[0] for p in parts] == [str(n) for n in range(1, 8)]
    assert parts[0] == f"1 {document_context(snapshot)['zone_kind_label']}総合特別区域の名称"
    # 別紙1's target sheets are under 別紙1, not beside it.
    outline = draft.outline
    annex1 = next(i for i, (_, title, _) in enumerate(outline) if title.startswith("別紙1 "))
    sheets = [title for depth, title, _ in outline[annex1 + 1:] if depth == 1]
    sheet_count = len(document_context(snapshot)["target_sheets"])
    assert all(t.startswith("数値目標") for t in sheets[:sheet_count])
    assert outline[annex1 + sheet_count + 1][1].startswith("別紙1-2 ")


def test_links_are_described_by_their_text(draft, draft_html):
    tree = lxml_html.fromstring(draft_html)
    link_texts = {" ".join(a.text_content().split()) for a in tree.iter("a") if a.get("href")}
    annotations = [a for page in draft.document.pages for a in page.get("/Annots", [])
                   if a.get("/Subtype") == "/Link"]
    assert annotations
    assert {str(a.get("/Contents")) for a in annotations} <= link_texts
    assert all("/StructParent" in a for a in annotations)


def test_an_element_over_a_page_break_is_one_structure_element_read_in_page_order(draft, draft_html):
    tree = lxml_html.fromstring(draft_html)
    assert len(draft.elements("Art")) == len(list(tree.iter("article"))) == 1
    assert len(draft.elements("Sect")) == len(list(tree.iter("section")))
    visited = []

    def walk(element):
        visited.extend(page for page, _ in element.mcids)
        for kid in element.kids:
            walk(kid)

    walk(draft.root)
    assert visited and visited == sorted(visited)
    assert set(visited) == {c["page"] for c in draft.chars}


PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
         "RU5ErkJggg==")


def _small_pdf(body: str):
    return read(render_pdf({}, f'<html lang="ja"><head><title>試験</title></head><body>{body}</body></html>').pdf)


def test_any_drawing_with_a_text_alternative_is_a_figure_with_alt():
    pdf = _small_pdf(
        '<svg width="40" height="10" role="img"><title>表題による説明</title><rect width="40" height="10"/></svg>'
        '<svg width="40" height="10" role="img" aria-label="aria-labelによる説明"><rect width="40" height="10"/></svg>'
        f'<p><img src="{PIXEL}" alt="altによる説明" width="10" height="10"></p>')
    assert sorted(figure.alt for figure in pdf.elements("Figure")) == sorted(
        ["表題による説明", "aria-labelによる説明", "altによる説明"])


def test_header_cells_apply_by_their_scope():
    pdf = _small_pdf(
        '<table><thead><tr><th scope="col">事業</th><th scope="col">内容</th><th scope="col">期間</th></tr></thead>'
        '<tbody><tr><th scope="rowgroup" colspan="3">解決策1</th></tr>'
        '<tr><th scope="row">事業1</th><td>研究</td><td>5年</td></tr>'
        '<tr><th scope="row">事業2</th><td>開発</td><td>3年</td></tr></tbody></table>')
    (table,) = pdf.elements("Table")
    scopes = {th.text: str(th.attributes["Scope"]) for th in table.walk() if th.tag == "TH"}
    assert scopes == {"事業": "/Column", "内容": "/Column", "期間": "/Column", "解決策1": "/Row", "事業1": "/Row",
                      "事業2": "/Row"}
    headers = {td.text: _header_names(table, td) for td in table.walk() if td.tag == "TD"}
    assert headers == {"研究": ["内容", "解決策1", "事業1"], "5年": ["期間", "解決策1", "事業1"],
                       "開発": ["内容", "解決策1", "事業2"], "3年": ["期間", "解決策1", "事業2"]}
