"""What the tagged PDF (PDF/UA-1) needs beyond WeasyPrint 70's own tagging, stated once.

WeasyPrint tags the structure from the HTML (headings H1…H6, lists L/LI, tables with TH/TD, captions, figures for
<img> and <svg>). What it does not do yet, `install()` adds around its drawing and tagging functions:

1. Page headers and footers (the margin boxes of @page: page numbers, the zone name, the draft mark 「案」) are
   pagination artifacts (``/Artifact <</Type /Pagination /Subtype /Header>>``), not content outside the structure
   tree (WeasyPrint marks them as content it links to nothing: https://github.com/Kozea/WeasyPrint/issues/1836).
2. A figure's text alternative is its SVG <title>, else its ``aria-label``, else its ``alt`` (WeasyPrint reads only
   <title> for SVG): every drawing with a text alternative gets /Alt.
3. Header cells keep the HTML ``scope`` as /Scope (row and rowgroup → /Row, col and colgroup → /Column), and each data
   cell's /Headers are the header cells that apply to it by that scope (WeasyPrint takes every header cell but
   ``scope="row"`` for a column header, so a 解決策 row-group header became the header of the first column).
4. A link's description (/Contents of its annotation) is the text of the link (WeasyPrint writes its target,
   e.g. ``part-1``).
5. An element that runs over a page break is one structure element, not one per page (WeasyPrint builds the tree
   page by page: 34 /Art for one <article>, a paragraph split in two). Tables are left as they are: each page's part
   of a table stays a table with its repeated head, so that no header cell is read twice within one table.

The functions wrapped are module globals looked up at call time (their recursion goes through the wrapper), so the
wrapping is checked against the WeasyPrint version it was written for.
"""
from __future__ import annotations

import pydyf
import weasyprint
from weasyprint import draw
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags

WEASYPRINT_VERSION = "70.0"
SVG_TITLE = "{http://www.w3.org/2000/svg}title"
SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}

_installed = False


def install() -> None:
    """Wrap WeasyPrint's drawing of margin boxes and its structure tree builder (once per process)."""
    global _installed
    if _installed:
        return
    if weasyprint.__version__ != WEASYPRINT_VERSION:
        raise RuntimeError(
            f"zoneeval.assembly.pdf_tags was written for WeasyPrint {WEASYPRINT_VERSION}, not "
            f"{weasyprint.__version__}: check weasyprint/pdf/tags.py and draw/__init__.py again")
    draw.draw_stacking_context = _margin_boxes_as_artifacts(draw.draw_stacking_context)
    tags._build_box_tree = _with_alt_and_scope(tags._build_box_tree)
    _installed = True


def pagination_subtype(at_keyword: str) -> str | None:
    """@top-* margin boxes are the page header, @bottom-* the footer; the side boxes are neither."""
    if at_keyword.startswith("@top-"):
        return "/Header"
    if at_keyword.startswith("@bottom-"):
        return "/Footer"
    return None


def _margin_boxes_as_artifacts(draw_stacking_context):
    def wrapped(stream, stacking_context):
        box = stacking_context.box
        if not isinstance(box, boxes.MarginBox) or stream._tags is None:
            return draw_stacking_context(stream, stacking_context)
        properties = pydyf.Dictionary({"Type": "/Pagination"})
        if subtype := pagination_subtype(box.at_keyword):
            properties["Subtype"] = subtype
        page_tags, stream._tags = stream._tags, None  # nothing inside is marked as content
        stream.begin_marked_content("Artifact", properties)
        try:
            draw_stacking_context(stream, stacking_context)
        finally:
            stream.end_marked_content()
            stream._tags = page_tags

    return wrapped


def text_alternative(element) -> str:
    """The text alternative of an <svg> or <img>: its <title>, aria-label or alt, whichever comes first."""
    title = element.find(SVG_TITLE)
    for candidate in (
        "".join(title.itertext()) if title is not None else None,
        element.get("aria-label"),
        element.get("alt"),
    ):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return ""


