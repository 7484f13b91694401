"""The shipped FY2019 sample: its derived figures, and its fidelity to the reference document."""
import json
import re

import pytest

from zoneeval.reports.figures import derive
from zoneeval.reports.interchange.checks import problems_in

from .conftest import REFERENCE_PATH


def test_sample_is_valid(sample):
    assert problems_in(sample) == []


def test_sample_derived_block_is_what_the_figures_module_computes(sample):
    assert sample["derived"] == json.loads(json.dumps(derive(sample)))


@pytest.mark.parametrize("code, progress", [
    ("(1)-①", 138), ("(1)-②", 68), ("(1)-③", 103), ("(2)", 83), ("(3)", 172), ("(4)", 100),
])
def test_fy2019_progress(sample, code, progress):
    current = derive(sample)["targets"][code]["current"]
    assert current["fiscal_year"] == 2019
    assert current["progress"] == progress


def test_fy2019_indicator_and_cumulative_figures(sample):
    derived = derive(sample)
    assert derived["indicators"]["1"]["progress"] == 103
    assert derived["targets"]["(3)"]["cumulative_actual"] == "261"
    assert derived["targets"]["(1)-②"]["cumulative_actual"] == "1290"


def test_the_reference_documents_own_disagreements_are_kept_and_shown(sample):
    derived = derive(sample)
    h29 = derived["targets"]["(1)-①"]["years"][0]
    assert (h29["fiscal_year"], h29["stated_progress"], h29["progress"]) == (2017, 104, 103)
    assert h29["stated_progress_agrees"] is False
    regulatory_science = derived["annex3"]["fiscal"][0]
    assert regulatory_science["stated_cumulative"]["total"] == "19664872"
    assert regulatory_science["cumulative"]["total"] == "2554872"


def test_every_coauthor_in_order_and_rows_owned_by_their_authority(sample):
    assert [a["name"] for a in sample["authorities"]] == ["神奈川県", "横浜市", "川崎市"]
    part6 = sample["parts"]["part6"]["passages"]
    assert [p["owner"] for p in part6] == ["kanagawa", "kanagawa", "yokohama", "kawasaki"]
    assert "横浜市では" in part6[2]["text"] and "川崎市殿町地区では" in part6[3]["text"]
    for table in ("fiscal", "financial", "tax", "other"):
        for row in sample["parts"]["annex4"][table]:
            assert row["owner"] == row["authorities"][0]
    biojapan = sample["parts"]["annex4"]["other"][0]
    assert biojapan["authorities"] == ["kanagawa", "yokohama", "kawasaki"]


def _numbers(text: str) -> list[str]:
    found = re.findall(r"(?<![0-9.])[0-9][0-9,]*(?:\.[0-9]+)?", text)
    return [n.replace(",", "") for n in found]


def test_every_figure_of_the_reference_tables_is_in_the_sample(sample_text):
    """Every number printed in the reference's 別紙 tables (from the first 別紙1 sheet to the end) appears in the
    sample, as a value or inside a stored text."""
    reference = REFERENCE_PATH.read_text(encoding="utf-8")
    annexes = reference[reference.index("## ■ 目標に向けた取組の進捗に関する評価"):]
    # Drop the Gantt's month header (1…12 repeated) and the form's fixed labels (寄与度(※), (a+b), 注1)).
    annexes = re.sub(r"年 月(\t[0-9HR・]+)+", "", annexes)
    sample_numbers = set(_numbers(sample_text))
    missing = sorted({n for n in _numbers(annexes) if n not in sample_numbers}, key=float)
    assert missing == []


@pytest.mark.django_db
def test_nine_coauthor_sample_imports_validates_clean_and_round_trips():
    """The fictional zone of nine co-authors (two of them not governments, long names, 平成 and 令和 plan years)
    imports, has no validation finding, and exports what was imported."""
    from zoneeval.assembly.validations import validate
    from zoneeval.reports.interchange.export import edition_snapshot
    from zoneeval.reports.interchange.importer import import_document

    from .conftest import ROOT

    doc = json.loads((ROOT / "zoneeval" / "samples" / "kyushu-kanko-fy2018.json").read_text(encoding="utf-8"))
    assert problems_in(doc) == []
    assert len(doc["authorities"]) == 9 and {a["kind"] for a in doc["authorities"]} >= {"other", "municipality"}
    snapshot = edition_snapshot(import_document(json.loads(json.dumps(doc))))
    assert [f.message for f in validate(snapshot)] == []
    assert snapshot["authorities"] == doc["authorities"]
    assert snapshot["parts"]["annex4"] == doc["parts"]["annex4"]


# Every sample zone, from its file through the command line importer to the pipeline's PDF. The findings each is
# expected to have: the FY2019 reference's own two disagreements; none for the nine co-authors; the partner body of
# 別紙4 at the severity that zone chose.
ZONE_FILES = {
    "keihin-fy2019.json": {("stated_progress_agrees", "error"), ("annex3_totals_agree", "error")},
    "kyushu-kanko-fy2018.json": set(),
    "shiomi-fy2015.json": {("annex4_rows_name_coauthors", "warning")},
}


@pytest.mark.django_db
@pytest.mark.parametrize("filename", sorted(ZONE_FILES))
def test_every_sample_zone_imports_validates_and_renders_end_to_end(filename, settings, tmp_path):
    import io

    import pdfplumber
    from django.core.management import call_command

    from zoneeval.assembly.services import run_synchronously
    from zoneeval.reports import era
    from zoneeval.reports.models import Edition

    from .conftest import ROOT

    settings.ARTEFACT_DIR = tmp_path
    path = ROOT / "zoneeval" / "samples" / filename
    doc = json.loads(path.read_text(encoding="utf-8"))
    call_command("import_report", str(path), stdout=io.StringIO())
    edition = Edition.objects.get(zone__slug=doc["zone"]["slug"], fiscal_year=doc["edition"]["fiscal_year"])
    run = run_synchronously(edition)
    assert run.status == "succeeded"
    assert {(f["rule"], f["severity"]) for f in run.findings} == ZONE_FILES[filename]
    with pdfplumber.open(io.BytesIO(run.artefact.read_bytes())) as pdf:
        assert len(pdf.pages) == run.artefact.pages > 1
        cover = re.sub(r"\s+", "", pdf.pages[0].extract_text())
    assert era.fiscal_year_label(edition.fiscal_year) in cover
    assert re.sub(r"\s+", "", doc["zone"]["name"]) in cover
