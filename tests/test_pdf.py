"""The official PDF of the FY2019 sample, read back with poppler (pdftotext, pdffonts, pdfinfo)."""
import re
import subprocess

import pytest

from zoneeval.assembly.render import render_pdf
from zoneeval.reports.figures import derive

from .conftest import REFERENCE_PATH
from .test_sample import _numbers


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory):
    import json

    from .conftest import SAMPLE_PATH

    snapshot = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    result = render_pdf(snapshot)
    path = tmp_path_factory.mktemp("pdf") / "keihin-2019.pdf"
    path.write_bytes(result.pdf)
    return path


@pytest.fixture(scope="module")
def text(pdf_path):
    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def raw_text(pdf_path):
    """Text in content order (cells one after another), for matching whole cells."""
    return subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_section_headings_in_order(text):
    flat = _flat(text)
    headings = ["目次", "1国際戦略総合特別区域の名称", "2総合特区計画の状況", "3目標に向けた取組の進捗に関する評価",
                "4規制の特例措置を活用した事業等の実績及び自己評価", "5財政・税制・金融支援の活用実績及び自己評価",
                "6地域独自の取組の状況及び自己評価", "7総合評価", "■目標に向けた取組の進捗に関する評価",
                "■目標達成に向けた実施スケジュール", "■規制の特例措置等を活用した事業の実績及び評価",
                "■財政・税制・金融支援の活用実績及び自己評価", "■地域独自の取組の状況及び自己評価"]
    position = 0
    for heading in headings:
        found = flat.find(heading, position)
        assert found != -1, f"{heading} missing or out of order"
        position = found + len(heading)


def test_every_figure_of_the_reference_tables_is_printed(text):
    reference = REFERENCE_PATH.read_text(encoding="utf-8")
    annexes = reference[reference.index("## ■ 目標に向けた取組の進捗に関する評価"):]
    annexes = re.sub(r"年 月(\t[0-9HR・]+)+", "", annexes)
    printed = set(_numbers(text))
    missing = sorted({n for n in _numbers(annexes) if n not in printed}, key=float)
    assert missing == []


def test_computed_progress_and_totals_are_printed(text, sample):
    flat = _flat(text)
    derived = derive(sample)
    for code, figures in derived["targets"].items():
        for year in figures["years"]:
            if year["progress"] is not None:
                assert f"{year['progress']}%" in flat, (code, year)
    for indicator in derived["indicators"].values():
        assert f"【進捗度{indicator['progress']}%】" in flat
    assert "2,554,872" in flat and "1,485,549" in flat


def test_every_annex4_row_prints_its_authorities(raw_text, sample):
    """On the page where a 別紙4 row starts, its 自治体名 are printed."""
    pages = [_flat(page) for page in raw_text.split("\f")]
    annex4_start = next(n for n, page in enumerate(pages) if "■地域独自の取組の状況及び自己評価" in page)
    names = {a["slug"]: a["name"] for a in sample["authorities"]}
    for table in ("fiscal", "financial", "tax", "other"):
        for row in sample["parts"]["annex4"][table]:
            key = _flat(row["name"])[:5]  # a narrow cell may wrap the rest of the name
            page = next((p for p in pages[annex4_start:] if key in p), None)
            assert page is not None, row["name"]
            for slug in row["authorities"]:
                assert names[slug] in page, (row["name"], slug)


def test_japanese_font_is_embedded(pdf_path):
    fonts = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    japanese = [line for line in fonts.splitlines() if re.search(r"IPAex|Noto-?Sans-?CJK|NotoSansCJK", line)]
    assert japanese, fonts
    assert all(" yes " in line for line in japanese)  # embedded (and subset)


def test_metadata_pages_and_page_numbers(pdf_path, text):
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 20
    assert "令和元年度 国際戦略総合特別区域評価書" in info
    assert "神奈川県" in info and "川崎市" in info  # Author
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info)  # A4
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text


def test_table_of_contents_has_page_numbers_and_bookmarks_exist(pdf_path, text):
    toc = text[:text.find("1 / ")]
    assert re.search(r"7 総合評価[ .]+\d+", toc)
    assert re.search(r"別紙3 [^\n]+[ .]+\d+", toc)
    outline = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", str(pdf_path)], capture_output=True,
                             text=True).stdout
    assert "<outline>" in outline and "総合評価" in outline


def test_schedule_and_annex3_are_on_landscape_pages(pdf_path):
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "60", str(pdf_path)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)
    landscape = [int(n) for n, w, h in sizes if float(w) > float(h)]
    assert len(landscape) >= 3
    for page in landscape:
        page_text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf_path), "-"],
                                   capture_output=True, text=True).stdout
        assert "事業" in page_text
