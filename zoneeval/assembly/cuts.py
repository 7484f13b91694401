"""Pieces cut inside a flowing part of the document, where its last layout broke the page, and checked.

A piece (pieces.py) is cut at the document's forced breaks only; a long part (a 別紙 of several pages, the body)
is still one piece, laid out again whole after any edit. This module cuts such a part further, at the places where
a page of its last layout began with a new element (a table row, a paragraph, a sheet): a *cut* is the path of that
element in the part's HTML tree (child indices from <html>). A sub-piece runs from one cut (its first element, at
the top of its first page) to the next one inclusive: that last element is the lookahead. The sub-piece is laid
out, and is right only when the lookahead begins a page of its own after everything before it, as it did in the
whole part; then the pages before it are written and the lookahead's pages dropped. Nothing before the first
element can move it (it opens a page in the one pass: the previous sub-piece checked that), so the pages written are
the one pass's pages. When the check fails (an edit moved a page break), the caller lays the part out whole; a
whole layout offers its cuts (``page_cuts``) and is written as its sub-pieces, page ranges of that one layout
(pieces.py).

A sub-piece's tree keeps, of what precedes its first element, only the elements outside the document's <article>
(the head, the draft mark), the ancestors (their ids stay, for the styles that select them; the merge takes an
anchor's first place, where the element began), a table's head and column groups (a table continued on a new page
repeats its head), and a filler just before the first element, taller than a page: the first element begins page 2
after an unforced break inside ancestors begun on page 1, as in the one pass, so WeasyPrint itself truncates the
margins at the break, slices the ancestors and repeats the table's head. Page 1 (the filler's) is not written.
When the next cut lies inside the lookahead (a table of several pages), the lookahead stops at the cut after that
one: it holds what filled its first page and what decided that page's end.
"""
from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import cssselect2
import tinyhtml5
from weasyprint.formatting_structure import boxes

Path = tuple[int, ...]
FILLER = "data-piece-filler"
REPEATED_IN_TABLE = ("thead", "colgroup")  # what a table repeats, or needs, on a page it continues on
AVOID = ("avoid", "avoid-page")  # break-after values that keep an element with the next: not a cut
EMPTY_ELEMENTS = ("br", "hr", "img", "col", "colgroup")  # empty by nature: their box on a page is not a fragment


class CutMismatch(Exception):
    """The sub-piece's lookahead did not begin a page after everything before it: a page break moved."""


@dataclass
class SubTree:
    root: ET.Element
    origin: dict[int, Path]  # id(element of root) -> path of the element it copies
    end: ET.Element | None  # the lookahead, in root
    start: ET.Element | None = None  # the first element (after the filler), in root


def parse(html: str) -> ET.Element:
    """The HTML tree as WeasyPrint parses it (tinyhtml5, no namespace on HTML elements)."""
    return tinyhtml5.parse(html, namespace_html_elements=False)


def article_path(root: ET.Element) -> Path:
    """The path of the document's content (the first <article> in <body>); the cuts are inside it."""
    def find(element: ET.Element, path: Path) -> Path | None:
        for index, child in enumerate(element):
            if child.tag == "article":
                return path + (index,)
            if isinstance(child.tag, str):
                found = find(child, path + (index,))
                if found is not None:
                    return found
        return None

    found = find(root, ())
    if found is None:
        raise ValueError("the document has no <article>")
    return found


def above(path: Path, other: Path) -> bool:
    """``path`` is a proper ancestor of ``other``."""
    return len(path) < len(other) and other[:len(path)] == path


def sub_tree(root: ET.Element, start: Path | None, end: Path | None, stop: Path | None = None) -> SubTree:
    """A copy of ``root`` with the part from ``start`` (None: the beginning) to ``end`` inclusive (None: the end),
    without what begins at ``stop`` (an element inside ``end``: the lookahead is then only the part of it that
    filled its first page, not all its pages)."""
    article = article_path(root)
    origin: dict[int, Path] = {}
    copied_end: list[ET.Element] = []

    def whole(element: ET.Element, path: Path) -> ET.Element:
        new = copy.copy(element)  # tag, attributes, text, tail; children replaced below
        new.attrib = dict(element.attrib)
        new[:] = [whole(child, path + (index,)) for index, child in enumerate(element)]
        origin[id(new)] = path
        if path == end:
            copied_end.append(new)
        return new

    def keep(child: ET.Element, path: Path, parent: ET.Element, parent_path: Path) -> str | None:
        if not (path[:len(article)] == article or above(path, article)):
            return "whole"  # outside the content: head, draft mark
        if any(cut and above(path, cut) for cut in (article, start, end, stop)):
            return "partial"
        if (start is None or path >= start) and (end is None or path <= end or above(end, path)) \
                and (stop is None or path < stop):
            return "whole"
        if start and path < start and parent.tag == "table" and child.tag in REPEATED_IN_TABLE \
                and above(parent_path, start):
            return "whole"
        return None

    def partial(element: ET.Element, path: Path) -> ET.Element:
        new = copy.copy(element)
        new.attrib = dict(element.attrib)
        children = []
        for index, child in enumerate(element):
            child_path = path + (index,)
            how = keep(child, child_path, element, path)
            if how == "whole":
                children.append(whole(child, child_path))
            elif how == "partial":
                children.append(partial(child, child_path))
        new[:] = children
        origin[id(new)] = path
        if path == end:
            copied_end.append(new)
        return new

    new_root = partial(root, ())
    if start is not None:
        parent = _find(new_root, origin, start[:-1])
        first = _find(new_root, origin, start)
        if parent is None or first is None:
            raise CutMismatch(f"no element at {start}")
        parent.insert(list(parent).index(first), _filler(parent.tag, first))
    else:
        first = None
    if end is not None and not copied_end:
        raise CutMismatch(f"no element at {end}")
    return SubTree(new_root, origin, copied_end[0] if copied_end else None, first)


