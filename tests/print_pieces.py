"""The print HTML cut into pieces and the pieces' PDFs merged with pikepdf, without zoneeval.assembly.pieces: what
test_pdf_fonts.py and bench/bench_pdf_fonts.py share fonts in. Also poppler read-backs (text per page, pdffonts,
rasterised pages)."""
from __future__ import annotations

import io
import re
import subprocess
import tempfile
import warnings
from pathlib import Path

import pikepdf

CLOSE = "\n</article>\n</body>\n</html>\n"


def split_print_html(html: str, fine: bool = False) -> list[str]:
    """The print document as separate documents cut before each annex (the forced page breaks): [TOC and body,
    別紙1..別紙3, 別紙4]; ``fine``: [TOC, body, each 別紙1 sheet, 別紙1-2, 別紙2, 別紙3, 別紙4]. Each piece keeps the
    head, the draft mark and the article around its sections."""
    starts = [match.start() for match in re.finditer(r'<section id="annex-[^"]*" class="annex', html)]
    article = re.search(r'<article class="report"[^>]*>', html)
    nav = html.index('<nav class="print-toc"')
    prefix = html[:nav] + article.group(0)
    if not fine:
        return [html[:starts[0]] + CLOSE, prefix + html[starts[0]:starts[-1]] + CLOSE, prefix + html[starts[-1]:]]
    body_end = html.index("</article>", starts[-1])
    pieces = [html[:article.start()] + CLOSE.split("\n</article>")[1], prefix + html[article.end():starts[0]] + CLOSE]
    bounds = starts + [body_end]
    for start, end in zip(bounds, bounds[1:]):
        section = html[start:end]
        sheets = [match.start() for match in re.finditer(r'<div class="sheet target-sheet"', section)]
        if len(sheets) < 2:
            pieces.append(prefix + section + CLOSE)
            continue
        opening = section[:section.index(">") + 1]
        cuts = sheets[1:] + [section.rindex("</section>")]
        pieces.append(prefix + section[:cuts[0]] + "</section>" + CLOSE)
        for first, last in zip(cuts, cuts[1:]):
            pieces.append(prefix + opening + section[first:last] + "</section>" + CLOSE)
    return pieces


def merge(pdfs: list[bytes]) -> bytes:
    """The pieces one after another, as pikepdf merges them (Pdf.new, pages.extend)."""
    merged = pikepdf.Pdf.new()
    opened = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in pdfs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # named destinations are not copied: not what these tests look at
        for pdf in opened:
            merged.pages.extend(pdf.pages)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """pdftotext of each page (pages end with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return text.decode("utf-8").split("\f")


def pdffonts(pdf: bytes) -> list[dict]:
    """pdffonts' table: name, type, encoding, emb, sub, uni."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        listing = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in listing.splitlines()[2:]:
        fields = line.split()
        # name, type (1-3 words), encoding, emb, sub, uni, object id, generation
        rows.append({"name": fields[0], "type": " ".join(fields[1:-6]), "encoding": fields[-6], "emb": fields[-5],
                     "sub": fields[-4], "uni": fields[-3]})
    return rows


def rasterise(pdf: bytes, folder: Path, resolution: int = 50) -> list[Path]:
    """Each page as a PNG (pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))
