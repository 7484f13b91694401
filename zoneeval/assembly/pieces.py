"""The PDF rendered in pieces: the print document cut at its forced page breaks, each piece laid out on its own
(without page numbers), cached in the artefact store by the hash of its HTML and the renderer, then merged.

A piece is a complete HTML document: the print wrapper (same <head>, same stylesheets, the draft mark) around one
part of the document, chosen by the template context (``piece``: see templates/reports/document/document.html),
not cut out of the whole HTML. The pieces of a snapshot, in document order: the body (title and parts 1–7), 別紙1,
each printed page of 別紙1-2 (its pages are forced breaks), 別紙2, 別紙3, 別紙4. The table of contents is not a
piece: it is rendered last by ``assemble`` with literal page numbers, once every piece's page count is known.

``assemble`` merges the TOC and the pieces with pikepdf, stamps each page's "n / N" (a WeasyPrint render of the same
@page footer on otherwise empty pages, overlaid), rebuilds the outline from the pieces' outlines and copies the
metadata of the one-pass PDF, and merges the pieces' structure trees (PDF/UA-1, with pdf_tags' additions) into one:
the merged PDF is tagged as the one pass is. The submitted PDF (render_final) is still rendered in one pass.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import re
import time
import warnings
from dataclasses import dataclass, field

import pikepdf
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from ..reports.presentation import document_context
from . import cuts, pdf_tags
from .pdf_fonts import share_font_subsets_in  # one subset per font file in the merged file
from .render import PDF_VARIANT, RenderResult, draft_mark, font_config, stylesheets
from .storage import artefact_storage, save_artefact
from .url_fetcher import SafeURLFetcher

PIECES_DIR = "pieces"


@dataclass(frozen=True)
class Piece:
    """One piece of a snapshot's print document: ``index`` (0-based, document order), ``name`` (e.g. "body",
    "annex1", "annex1_2-3"), ``html`` (a complete HTML document), ``key`` (sha256 of html + renderer fingerprint)."""

    index: int
    name: str
    html: str
    key: str
    continues: int = 0  # how many levels of its first element's ancestors continue the piece before's last ones
    # A sub-piece (cuts.py) of the piece ``parent`` (whose HTML is ``html``), from the element at ``start`` to the
    # element at ``end``, the lookahead (paths in the parent's tree; None: its beginning, its end).
    parent: str | None = None
    start: tuple | None = None
    end: tuple | None = None
    stop: tuple | None = None  # the next cut, when it is inside ``end``: the lookahead stops there
    hint: str | None = None  # where the whole piece's cuts are kept (artefact store), for a whole render to write
    whole_continues: int = 0  # a sub-piece's whole piece's ``continues``

    def whole(self) -> "Piece":
        """The piece this one was cut from, laid out whole (after a CutMismatch, or when most of it is new)."""
        if self.parent is None:
            return self
        return Piece(self.index, self.parent, self.html, whole_key(self.html, self.hint), self.whole_continues,
                     hint=self.hint)


@dataclass
class PieceResult:
    """A rendered piece: ``relative_path`` in the artefact store (pieces/<key[:2]>/<key>.pdf), its page count,
    ``anchors`` (element id -> 0-based page index within the piece), ``seconds`` spent rendering it now (0.0 when
    it came from the cache), ``landscape`` (per page, for the page-number stamp), ``cached``, ``continues`` (as the
    piece's)."""

    name: str
    key: str
    relative_path: str
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    landscape: list[bool] = field(default_factory=list)
    cached: bool = False
    continues: int = 0
    parent: str | None = None  # the whole piece's name, for a sub-piece (cuts.py)
    mismatch: bool = False  # a sub-piece whose page break moved: the whole piece is laid out instead
    replaces: str | None = None  # the whole piece laid out after a sub-piece's mismatch: its name
    bookmarks: list = field(default_factory=list)  # the CSS bookmark-level of each of its bookmarks, in order
    parts: list = field(default_factory=list)  # a whole piece written as its sub-pieces: their results, in order

    @property
    def group(self) -> str:
        return self.parent or self.replaces or self.name

    def flat(self) -> list["PieceResult"]:
        """What the merge takes: the sub-pieces a whole render wrote, or this piece."""
        return self.parts or [self]


def piece_key(html: str) -> str:
    """The cache key of a piece: its HTML and the renderer that lays it out."""
    from .renderer import fingerprint

    return hashlib.sha256((fingerprint() + "\0" + html).encode("utf-8")).hexdigest()


def whole_key(html: str, hint: str | None) -> str:
    """The key of a whole piece: written as its sub-pieces when its cuts are kept (``hint``), else as one PDF."""
    return piece_key(html if hint is None else html + "\0written as its sub-pieces")


def _context(snapshot: dict, final: bool) -> dict:
    context = document_context(snapshot)
    context["for_print"] = True
    context["draft_mark"] = "" if final else draft_mark()
    context["zone_name"] = snapshot["zone"]["name"]  # print-piece.css: string-set from the attribute (no inline style)
    return context


def _piece_html(context: dict, piece: str, **extra) -> str:
    return render_to_string("reports/print.html", {**context, "piece": piece, **extra})


def plan(snapshot: dict, final: bool = False, context: dict | None = None) -> list[Piece]:
    """The content pieces of a snapshot's print document, in document order (the TOC excluded). ``context``: the
    document's template context, when the caller has it already."""
    context = context or _context(snapshot, final)
    parts: list[tuple[str, str]] = [("body", _piece_html(context, "body")), ("annex1", _piece_html(context, "annex1"))]
    continued = set()
    pages = context["schedule"]["print_pages"]
    if pages:  # each printed page of 別紙1-2 begins with a forced break: one piece each
        for number, page in enumerate(pages):
            schedule_slice = {"pages": [page], "first": number == 0, "last": number == len(pages) - 1}
            parts.append((f"annex1_2-{number + 1}", _piece_html(context, "annex1_2", schedule_slice=schedule_slice)))
            if number:
                continued.add(f"annex1_2-{number + 1}")
    else:
        parts.append(("annex1_2", _piece_html(context, "annex1_2")))
    for name in ("annex2", "annex3", "annex4"):
        parts.append((name, _piece_html(context, name)))
    planned: list[Piece] = []
    for name, html in parts:
        hint = _hint_path(snapshot, name) if settings.RENDER_CUT_PIECES else None
        whole = Piece(len(planned), name, html, whole_key(html, hint), int(name in continued), hint=hint)
        for piece in _cut(whole) or [whole]:
            planned.append(dataclasses.replace(piece, index=len(planned)))
    return planned


def _groups(pieces: list[Piece]) -> list[list[Piece]]:
    """The planned pieces by the piece they were cut from (one each for a piece not cut)."""
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups and piece.parent is not None and groups[-1][0].parent == piece.parent:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def to_render(pieces: list[Piece], found: dict | None = None) -> list[Piece]:
    """What to lay out for the planned ``pieces``: nothing of what is cached; of a piece cut in sub-pieces, the few
    that changed (an edit), or the whole piece when more than half of them are new (its first render with these
    cuts, or many edits: one layout is cheaper than many sub-pieces with their lookaheads, and it writes them
    all). ``found``: filled with the cached results read on the way (key -> result), for ``collect``."""
    out: list[Piece] = []
    for group in _groups(pieces):
        states = [_cached(piece) for piece in group]
        if found is not None:
            found.update((piece.key, state) for piece, state in zip(group, states) if state and not state.mismatch)
        missing = [piece for piece, state in zip(group, states) if state is None or state.mismatch]
        moved = any(state is not None and state.mismatch for state in states)
        if len(group) > 1 and (moved or 2 * len(missing) > len(group)):
            out.append(group[0].whole())
        else:
            out.extend(missing)
    return out


# -- sub-pieces (cuts.py): a piece cut where its last layout broke the page ----------------------------------------

def _hint_path(snapshot: dict, name: str) -> str:
    """Where the cuts of a document's piece are kept: per zone and fiscal year (the edition), per piece."""
    document = hashlib.sha256(f"{snapshot['zone']['slug']}\0{snapshot['edition']['fiscal_year']}".encode()).hexdigest()
    return f"{PIECES_DIR}/hints/{document[:24]}/{name}.json"


def _read_json(path: str) -> dict | None:
    store = artefact_storage()
    if not store.exists(path):
        return None
    with store.open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def _write_json(path: str, data: dict) -> None:
    save_artefact(path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _spans(found: list) -> list[tuple]:
    """The sub-pieces of a piece with these cuts: (first element, lookahead, where the lookahead stops). The
    lookahead is the next cut's element, but not all of it when it is long (a table of several pages): it stops at
    the second cut inside it, so that it holds what filled its first page and what decided that page's end (the
    first row after a table's head, say)."""
    bounds = [None, *found, None, None, None]
    return [(start, end, after if end and after and cuts.above(end, after) else None)
            for start, end, after in zip(bounds, bounds[1:], bounds[3:])]


def _sub_specs(piece: Piece, root, found: list) -> list[list]:
    """[start, end, stop, key, continues] of each sub-piece of ``piece`` (parsed as ``root``) at the cuts ``found``."""
    article_depth = len(cuts.article_path(root))
    specs = []
    for start, end, stop in _spans(found):
        tree = cuts.sub_tree(root, start, end, stop)
        depth = len(start) - article_depth - 1 if start else piece.continues
        specs.append([list(start) if start else None, list(end) if end else None, list(stop) if stop else None,
                      piece_key(cuts.serialise(tree)), depth])
    return specs


def _cut(piece: Piece) -> list[Piece] | None:
    """The sub-pieces of ``piece`` at the cuts its last whole layout offered (None: not cut: none known, or one no
    longer exists). Their keys are computed from their trees once per piece HTML and kept with the cuts."""
    if piece.hint is None:
        return None
    hint = _read_json(piece.hint)
    if not hint or not hint.get("cuts"):
        return None
    specs = hint.get("subs") if hint.get("html_key") == piece.key else None
    if specs is None:
        try:
            specs = _sub_specs(piece, cuts.parse(piece.html), [tuple(cut) for cut in hint["cuts"]])
        except (cuts.CutMismatch, IndexError):
            return None
        _write_json(piece.hint, {**hint, "html_key": piece.key, "subs": specs})
    return [Piece(piece.index, f"{piece.name}.{number + 1}", piece.html, key, depth, piece.name,
                  *(tuple(path) if path else None for path in (start, end, stop)), hint=piece.hint,
                  whole_continues=piece.continues)
            for number, (start, end, stop, key, depth) in enumerate(specs)]


_PIECE_CSS: dict[bool, list[CSS]] = {}


def piece_stylesheets(continued: bool) -> list[CSS]:
    """The print stylesheets, then no page numbers (print-piece.css), then, for a piece after the first, the zone's
    name on its first page too (print-piece-continued.css). Parsed once per process."""
    if continued not in _PIECE_CSS:
        css_dir = settings.BASE_DIR / "static" / "css"
        names = ["print-piece.css"] + (["print-piece-continued.css"] if continued else [])
        _PIECE_CSS[continued] = [CSS(filename=str(css_dir / name), font_config=font_config()) for name in names]
    return stylesheets() + _PIECE_CSS[continued]


def _html_options() -> dict:
    return {"base_url": str(settings.BASE_DIR / "static") + "/", "url_fetcher": SafeURLFetcher()}


def _layout(html: str, extra: list[CSS]):
    pdf_tags.install()
    return HTML(string=html, **_html_options()).render(stylesheets=extra, font_config=font_config())


def _layout_tree(tree: cuts.SubTree, extra: list[CSS]):
    pdf_tags.install()
    return cuts.html_object(tree, **_html_options()).render(stylesheets=extra, font_config=font_config())


def _facts(document) -> tuple[dict[str, int], list[bool]]:
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    return anchors, [page.width > page.height for page in document.pages]


def _bookmark_levels(document) -> list[int]:
    """The CSS bookmark-level of each bookmark, in document order (the merge nests them across pieces)."""
    return [level for page in document.pages for level, *_ in page.bookmarks]


def _paths(key: str) -> tuple[str, str]:
    base = f"{PIECES_DIR}/{key[:2]}/{key}"
    return base + ".pdf", base + ".json"


def _read_meta(key: str) -> dict | None:
    pdf_path, meta_path = _paths(key)
    store = artefact_storage()
    if not store.exists(meta_path):
        return None
    with store.open(meta_path, "rb") as handle:
        meta = json.loads(handle.read().decode("utf-8"))
    if "parts" not in meta and not meta.get("mismatch") and not store.exists(pdf_path):
        return None
    return meta


def _result(piece: Piece, meta: dict, key: str | None = None, name: str | None = None) -> PieceResult:
    pdf_path, _ = _paths(key or piece.key)
    return PieceResult(name or piece.name, key or piece.key, pdf_path, meta["pages"], meta["anchors"], 0.0,
                       meta["landscape"], cached=True, continues=meta.get("continues", piece.continues),
                       parent=meta.get("parent", piece.parent), bookmarks=meta.get("bookmarks", []))


def _cached(piece: Piece) -> PieceResult | None:
    meta = _read_meta(piece.key)
    if meta is None:
        return None
    if meta.get("mismatch"):
        return PieceResult(piece.name, piece.key, "", 0, cached=True, continues=piece.continues,
                           parent=piece.parent, mismatch=True)
    if "parts" in meta:  # a whole piece written as its sub-pieces
        parts = []
        for name, key in meta["parts"]:
            part = _read_meta(key)
            if part is None or "pages" not in part:
                return None
            parts.append(_result(piece, part, key, name))
        return PieceResult(piece.name, piece.key, "", sum(p.pages for p in parts), cached=True,
                           continues=piece.continues, parts=parts)
    return _result(piece, meta)


def _store(piece: Piece, document, started: float, parent: str | None = None) -> PieceResult:
    """Write a laid-out piece (tagged, as the one pass) and its sidecar; the sidecar last: a sidecar means both are
    there."""
    pdf_path, meta_path = _paths(piece.key)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
    anchors, landscape = _facts(document)
    seconds = time.perf_counter() - started
    pdf_path = save_artefact(pdf_path, pdf)
    meta = {"pages": len(document.pages), "anchors": anchors, "landscape": landscape,
            "bookmarks": _bookmark_levels(document), "continues": piece.continues, "parent": parent or piece.parent}
    _write_json(meta_path, meta)
    return PieceResult(piece.name, piece.key, pdf_path, len(document.pages), anchors, seconds, landscape,
                       continues=piece.continues, parent=meta["parent"], bookmarks=meta["bookmarks"])


def _render_whole(piece: Piece) -> PieceResult:
    """A piece laid out whole. When its pages begin with elements (cuts.py), it is written as its sub-pieces at
    those cuts (each page range of this one layout, under the key the sub-piece would have), and the cuts are kept
    for the next plan: an edit then lays out one sub-piece again. Otherwise one PDF."""
    started = time.perf_counter()
    root = cuts.parse(piece.html)
    origin = cuts.origin_of_whole(root)
    document = _layout_tree(cuts.SubTree(root, origin, None), piece_stylesheets(continued=True))
    found = cuts.page_cuts(document, origin) if piece.hint else []
    if not found:
        return _store(piece, document, started)
    specs = _sub_specs(piece, root, [path for _, path in found])
    bounds = [0, *(page for page, _ in found), len(document.pages)]
    parts = []
    for number, ((start, end, stop, key, depth), first, last) in enumerate(zip(specs, bounds, bounds[1:])):
        sub = Piece(piece.index, f"{piece.name}.{number + 1}", piece.html, key, depth, piece.name)
        parts.append(_store(sub, document.copy(document.pages[first:last]), started))
    _write_json(piece.hint, {"cuts": [list(path) for _, path in found], "html_key": piece.key, "subs": specs})
    _, meta_path = _paths(piece.key)
    _write_json(meta_path, {"parts": [[part.name, part.key] for part in parts]})
    seconds = time.perf_counter() - started
    return PieceResult(piece.name, piece.key, "", len(document.pages), seconds=seconds, continues=piece.continues,
                       parts=parts)


def _render_sub(piece: Piece) -> PieceResult | None:
    """A sub-piece laid out on its own (a filler page, its pages, the lookahead), or None when its first element or
    its lookahead no longer begins a page (a page break moved)."""
    started = time.perf_counter()
    try:
        tree = cuts.sub_tree(cuts.parse(piece.html), piece.start, piece.end, piece.stop)
        document = _layout_tree(tree, piece_stylesheets(continued=True))
        if tree.start is not None:
            cuts.check_start(document, tree.start)
        kept = len(document.pages) if tree.end is None else cuts.check_end(document, tree.end)
    except cuts.CutMismatch:
        return None
    first = 1 if piece.start else 0  # page 1 of a sub-piece after the first is its filler's
    if kept <= first:
        return None
    if (first, kept) != (0, len(document.pages)):
        document = document.copy(document.pages[first:kept])
    return _store(piece, document, started)


def render_piece(piece: Piece) -> PieceResult:
    """The piece's PDF, from the artefact store if it was rendered before (by key), else rendered now and stored
    (pieces/<key[:2]>/<key>.pdf, with a JSON sidecar <key>.json holding pages, anchors, page orientations and
    bookmark levels). A whole piece may be written as its sub-pieces (``parts``: _render_whole). A sub-piece whose
    page break moved is recorded as such, and the whole piece it was cut from is rendered instead (``replaces``
    names it)."""
    cached = _cached(piece)
    if cached is not None and not cached.mismatch:
        return cached
    if piece.parent is None:
        return _render_whole(piece)
    if cached is None:
        result = _render_sub(piece)
        if result is not None:
            return result
        _write_json(_paths(piece.key)[1], {"mismatch": True})
    result = render_piece(piece.whole())
    result.replaces = piece.parent
    return result


def _toc_css(targets: list[str], numbers: dict[str, int]) -> str:
    """The TOC's page numbers as literal content instead of target-counter(): one rule per link of the TOC."""
    rules = []
    for target in targets:
        if target in numbers:
            selector = target.replace("\\", "\\\\").replace('"', '\\"')
            rules.append(f'.print-toc a[href="#{selector}"]::after {{ content: leader(". ") "{numbers[target]}"; }}')
    return "\n".join(rules)


def _render_toc(context: dict, results: list[PieceResult]) -> PieceResult:
    """The TOC laid out with literal page numbers, cached like a piece (by its HTML and its numbers: an edit that
    moves no page reuses it). Its own length shifts every number: laid out assuming one page, then once more if it
    took another number of pages."""
    targets = list(dict.fromkeys(re.findall(r'href="#([^"]+)"', _piece_html(context, "toc"))))
    html = _piece_html(context, "toc", toc_targets=targets)
    toc_pages = 1
    for _ in range(3):
        numbers, start = {}, toc_pages
        for result in results:
            for name, index in result.anchors.items():
                numbers.setdefault(name, start + index + 1)
            start += result.pages
        css = _toc_css(targets, numbers)
        toc = Piece(-1, "toc", html, piece_key(html + "\0" + css))
        result = _cached(toc)
        if result is None:
            started = time.perf_counter()
            document = _layout(html, piece_stylesheets(continued=False) + [CSS(string=css, font_config=font_config())])
            result = _store(toc, document, started, [])
        if result.pages == toc_pages:
            return result
        toc_pages = result.pages
    raise RuntimeError("the table of contents' page count does not settle")


_STAMP_CSS: list[CSS] = []
_STAMPS: dict[str, bytes] = {}


def _stamp_pdf(landscape: list[bool]) -> pikepdf.Pdf:
    """Empty, transparent pages of the same sizes with print.css's footer "n / N": what the one-pass render prints
    there, in the same font and place. The same sequence of page sizes gives the same stamp: kept per process and in
    the artefact store (pieces/stamps/)."""
    from .renderer import fingerprint

    pattern = "".join("L" if wide else "P" for wide in landscape)
    key = hashlib.sha256(f"{fingerprint()}\0stamp\0{pattern}".encode()).hexdigest()
    if key not in _STAMPS:
        path, store = f"{PIECES_DIR}/stamps/{key}.pdf", artefact_storage()
        if store.exists(path):
            with store.open(path, "rb") as handle:
                _STAMPS[key] = handle.read()
        else:
            _STAMPS[key] = _render_stamp(landscape)
            save_artefact(path, _STAMPS[key])
        while len(_STAMPS) > 16:
            _STAMPS.pop(next(iter(_STAMPS)))
    return pikepdf.open(io.BytesIO(_STAMPS[key]))


def _render_stamp(landscape: list[bool]) -> bytes:
    if not _STAMP_CSS:  # over app.css and print.css: no page background, it would cover the page stamped
        _STAMP_CSS.append(CSS(string="html, body { background: none !important; }", font_config=font_config()))
    body = "".join(
        f'<div style="height:1px;{"page:landscape;" if wide else ""}{"break-before:page;" if i else ""}"></div>'
        for i, wide in enumerate(landscape)
    )
    html = f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"></head><body class="print">{body}</body></html>'
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static") + "/", url_fetcher=SafeURLFetcher()).render(
        stylesheets=stylesheets() + _STAMP_CSS, font_config=font_config()
    )
    if len(document.pages) != len(landscape):
        raise RuntimeError(f"page-number stamp: {len(document.pages)} pages for {len(landscape)}")
    return document.write_pdf(pdf_variant=PDF_VARIANT)  # tagged: the numbers are pagination artifacts


def _copy_outline(source: pikepdf.Pdf, target: pikepdf.Pdf, offset: int, into: list) -> None:
    """The source's bookmarks, in document order, each without its children, pointing at ``target``'s pages."""
    page_index = {page.objgen: index for index, page in enumerate(source.pages)}

    def copy(item) -> None:
        destination = item.destination
        if destination is None and item.action is not None:
            destination = item.action.get("/D")
        index = page_index[destination[0].objgen]
        new = pikepdf.OutlineItem(item.title, destination=pikepdf.Array(
            [target.pages[offset + index].obj, *list(destination)[1:]]))
        new.is_closed = item.is_closed
        into.append(new)
        for child in item.children:
            copy(child)

    with source.open_outline() as outline:
        for item in outline.root:
            copy(item)


def _nest_outline(items: list, levels: list[int]) -> list:
    """The bookmarks nested by their CSS bookmark-level across all pieces, as WeasyPrint nests them in one document
    (weasyprint.anchors.make_page_bookmark_tree: a skipped level does not make an empty one): a piece that begins
    with an <h3> nests it under the <h2> of the piece before."""
    root: list = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for item, level in zip(items, levels):
        if level > previous:
            skipped.append(level - previous - 1)
        else:
            temp = level
            while temp < previous:
                temp += 1 + skipped.pop()
            if temp > previous:
                skipped.append(temp - previous - 1)
        previous = level
        depth = level - sum(skipped)
        last_by_depth[depth - 1].append(item)
        del last_by_depth[depth:]
        last_by_depth.append(item.children)
    return root


def _kids(element) -> list:
    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


def _is_element(kid) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and "/S" in kid


def _join(into, element, depth: int = 0) -> None:
    """``element`` continues ``into`` (the same HTML element, cut by the piece boundary): its kids become into's;
    ``depth`` levels down, its first kid continues into's last one too (the ancestors of a sub-piece's first
    element), unless they differ in type or are parts of a table (each page's part of a table is a table of its
    own, with its repeated head: pdf_tags' rule 5)."""
    kids = _kids(into)
    incoming = _kids(element)
    if depth > 0:
        last = next((kid for kid in reversed(kids) if _is_element(kid)), None)
        first = next((kid for kid in incoming if _is_element(kid)), None)
        if last is not None and first is not None and last.S == first.S and str(first.S) not in pdf_tags.TABLE_PARTS:
            _join(last, first, depth - 1)
            incoming = [kid for kid in incoming if not (_is_element(kid) and kid.objgen == first.objgen)]
    for kid in incoming:
        if _is_element(kid):
            kid.P = into
        kids.append(kid)
    into.K = pikepdf.Array(kids)


def _merge_structure(placed: list[tuple[pikepdf.Pdf, int, int]], target: pikepdf.Pdf) -> None:
    """One structure tree from the pieces' (each with the offset of its first page in ``target`` and whether it
    continues the piece before): their /Document elements' kids under one /Document, the <article> that every piece
    opens joined into one /Art (and a section cut by a piece boundary into one /Sect: pdf_tags' rule 5, an element
    over a page break is one element), the parent trees' keys shifted past the pieces before."""
    nums, base, document = pikepdf.Array(), 0, None
    for source, offset, continues in placed:
        tree = source.Root.StructTreeRoot
        parent_tree = tree.ParentTree
        # one copy of the whole parent tree (its structure elements are the ones copied with the tree below)
        source_nums = list((target.copy_foreign(parent_tree) if parent_tree.is_indirect else parent_tree).Nums)
        for page in target.pages[offset:offset + len(source.pages)]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + base
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + base
        for key, value in zip(source_nums[::2], source_nums[1::2]):
            nums.append(int(key) + base)
            nums.append(value)
        base += max((int(key) for key in source_nums[::2]), default=-1) + 1
        root = target.copy_foreign(_kids(tree)[0])  # the /Document element (its pages are target's already)
        if document is None:
            document = root
            continue
        for kid in _kids(root):
            last = _kids(document)[-1] if _kids(document) else None
            if _is_element(kid) and last is not None and _is_element(last) and kid.S == last.S == "/Art":
                _join(last, kid, int(continues))
                continue
            if _is_element(kid):
                kid.P = document
            document.K = pikepdf.Array([*_kids(document), kid])
    tree_root = target.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document]),
        ParentTree=target.make_indirect(pikepdf.Dictionary(Nums=nums)), ParentTreeNextKey=base))
    document.P = tree_root
    target.Root.StructTreeRoot = tree_root
    target.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _merge_destinations(sources: list[tuple[pikepdf.Pdf, int]], target: pikepdf.Pdf) -> None:
    """One name tree of destinations (every element id, as in a one-pass render) from the pieces' own (each with the
    offset of its first page in ``target``): the TOC's links, written by name, lead to them."""
    entries: dict[str, pikepdf.Array] = {}
    for source, offset in sources:
        names = source.Root.get("/Names")
        if names is None or "/Dests" not in names:
            continue
        page_index = {page.objgen: index for index, page in enumerate(source.pages)}
        for name, destination in pikepdf.NameTree(names.Dests).items():
            if name not in entries:
                page = target.pages[offset + page_index[destination[0].objgen]].obj
                entries[name] = pikepdf.Array([page, *list(destination)[1:]])
    flat = pikepdf.Array()
    for name in sorted(entries):
        flat.append(pikepdf.String(name))
        flat.append(entries[name])
    target.Root.Names = pikepdf.Dictionary(Dests=target.make_indirect(pikepdf.Dictionary(Names=flat)))


