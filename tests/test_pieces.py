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


_ONE_PASS: dict[str, object] = {}


@pytest.fixture(scope="module", params=[(sample, way) for sample in SAMPLES for way in ("whole", "cut")],
                ids=lambda param: f"{param[0].split('.')[0]}-{param[1]}")
def both(request, store, tmp_path_factory):
    """``whole``: each piece laid out whole (the first render of an edition); ``cut``: rendered again, the long
    pieces cut where the first render broke their pages (cuts.py), every sub-piece laid out and checked."""
    sample, way = request.param
    snapshot = _snapshot(sample)
    folder = tmp_path_factory.mktemp("pieces")
    one = _ONE_PASS.setdefault(sample, render_pdf(snapshot))
    if way == "whole":
        with override_settings(RENDER_CUT_PIECES=False):
            merged = pieces.render_in_pieces(snapshot)
        assert not any(name for name in merged.timings["rendered"] if "." in name)
    else:
        pieces.render_in_pieces(snapshot)  # the cuts kept (the pieces written as their sub-pieces)
        planned = pieces.plan(snapshot)
        for piece in planned:  # each sub-piece laid out on its own now (as after an edit), not from the cache
            for path in pieces._paths(piece.key):
                pieces.artefact_storage().delete(path)
        sub_pieces = [pieces.render_piece(piece) for piece in planned if piece.parent]
        assert len(sub_pieces) >= 5 and not any(result.parts or result.cached for result in sub_pieces)
        print(f"\n{sample}: {len(sub_pieces)} sub-pieces laid out: {[r.name for r in sub_pieces]}")
        merged = pieces.render_in_pieces(snapshot)
        assert merged.timings["rendered"] == [] or not any("." in name for name in merged.timings["rendered"])
    (folder / "one.pdf").write_bytes(one.pdf)
    (folder / "pieces.pdf").write_bytes(merged.pdf)
    print(f"\n{sample} ({way}): one pass {len(one.pdf)} B, pieces {len(merged.pdf)} B, "
          f"ratio {len(merged.pdf) / len(one.pdf):.2f}")
    return {"name": sample, "folder": folder, "one": one, "pieces": merged}


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
    original, original_tree = pieces._layout, pieces._layout_tree

    def counted(html, extra):
        calls.append("toc" if 'class="print-toc"' in html else "piece")
        return original(html, extra)

    def counted_tree(tree, extra):
        calls.append("piece")
        return original_tree(tree, extra)

    monkeypatch.setattr(pieces, "_layout", counted)
    monkeypatch.setattr(pieces, "_layout_tree", counted_tree)
    return calls


