"""pdf_fonts.share_font_subsets on the FY2019 sample rendered in three pieces (cut before 別紙1 and 別紙4) and merged
with pikepdf, and on small documents built to make the pieces disagree. Read back with poppler and pikepdf."""
import io
import json
import logging

import pikepdf
import pytest
from PIL import Image, ImageChops

from zoneeval.assembly import pdf_fonts
from zoneeval.assembly.pdf_fonts import share_font_subsets
from zoneeval.assembly.render import document_html, render_pdf

from .conftest import SAMPLE_PATH
from .print_pieces import merge, page_texts, pdffonts, rasterise, split_print_html


@pytest.fixture(scope="module")
def sample_pdfs():
    """{"one_pass", "merged", "shared"}: the sample in one render, in three pieces merged, and after sharing."""
    html = document_html(json.loads(SAMPLE_PATH.read_text(encoding="utf-8")))
    one_pass = render_pdf({}, html=html).pdf
    merged = merge([render_pdf({}, html=piece).pdf for piece in split_print_html(html)])
    return {"one_pass": one_pass, "merged": merged, "shared": share_font_subsets(merged)}


def small(body: str) -> bytes:
    html = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head>'
            f'<body class="print"><article class="report" lang="ja"><p>{body}</p></article></body></html>')
    return render_pdf({}, html=html).pdf