def assemble(snapshot: dict, results: list[PieceResult], final: bool = False,
             context: dict | None = None) -> RenderResult:
    """The whole PDF from the rendered pieces (in ``plan`` order): the TOC rendered with literal page numbers, the
    merge, the "n / N" stamp, the outline and the metadata."""
    started = time.perf_counter()
    context = context or _context(snapshot, final)
    toc = _render_toc(context, results)
    laid_out = time.perf_counter()
    store = artefact_storage()
    sources = []
    for result in [toc, *results]:
        with store.open(result.relative_path, "rb") as handle:
            sources.append(pikepdf.open(io.BytesIO(handle.read())))
    merged = pikepdf.new()
    outline_items: list = []
    offsets = []
    for source in sources:
        offsets.append(len(merged.pages))
        with warnings.catch_warnings():  # named destinations are merged below (_merge_destinations)
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            merged.pages.extend(source.pages)
        _copy_outline(source, merged, offsets[-1], outline_items)
    landscape = [bool(page.mediabox[2] > page.mediabox[3]) for page in merged.pages]
    stamp = _stamp_pdf(landscape)
    for page, numbers in zip(merged.pages, stamp.pages):
        page.add_overlay(numbers)
    placed = list(zip(sources, offsets))
    _merge_destinations(placed[1:] + placed[:1], merged)  # the TOC last: its placeholders yield
    levels = [level for result in [toc, *results] for level in result.bookmarks]
    if len(levels) != len(outline_items):
        raise RuntimeError(f"{len(outline_items)} bookmarks in the pieces, {len(levels)} levels recorded")
    with merged.open_outline() as outline:
        outline.root.extend(_nest_outline(outline_items, levels))
    _merge_structure([(source, offset, result.continues) for (source, offset), result in zip(placed, [toc, *results])],
                     merged)
    # The metadata of every piece is the document's (same <head>): the TOC's, as the one pass writes it.
    toc_pdf = sources[0]
    for key, value in toc_pdf.docinfo.items():
        merged.docinfo[key] = value
    for key in ("/Lang", "/ViewerPreferences", "/Metadata"):
        if key in toc_pdf.Root:
            value = toc_pdf.Root[key]
            merged.Root[key] = merged.copy_foreign(value) if value.is_indirect else pikepdf.Dictionary(
                {name: item for name, item in value.items()}) if isinstance(value, pikepdf.Dictionary) else value
    share_font_subsets_in(merged)
    buffer = io.BytesIO()
    merged.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                fix_metadata_version=False)  # the XMP as WeasyPrint wrote it
    pdf = buffer.getvalue()
    done = time.perf_counter()
    return RenderResult(pdf=pdf, pages=len(landscape), seconds=done - started,
                        timings={"toc": laid_out - started, "merge": done - laid_out, "toc_cached": toc.cached})


