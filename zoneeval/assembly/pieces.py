"""The PDF rendered in pieces: the print document cut at its forced page breaks, each piece laid out on its own
(without page numbers), cached in the artefact store by the hash of its HTML and the renderer, then merged.

A piece is a complete HTML document: the print wrapper (same <head>, same stylesheets, the draft mark) around one
part of the document, chosen by the template context (``piece``: see templates/reports/document/document.html),
not cut out of the whole HTML. The pieces of a snapshot, in document order: the body (title and parts 1–7), 別紙1,
each printed page of 別紙1-2 (its pages are forced breaks), 別紙2, 別紙3, 別紙4. The table of contents is not a
piece: it is rendered last by ``assemble`` with literal page numbers, once every piece's page count is known.

``assemble`` merges the TOC and the pieces with pikepdf, stamps each page's "n / N" (a WeasyPrint render of the same
@page footer on otherwise empty pages, overlaid), rebuilds the outline from the pieces' outlines and copies the
metadata of the one-pass PDF. Pieces are untagged: tagging does not survive a merge (see README "Performance"), so the
submitted PDF (render_final) stays one tagged pass and drafts use pieces.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .render import RenderResult

PIECES_DIR = "pieces"


@dataclass(frozen=True)
class Piece:
    """One piece of a snapshot's print document: ``index`` (0-based, document order), ``name`` (e.g. "body",
    "annex1", "annex1_2-3"), ``html`` (a complete HTML document), ``key`` (sha256 of html + renderer fingerprint)."""

    index: int
    name: str
    html: str
    key: str


@dataclass
class PieceResult:
    """A rendered piece: ``relative_path`` in the artefact store (pieces/<key[:2]>/<key>.pdf), its page count,
    ``anchors`` (element id -> 0-based page index within the piece), ``seconds`` spent rendering it now (0.0 when
    it came from the cache), ``landscape`` (per page, for the page-number stamp), ``cached``."""

    name: str
    key: str
    relative_path: str
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    landscape: list[bool] = field(default_factory=list)
    cached: bool = False


def piece_key(html: str) -> str:
    """The cache key of a piece: its HTML and the renderer that lays it out."""
    from .renderer import fingerprint

    return hashlib.sha256((fingerprint() + "\0" + html).encode("utf-8")).hexdigest()


def plan(snapshot: dict, final: bool = False) -> list[Piece]:
    """The content pieces of a snapshot's print document, in document order (the TOC excluded)."""
    raise NotImplementedError


def render_piece(piece: Piece) -> PieceResult:
    """The piece's PDF, from the artefact store if it was rendered before (by key), else rendered now and stored
    (pieces/<key[:2]>/<key>.pdf, with a JSON sidecar <key>.json holding pages, anchors and page orientations)."""
    raise NotImplementedError


def assemble(snapshot: dict, results: list[PieceResult], final: bool = False) -> RenderResult:
    """The whole PDF from the rendered pieces (in ``plan`` order): the TOC rendered with literal page numbers, the
    merge, the "n / N" stamp, the outline and the metadata."""
    raise NotImplementedError


def render_in_pieces(snapshot: dict, final: bool = False) -> RenderResult:
    """``plan`` → ``render_piece`` for each (reusing cached pieces) → ``assemble``, in this process."""
    raise NotImplementedError