def embedded_fonts(pdf: bytes) -> dict:
    """{"programs": set of font program ids, "dictionaries": [BaseFont of each Type0 font dictionary]}."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        dictionaries, programs = [], set()
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0":
                dictionaries.append(str(obj.BaseFont))
                descriptor = obj.DescendantFonts[0].FontDescriptor
                programs.add(descriptor.get("/FontFile2", descriptor.get("/FontFile3")).objgen)
        return {"programs": programs, "dictionaries": sorted(dictionaries)}


def untagged(name: str) -> str:
    return name.split("+", 1)[-1]


def assert_same_pages(before: bytes, after: bytes, tmp_path):
    assert page_texts(after) == page_texts(before)
    pages_before, pages_after = rasterise(before, tmp_path / "before"), rasterise(after, tmp_path / "after")
    assert len(pages_after) == len(pages_before)
    for page, (one, other) in enumerate(zip(pages_before, pages_after), start=1):
        with Image.open(one) as image_one, Image.open(other) as image_other:
            difference = ImageChops.difference(image_one.convert("RGB"), image_other.convert("RGB"))
            assert difference.getbbox() is None, f"page {page} differs in {difference.getbbox()}"


def test_merged_pdf_is_at_most_1_2_times_the_one_pass_pdf(sample_pdfs):
    one_pass, merged, shared = (len(sample_pdfs[key]) for key in ("one_pass", "merged", "shared"))
    print(f"\none pass {one_pass} B; 3 pieces merged {merged} B ({merged / one_pass:.2f}x); "
          f"fonts shared {shared} B ({shared / one_pass:.2f}x)")
    assert merged > 1.2 * one_pass  # what there is to share
    assert shared <= 1.2 * one_pass


def test_text_of_every_page_is_unchanged(sample_pdfs):
    before, after = page_texts(sample_pdfs["merged"]), page_texts(sample_pdfs["shared"])
    assert len(after) == len(before) > 20
    assert after == before


def test_every_font_is_embedded_with_a_unicode_map_and_named_as_in_one_pass(sample_pdfs):
    fonts = pdffonts(sample_pdfs["shared"])
    assert fonts
    assert all(font["emb"] == "yes" and font["uni"] == "yes" and font["sub"] == "yes" for font in fonts)
    one_pass = pdffonts(sample_pdfs["one_pass"])
    assert sorted((untagged(font["name"]), font["type"], font["encoding"]) for font in fonts) == sorted(
        (untagged(font["name"]), font["type"], font["encoding"]) for font in one_pass)


def test_shared_pdf_passes_qpdf_checks(sample_pdfs):
    with pikepdf.open(io.BytesIO(sample_pdfs["shared"])) as document:
        assert document.check_pdf_syntax() == []
        assert len(document.pages) == len(pikepdf.open(io.BytesIO(sample_pdfs["merged"])).pages)


def test_pages_render_identically(sample_pdfs, tmp_path):
    assert_same_pages(sample_pdfs["merged"], sample_pdfs["shared"], tmp_path)


def test_one_program_per_font_file_and_one_dictionary_per_font(sample_pdfs):
    merged, shared = embedded_fonts(sample_pdfs["merged"]), embedded_fonts(sample_pdfs["shared"])
    names = sorted(set(merged["dictionaries"]))
    assert len(merged["dictionaries"]) > len(names)  # each piece had its own
    assert shared["dictionaries"] == names
    # IPAexGothic and its bold (the same file, emboldened) share one program; Noto Sans CJK JP Bold has its own.
    files = {untagged(name).removesuffix("-Bold") for name in names if "IPAex" in name} | {
        untagged(name) for name in names if "IPAex" not in name}
    assert len(shared["programs"]) == len(files) < len(merged["programs"])


def test_a_glyph_read_as_different_text_in_two_pieces_keeps_both_texts(tmp_path):
    # IPAexGothic draws 一 (U+4E00) and the Kangxi radical ⼀ (U+2F00) with the same glyph.
    merged = merge([small("一の字"), small("⼀の部首")])
    shared = share_font_subsets(merged)
    assert_same_pages(merged, shared, tmp_path)
    texts = page_texts(shared)
    assert "一の字" in texts[0] and "⼀の部首" in texts[1]
    fonts = embedded_fonts(shared)
    assert len(fonts["programs"]) == 1
    assert fonts["dictionaries"].count(fonts["dictionaries"][0]) == 2  # two dictionaries, one text each


def test_characters_no_font_has_keep_their_codes(tmp_path):
    # WeasyPrint gives such characters codes past the font's last glyph, per piece, with its own /Encoding.
    merged = merge([small("私\U00010fff字"), small("字\U000f0001私")])
    shared = share_font_subsets(merged)
    assert_same_pages(merged, shared, tmp_path)
    assert len(embedded_fonts(shared)["programs"]) == 1
    assert all(font["emb"] == "yes" and font["uni"] == "yes" for font in pdffonts(shared))


def test_without_the_font_files_only_identical_programs_are_shared(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(pdf_fonts, "_original", lambda identity: None)
    same, other = small("同じ文"), small("別の文です")
    merged = merge([same, same, other])
    with caplog.at_level(logging.WARNING, logger="zoneeval.assembly.pdf_fonts"):
        shared = share_font_subsets(merged)
    assert "cannot be remade" in caplog.text
    assert_same_pages(merged, shared, tmp_path)
    assert len(embedded_fonts(shared)["programs"]) == len(embedded_fonts(merged)["programs"]) - 1


def test_a_pdf_with_nothing_to_share_is_returned_as_it_is():
    pdf = small("一つだけ")
    assert share_font_subsets(pdf) is pdf


def test_widths_and_unicode_maps_are_read_in_every_form():
    widths = pdf_fonts._parse_widths(pikepdf.Array([3, pikepdf.Array([500, 250.5]), 10, 12, 1000]))
    assert widths == {3: 500, 4: pdf_fonts.Decimal("250.5"), 10: 1000, 11: 1000, 12: 1000}
    assert pdf_fonts._parse_widths(pdf_fonts._widths_array(widths)) == widths
    cmap = (b"2 beginbfchar\n<0003> <4e00>\n<0005> <d83dde00>\nendbfchar\n"
            b"2 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<0066006c> <3042>]\nendbfrange")
    mapping = pdf_fonts._parse_to_unicode(cmap)
    assert mapping == {3: "一", 5: "\U0001f600", 16: "A", 17: "B", 18: "C", 32: "fl", 33: "あ"}
    assert pdf_fonts._parse_to_unicode(pdf_fonts._to_unicode_cmap(mapping)) == mapping