def _filler(parent_tag: str, first: ET.Element) -> ET.Element:
    """A block taller than any page (print-piece.css), put just before the first element: the first element then
    begins page 2 after an unforced break, inside its ancestors that began on page 1, as in the one pass, so that
    WeasyPrint itself truncates the margins adjoining the break and slices the ancestors' top border and padding.
    Page 1 is not written."""
    if parent_tag in ("table", "thead", "tbody", "tfoot"):
        # the first element's cells, empty and one row high: a table laid out with fixed widths takes them from its
        # first row, and collapsed borders meet the same cells
        row = ET.Element("tr", {**first.attrib, FILLER: ""})
        row.attrib.pop("id", None)
        for cell in first:
            if isinstance(cell.tag, str):
                attributes = {name: value for name, value in cell.attrib.items() if name not in ("id", "rowspan")}
                ET.SubElement(row, cell.tag, attributes)
        return row
    return ET.Element({"ul": "li", "ol": "li", "dl": "dd"}.get(parent_tag, "div"), {FILLER: ""})


def _find(root: ET.Element, origin: dict[int, Path], path: Path) -> ET.Element | None:
    for element in root.iter():
        if origin.get(id(element)) == path:
            return element
    return None


def serialise(tree: SubTree) -> str:
    """A deterministic text of the sub-piece's tree (its cache key is made from it; not parsed again)."""
    return ET.tostring(tree.root, encoding="unicode")


def html_object(tree: SubTree, **options):
    """A weasyprint.HTML laid out from the tree itself (no serialisation and second parse)."""
    from weasyprint import HTML

    html = HTML(string="<html></html>", **options)
    html.etree_element = tree.root
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree.root)
    return html


# -- reading a layout -------------------------------------------------------------------------------------------

def elements_on(page) -> set[int]:
    """The ids of the HTML elements that have a box on a laid-out page, but for an empty fragment (a block whose
    content all went to the next page leaves one, of no height, at the bottom of this one: it begins there)."""
    return {id(box.element) for box in page._page_box.descendants()
            if box.element is not None and not (isinstance(box, boxes.BlockBox) and not box.children
                                                and not box.height and box.element.tag not in EMPTY_ELEMENTS)}


def _covered_by_rowspan(row: ET.Element, parent: ET.Element) -> bool:
    """A row that a cell of an earlier row of its group spans into (a cut there would drop that cell)."""
    rows = [child for child in parent if child.tag == "tr"]
    if row not in rows:
        return True
    position = rows.index(row)
    for index, earlier in enumerate(rows[:position]):
        for cell in earlier:
            try:
                span = int(cell.get("rowspan", "1") or 1)
            except ValueError:
                span = 1
            if index + span > position:
                return True
    return False


def page_top(page, previous: set[int]) -> ET.Element | None:
    """The element that begins ``page`` when the page begins with an element that was on no earlier page (the
    ancestors around it continue, and a table's repeated head is skipped); None when the page begins inside an
    element (a paragraph's next lines, a row, an anonymous box)."""
    box = next((child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)), None)
    while box is not None:
        children = [child for child in getattr(box, "children", ()) if not isinstance(child, boxes.MarginBox)]
        if isinstance(box, boxes.TableBox):
            children = [child for child in children if not (child.is_header or child.is_footer)]
        if not children or isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return None
        first = children[0]
        if isinstance(first, (boxes.LineBox, boxes.InlineLevelBox)) or first.element is None:
            return None
        if id(first.element) not in previous:
            element = first.element
            if element.tag == "tr" and (box.element is None or _covered_by_rowspan(element, box.element)):
                return None
            if first.style["break_after"] in AVOID:
                return None  # kept with what follows it (a heading): its lookahead alone could not show its break
            return element
        box = first
    return None


def page_cuts(document, origin: dict[int, Path]) -> list[tuple[int, Path]]:
    """The cuts a whole layout offers: (page index, path of the element that begins it) for each page after the
    first that begins with an element."""
    found: list[tuple[int, Path]] = []
    previous = elements_on(document.pages[0]) if document.pages else set()
    for index, page in enumerate(document.pages[1:], start=1):
        current = elements_on(page)
        element = page_top(page, previous)
        if element is not None and id(element) in origin:
            found.append((index, origin[id(element)]))
        previous = current
    return found


def check_start(document, start: ET.Element) -> None:
    """The first element begins page 2, the filler alone on page 1; else CutMismatch."""
    if len(document.pages) < 2 or page_top(document.pages[1], elements_on(document.pages[0])) is not start:
        raise CutMismatch(f"the first element <{start.tag}> does not begin page 2 after the filler")


def check_end(document, end: ET.Element) -> int:
    """The number of pages before the lookahead, when it begins a page after everything before it; else
    CutMismatch."""
    previous: set[int] = set()
    for index, page in enumerate(document.pages):
        current = elements_on(page)
        if id(end) in current:
            if index == 0 or page_top(page, previous) is not end:
                raise CutMismatch(f"the lookahead <{end.tag}> does not begin page {index + 1}")
            return index
        previous = current
    raise CutMismatch(f"the lookahead <{end.tag}> was not laid out")


def origin_of_whole(root: ET.Element) -> dict[int, Path]:
    """id -> path for every element of a parsed tree (a whole piece, laid out from its tree)."""
    origin: dict[int, Path] = {}

    def walk(element: ET.Element, path: Path) -> None:
        origin[id(element)] = path
        for index, child in enumerate(element):
            walk(child, path + (index,))

    walk(root, ())
    return origin