EDITS = {
    "part 7 passage": (lambda s: s["parts"]["part7"]["overall"].update(text="<p>総合評価を書き直した。</p>"), ["body"]),
    "別紙4 row": (lambda s: s["parts"]["annex4"]["fiscal"][0].update(result="<p>交付実績は3件。</p>"), ["annex4"]),
    # a word for another of the same length: the row keeps its height (a shorter cell here would let a row of the
    # next page move up: test_an_edit_that_moves_a_page_break…)
    "別紙3 cell": (lambda s: s["parts"]["annex3"]["fiscal"][0].update(
        remarks=s["parts"]["annex3"]["fiscal"][0]["remarks"].replace("革新的", "画期的", 1)), ["annex3"]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_lays_out_only_its_page_again(edit, store, monkeypatch):
    """With the cuts of the last render, an edit that moves no page break lays out one sub-piece (a page or two) of
    the piece it is in, and the PDF is the one pass's."""
    snapshot = _snapshot("keihin-fy2019.json")
    pieces.render_in_pieces(snapshot)  # the cuts kept, every sub-piece written (the store is the module's)
    change, expected = EDITS[edit]
    change(snapshot)
    calls = _layouts(monkeypatch)
    results = [pieces.render_piece(piece) for piece in pieces.plan(snapshot)]
    laid_out = [r for r in results if not r.cached]
    assert [r.group for r in laid_out] == expected and laid_out[0].parent == expected[0]
    assert laid_out[0].pages <= 2
    merged = pieces.assemble(snapshot, results)
    assert calls.count("piece") == 1 and calls.count("toc") <= 2  # the TOC again only if its numbers changed
    one = render_pdf(snapshot)
    assert merged.pages == one.pages
    assert _texts(merged.pdf) == _texts(one.pdf)


def _texts(pdf: bytes) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8").split("\f")


def test_an_edit_that_moves_a_page_break_lays_out_the_whole_piece_and_cuts_it_anew(store, monkeypatch):
    """A 別紙4 row grown by many lines pushes the rows after it to later pages: the sub-piece holding it fails its
    check (its lookahead no longer begins a page), the whole 別紙4 is laid out instead, the PDF is the one pass's,
    and the next render cuts 別紙4 where the new layout broke its pages."""
    snapshot = _snapshot("keihin-fy2019.json")
    pieces.render_in_pieces(snapshot)
    pieces.render_in_pieces(snapshot)
    row = snapshot["parts"]["annex4"]["fiscal"][0]
    row["result"] = "".join(f"<p>交付実績の内訳 {n}：説明を加えた。</p>" for n in range(25))
    merged = pieces.render_in_pieces(snapshot)
    assert "annex4" in merged.timings["rendered"]  # the whole piece, after a sub-piece's mismatch
    one = render_pdf(snapshot)
    assert merged.pages == one.pages and _texts(merged.pdf) == _texts(one.pdf)
    # then a word retyped at the end of 別紙4 (the same length: no page break moves): only its sub-piece again
    private = snapshot["parts"]["annex4"]["private_sector"]
    private["text"] = private["text"].replace("。", "．", 1)
    again = pieces.render_in_pieces(snapshot)
    assert "annex4" not in again.timings["rendered"]
    assert len([name for name in again.timings["rendered"] if name.startswith("annex4.")]) == 1
    assert _texts(again.pdf) == _texts(render_pdf(snapshot).pdf)


def test_a_schedule_row_lays_out_only_its_page_again(store):
    snapshot = _snapshot("keihin-fy2019.json")
    pieces.render_in_pieces(snapshot)  # the cuts of this content recorded (other tests edited it)
    before = {p.name: p.key for p in pieces.plan(snapshot)}
    item = snapshot["parts"]["annex1_2"]["projects"][-1]["items"][-1]
    item["text"] = item["text"][:-1] + "（改）"
    after = {p.name: p.key for p in pieces.plan(snapshot)}
    changed = [name for name in after if after[name] != before.get(name)]
    assert len(changed) == 1 and changed[0].startswith("annex1_2-")


def _rich_texts(node, found=None) -> list:
    """Every rich-text field of a snapshot's parts (a container and its key), in a stable order."""
    found = [] if found is None else found
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        if isinstance(value, str) and value.startswith("<p>"):
            found.append((node, key))
        elif isinstance(value, (dict, list)):
            _rich_texts(value, found)
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_keep_the_one_pass_pagination(seed, store):
    """Passages and cells grown or shrunk at random, one after another, each rendered with the cuts of the render
    before: whatever moved, every page has the one pass's text (a sub-piece whose break moved was caught)."""
    import random

    rng = random.Random(seed)
    snapshot = _snapshot("keihin-fy2019.json")
    pieces.render_in_pieces(snapshot)
    fields = _rich_texts(snapshot["parts"])
    assert len(fields) >= 40
    for _ in range(4):
        for container, key in rng.sample(fields, 3):
            if rng.random() < 0.5:
                container[key] += "".join(f"<p>追記{n}：説明の文を加えた。</p>" for n in range(rng.randint(1, 12)))
            else:
                container[key] = container[key][:container[key].find("</p>") + 4] if "</p>" in container[key] \
                    else container[key]
        merged = pieces.render_in_pieces(snapshot)
        one = render_pdf(snapshot)
        assert merged.pages == one.pages
        assert _texts(merged.pdf) == _texts(one.pdf), merged.timings["rendered"]