def _with_alt_and_scope(build_box_tree):
    def wrapped(box, parent, pdf, page_number, nums, annotations, page_tags):
        own = box._box if isinstance(box, AbsolutePlaceholder) else box
        if isinstance(own, boxes.MarginBox):
            return  # drawn as artifacts, kept out of the structure tree and the parent tree
        tag = tags._get_pdf_tag(None if own.element is None else own.element_tag)
        for element in build_box_tree(box, parent, pdf, page_number, nums, annotations, page_tags):
            if tag == "Figure" and element["S"] == "/Figure" and own.element is not None:
                if alt := text_alternative(own.element):
                    element["Alt"] = pydyf.String(alt)
            elif tag == "Table" and element["S"] == "/Table" and own.is_table_wrapper:
                if table := own.get_wrapped_table():
                    link_headers(table)
            elif tag == "Link" and own.link_annotation is not None and own.element is not None:
                if text := " ".join("".join(own.element.itertext()).split()):
                    own.link_annotation["Contents"] = pydyf.String(text)
            if own.element is not None and continues_earlier_page(pdf, element, own.element, own.element_tag,
                                                                   page_number):
                continue  # its kids were moved to the element it continues
            yield element

    return wrapped


def link_headers(table) -> None:
    """Set /Scope on the header cells of one page's part of a table and /Headers on its data cells.

    A column header (scope col/colgroup, or none) applies to the cells below it in its columns; a row header (scope
    row) to the cells after it in its rows; a row-group header (scope rowgroup) to the cells of its row group after
    it (below it, or after it in its rows)."""
    grid = []  # (cell, group index, first row, last row, first column, last column)
    row_index = 0
    for group_index, group in enumerate(table.children):
        rows = group.children if isinstance(group, boxes.TableRowGroupBox) else [group]
        for row in rows:
            for cell in row.children:
                if getattr(cell, "mark", None) is None or cell.element is None:
                    continue
                grid.append((cell, group_index, row_index, row_index + cell.rowspan - 1,
                             cell.grid_x, cell.grid_x + cell.colspan - 1))
            row_index += 1

    headers = []
    for number, (cell, group, top, bottom, left, right) in enumerate(grid):
        if cell.element_tag != "th":
            continue
        scope = (cell.element.get("scope") or "").strip().lower()
        if "ID" not in cell.mark:
            cell.mark["ID"] = pydyf.String(f"{cell.mark.number}-th-{number}")
        if scope in SCOPES:
            cell.mark["A"]["Scope"] = SCOPES[scope]
        headers.append((cell.mark["ID"], scope or "col", group, top, bottom, left, right))

    for cell, group, top, bottom, left, right in grid:
        if cell.element_tag != "td":
            continue
        applying = []
        for key, scope, h_group, h_top, h_bottom, h_left, h_right in headers:
            rows_overlap = h_top <= bottom and top <= h_bottom
            columns_overlap = h_left <= right and left <= h_right
            if scope in ("col", "colgroup"):
                applies = columns_overlap and h_bottom < top
            elif scope == "row":
                applies = rows_overlap and h_right < left
            else:  # rowgroup
                applies = h_group == group and (h_bottom < top or (rows_overlap and h_right < left))
            if applies:
                applying.append(key)
        cell.mark["A"]["Headers"] = pydyf.Array(applying)


TABLE_PARTS = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD", "/Caption"}


def _object(pdf, reference):
    return pdf.objects[int(reference.split()[0])]


def _in_table(pdf, element) -> bool:
    """Whether a structure element is a table or inside one (remembered per element number)."""
    known = pdf.__dict__.setdefault("_zoneeval_in_table", {})
    path = []
    while element.number not in known:
        path.append(element.number)
        if element.get("S") in TABLE_PARTS:
            answer = True
            break
        if "P" not in element or element.get("S") in (None, "/Document"):
            answer = False
            break
        element = _object(pdf, element["P"])
    else:
        answer = known[element.number]
    known.update(dict.fromkeys(path, answer))
    return answer


def continues_earlier_page(pdf, element, html_element, element_tag, page_number) -> bool:
    """Move the kids of ``element`` to the element of the same HTML element on an earlier page, if there is one.

    Only elements whose kids are all structure elements are merged (marked content is numbered per page), and none in
    a table. The first element of an HTML element on a page is registered; within one page, the outermost one (the
    last yielded: WeasyPrint yields an element after its kids) wins over anonymous boxes of the same element."""
    if _in_table(pdf, element):
        return False
    kids = element["K"]
    if any(not isinstance(kid, bytes) for kid in kids):
        return False
    kid_objects = [_object(pdf, kid) for kid in kids]
    if any(kid.get("Type") != "/StructElem" for kid in kid_objects):
        return False
    registry = pdf.__dict__.setdefault("_zoneeval_first_elements", {})
    key = (id(html_element), element_tag, element["S"])
    first = registry.get(key)
    if first is None or first[0] == page_number:
        registry[key] = (page_number, element, html_element)
        return False
    earlier = first[1]
    for reference, kid in zip(kids, kid_objects):
        kid["P"] = earlier.reference
        earlier["K"].append(reference)
    return True
