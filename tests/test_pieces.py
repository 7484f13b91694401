"""The PDF rendered in pieces (zoneeval/assembly/pieces.py) is the one-pass PDF: the same text on each page, the same
pages drawn (compared as images), TOC page numbers, bookmarks, link destinations, metadata and embedded fonts, for
each sample; and a re-render after an edit lays out only the pieces that changed. Its tagging (the merged structure
tree) is checked by test_pdf_tags.py, whose draft is rendered both ways."""
import io
import json
import re
import subprocess

import pikepdf
import pytest
from django.test import override_settings
from PIL import Image, ImageChops

from zoneeval.assembly import pieces
from zoneeval.assembly.render import render_pdf
from zoneeval.reports.figures import derive

from .conftest import ROOT

SAMPLES = ["keihin-fy2019.json", "kyushu-kanko-fy2018.json", "shiomi-fy2015.json"]


def _snapshot(name: str) -> dict:
    snapshot = json.loads((ROOT / "zoneeval" / "samples" / name).read_text(encoding="utf-8"))
    snapshot["derived"] = derive(snapshot)
    return snapshot


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with override_settings(ARTEFACT_DIR=tmp_path_factory.mktemp("artefacts")):
        yield


@pytest.fixture(scope="module", params=SAMPLES)
def both(request, store, tmp_path_factory):
    snapshot = _snapshot(request.param)
    folder = tmp_path_factory.mktemp("pieces")
    one, merged = render_pdf(snapshot), pieces.render_in_pieces(snapshot)
    (folder / "one.pdf").write_bytes(one.pdf)
    (folder / "pieces.pdf").write_bytes(merged.pdf)
    print(f"\n{request.param}: one pass {len(one.pdf)} B, pieces {len(merged.pdf)} B, "
          f"ratio {len(merged.pdf) / len(one.pdf):.2f}")
    return {"name": request.param, "folder": folder, "one": one, "pieces": merged}


def _page_texts(path) -> list[str]:
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, pages + 1)]


def _outline(pdf: pikepdf.Pdf) -> list:
    index = {page.objgen: n for n, page in enumerate(pdf.pages)}
    items = []

    def walk(level, entries):
        for item in entries:
            destination = item.destination
            items.append((level, str(item.title), index[destination[0].objgen],
                          [round(float(x), 2) for x in list(destination)[2:4]]))
            walk(level + 1, item.children)

    with pdf.open_outline() as outline:
        walk(0, outline.root)
    return items


def _destinations(pdf: pikepdf.Pdf) -> dict:
    index = {page.objgen: n for n, page in enumerate(pdf.pages)}
    return {name: (index[d[0].objgen], [round(float(x), 2) for x in list(d)[2:4]])
            for name, d in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def _links(pdf: pikepdf.Pdf) -> list:
    return [[(str(a.get("/Dest")), [round(float(x), 2) for x in a.Rect]) for a in page.obj.get("/Annots", [])]
            for page in pdf.pages]


def test_same_pages_and_text_on_each_page(both):
    assert both["pieces"].pages == both["one"].pages
    one, merged = _page_texts(both["folder"] / "one.pdf"), _page_texts(both["folder"] / "pieces.pdf")
    assert len(one) == len(merged) == both["one"].pages
    assert [n + 1 for n, (a, b) in enumerate(zip(one, merged)) if a != b] == []
    # the footer is there: "n / N" on every page, as the one pass prints it
    total = len(one)
    assert all(re.search(rf"\b{n} / {total}\b", text) for n, text in enumerate(merged, 1))


def test_table_of_contents_page_numbers(both):
    def numbers(path):
        toc = _page_texts(path)[0]
        return [line.rsplit(None, 1)[-1] for line in toc.splitlines() if re.search(r"\. \d+$", line.strip())]

    one = numbers(both["folder"] / "one.pdf")
    assert len(one) >= 12 and one == numbers(both["folder"] / "pieces.pdf")


def test_every_page_looks_the_same(both):
    """Drawn at 50 dpi: not one pixel differs (a page background of the stamp would blank the page, a header or
    footer in another place or font would show)."""
    for name in ("one", "pieces"):
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(both["folder"] / f"{name}.pdf"),
                        str(both["folder"] / name)], check=True)
    one = sorted(both["folder"].glob("one-*.pgm"))
    assert len(one) == both["one"].pages
    differ = [path.name for path in one
              if ImageChops.difference(Image.open(path), Image.open(str(path).replace("one-", "pieces-"))).getbbox()]
    assert differ == []