def render_in_pieces(snapshot: dict, final: bool = False) -> RenderResult:
    """``plan`` → ``render_piece`` for what ``to_render`` says (the rest is cached) → ``assemble``, in this
    process."""
    started = time.perf_counter()
    context = _context(snapshot, final)
    pieces = plan(snapshot, final, context)
    planned = time.perf_counter()
    found: dict[str, PieceResult] = {}
    rendered = [render_piece(piece) for piece in to_render(pieces, found)]
    results = collect(pieces, rendered, found)
    laid_out = time.perf_counter()
    result = assemble(snapshot, results, final, context)
    result.seconds = time.perf_counter() - started
    result.timings = {"plan": planned - started, "pieces": laid_out - planned, **result.timings,
                      "rendered": [r.name for r in rendered], "merged_pieces": len(results)}
    return result


def collect(pieces: list[Piece], rendered: list[PieceResult] = (), found: dict | None = None) -> list[PieceResult]:
    """The results to merge, in document order, once the pieces ``to_render`` named are rendered (``rendered``, in
    this process; ``found``, what ``to_render`` read from the store; otherwise read now): a piece laid out whole
    stands for all its sub-pieces (written as its ``parts``, or one PDF)."""
    by_key = {**(found or {}), **{result.key: result for result in rendered}}
    whole = {result.group: result for result in rendered if result.parent is None}
    results: list[PieceResult] = []
    for group in _groups(pieces):
        name = group[0].parent or group[0].name
        if len(group) > 1 and name in whole:
            results.extend(whole[name].flat())
            continue
        found = []
        for piece in group:
            result = by_key.get(piece.key) or render_piece(piece)  # cached, unless it went missing meanwhile
            if result.parent is None and len(group) > 1:  # its page break moved: the whole piece instead
                found = result.flat()
                break
            found.extend(result.flat())
        results.extend(found)
    return results


def prune(older_than: datetime.timedelta, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what the piece cache holds (pieces/: PDFs, sidecars, kept cuts) last written more than ``older_than``
    ago: each draft's pieces carry the date of its 「案」 mark, so a new set is written each day an edition is
    assembled. Only a cache: a piece deleted is laid out again when it is needed; the runs' PDFs and the submitted
    files are elsewhere in the store and never touched. Returns the files and bytes deleted."""
    store = artefact_storage()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    deleted = {"files": 0, "bytes": 0}

    def walk(folder: str) -> None:
        try:
            folders, files = store.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{folder}/{name}"
            modified = store.get_modified_time(path)
            if modified.tzinfo is None:
                modified = modified.replace(tzinfo=datetime.timezone.utc)
            if now - modified > older_than:
                deleted["bytes"] += store.size(path)
                store.delete(path)
                deleted["files"] += 1
        for name in folders:
            walk(f"{folder}/{name}")

    walk(PIECES_DIR)
    return deleted