def test_bookmarks_links_and_destinations(both):
    one, merged = pikepdf.open(io.BytesIO(both["one"].pdf)), pikepdf.open(io.BytesIO(both["pieces"].pdf))
    assert len(_outline(one)) >= 15 and _outline(merged) == _outline(one)
    assert _destinations(merged) == _destinations(one)
    assert sum(map(len, _links(one))) >= 12 and _links(merged) == _links(one)


def test_metadata(both):
    one, merged = pikepdf.open(io.BytesIO(both["one"].pdf)), pikepdf.open(io.BytesIO(both["pieces"].pdf))
    assert dict(merged.docinfo) == dict(one.docinfo) and "/Title" in one.docinfo
    assert merged.Root.Lang == one.Root.Lang == "ja"
    assert merged.Root.ViewerPreferences.DisplayDocTitle == one.Root.ViewerPreferences.DisplayDocTitle
    assert merged.Root.Metadata.read_bytes() == one.Root.Metadata.read_bytes()  # XMP, with its PDF/UA-1 claim
    assert bool(merged.Root.MarkInfo.Marked) and "/StructTreeRoot" in merged.Root  # tagged: see test_pdf_tags


def test_fonts_embedded(both):
    def fonts(name):
        rows = subprocess.run(["pdffonts", str(both["folder"] / f"{name}.pdf")], capture_output=True, text=True,
                              check=True).stdout.splitlines()[2:]
        return [(row.split()[0].split("+")[-1], row.split()[-5]) for row in rows]

    one, merged = fonts("one"), fonts("pieces")
    assert one and {emb for _, emb in merged} == {"yes"}
    assert {font for font, _ in merged} == {font for font, _ in one}


def test_size(both):
    """At most 1.2× the one pass: the pieces' subsets of one font file are merged into one (pdf_fonts.py)."""
    ratio = len(both["pieces"].pdf) / len(both["one"].pdf)
    print(f"\nmerged {len(both['pieces'].pdf):,} B / one pass {len(both['one'].pdf):,} B = {ratio:.2f}")
    assert ratio <= 1.2


def _layouts(monkeypatch) -> list:
    calls = []
    original = pieces._layout

    def counted(html, extra):
        calls.append("toc" if 'class="print-toc"' in html else "piece")
        return original(html, extra)

    monkeypatch.setattr(pieces, "_layout", counted)
    return calls


EDITS = {
    "part 7 passage": (lambda s: s["parts"]["part7"]["overall"].update(text="<p>総合評価を書き直した。</p>"), ["body"]),
    "別紙4 row": (lambda s: s["parts"]["annex4"]["fiscal"][0].update(result="<p>交付実績は3件。</p>"), ["annex4"]),
    "別紙3 cell": (lambda s: s["parts"]["annex3"]["fiscal"][0].update(remarks="<p>備考を改めた。</p>"), ["annex3"]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_lays_out_only_its_piece_again(edit, store, monkeypatch):
    snapshot = _snapshot("keihin-fy2019.json")
    pieces.render_in_pieces(snapshot)  # every piece cached (the store is the module's)
    change, expected = EDITS[edit]
    change(snapshot)
    calls = _layouts(monkeypatch)
    results = [pieces.render_piece(piece) for piece in pieces.plan(snapshot)]
    assert [r.name for r in results if not r.cached] == expected
    merged = pieces.assemble(snapshot, results)
    assert calls.count("piece") == 1 and calls.count("toc") <= 2  # the TOC again only if its numbers changed
    assert merged.pages == render_pdf(snapshot).pages


def test_a_schedule_row_lays_out_only_its_page_again(store):
    snapshot = _snapshot("keihin-fy2019.json")
    before = {r.name: r.key for r in (pieces.render_piece(p) for p in pieces.plan(snapshot))}
    item = snapshot["parts"]["annex1_2"]["projects"][-1]["items"][-1]
    item["text"] = item["text"][:-1] + "（改）"
    after = {p.name: p.key for p in pieces.plan(snapshot)}
    changed = [name for name in after if after[name] != before.get(name)]
    assert len(changed) == 1 and changed[0].startswith("annex1_2-")
