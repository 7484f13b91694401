"""import_report / export_report: refusals that name the JSON path, all-or-nothing writes, the round trip."""
import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from zoneeval.authorities.models import Authority
from zoneeval.reports.interchange import importer
from zoneeval.reports.interchange.export import edition_snapshot, to_json
from zoneeval.reports.interchange.importer import ImportRefused, import_document
from zoneeval.reports.models import Edition, LocalMeasureRow, Passage, TargetYear, Zone

pytestmark = pytest.mark.django_db


def _state():
    """Everything an import could have touched, as comparable data."""
    editions = [to_json(edition_snapshot(e)) for e in Edition.objects.order_by("pk")]
    return (
        editions, Zone.objects.count(), Authority.objects.count(), Passage.objects.count(),
        TargetYear.objects.count(), LocalMeasureRow.objects.count(),
    )


def _write(tmp_path, document, name="doc.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_export_of_the_imported_sample_is_the_sample(edition, sample_text):
    assert to_json(edition_snapshot(edition)) == sample_text


def test_round_trip_through_an_empty_database(tmp_path, sample):
    call_command("import_report", str(_write(tmp_path, sample)))
    first = io.StringIO()
    call_command("export_report", zone="keihin", year=2019, stdout=first)
    Edition.objects.all().delete()
    Zone.objects.all().delete()
    Authority.objects.all().delete()
    assert Edition.objects.count() == 0
    exported = tmp_path / "exported.json"
    exported.write_text(first.getvalue(), encoding="utf-8")
    call_command("import_report", str(exported))
    second = io.StringIO()
    call_command("export_report", zone="keihin", year=2019, stdout=second)
    assert first.getvalue() == second.getvalue()


def test_derived_block_is_ignored_on_import(sample):
    sample["derived"]["targets"]["(1)-①"]["current"]["progress"] = 999
    edition = import_document(sample)
    assert edition_snapshot(edition)["derived"]["targets"]["(1)-①"]["current"]["progress"] == 138


def _wrong_type(doc):
    doc["parts"]["part3"]["indicators"][0]["targets"][0]["years"][2]["target"] = 87


def _missing_part(doc):
    del doc["parts"]["part7"]


def _unknown_authority(doc):
    doc["parts"]["annex4"]["fiscal"][4]["authorities"] = ["yokohama", "tokyo"]


def _year_outside_plan(doc):
    doc["parts"]["part3"]["indicators"][1]["targets"][0]["years"][4]["fiscal_year"] = 2024


def _month_outside_plan(doc):
    doc["parts"]["annex1_2"]["projects"][0]["items"][0]["bars"][0]["end"] = "2022-04"


def _related_target_missing(doc):
    doc["parts"]["part3"]["solutions"][0]["related_targets"] = ["(9)"]


def _not_an_amount(doc):
    doc["parts"]["annex3"]["fiscal"][0]["years"][0]["national"] = "177,000千円"


@pytest.mark.parametrize("breaks, path, words", [
    (_wrong_type, "$.parts.part3.indicators[0].targets[0].years[2].target", "87"),
    (_missing_part, "$.parts", "part7"),
    (_unknown_authority, "$.parts.annex4.fiscal[4].authorities[1]", "tokyo"),
    (_year_outside_plan, "$.parts.part3.indicators[1].targets[0].years[4].fiscal_year", "2024"),
    (_month_outside_plan, "$.parts.annex1_2.projects[0].items[0].bars[0].end", "2022-04"),
    (_related_target_missing, "$.parts.part3.solutions[0].related_targets[0]", "(9)"),
    (_not_an_amount, "$.parts.annex3.fiscal[0].years[0].national", "177,000"),
])
def test_bad_file_is_refused_whole_with_its_path_and_nothing_changes(tmp_path, sample, breaks, path, words):
    import_document(copy.deepcopy(sample))  # an edition exists; a refused --replace must leave it as it was
    before = _state()
    bad = copy.deepcopy(sample)
    breaks(bad)
    with pytest.raises(CommandError) as refused:
        call_command("import_report", str(_write(tmp_path, bad)), replace=True)
    message = str(refused.value)
    assert path in message and words in message
    assert "何も変更していません" in message
    assert _state() == before


def test_bad_file_into_an_empty_database_leaves_it_empty(tmp_path, sample):
    _unknown_authority(sample)
    with pytest.raises(CommandError):
        call_command("import_report", str(_write(tmp_path, sample)))
    assert (Edition.objects.count(), Zone.objects.count(), Authority.objects.count(), Passage.objects.count()) == (
        0, 0, 0, 0)


def test_failure_in_the_middle_of_writing_rolls_everything_back(sample, monkeypatch):
    def explode(self, annex):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._EditionWriter, "_annex4", explode)
    with pytest.raises(RuntimeError):
        import_document(sample)
    assert Edition.objects.count() == 0 and Passage.objects.count() == 0 and Zone.objects.count() == 0


def test_existing_edition_is_refused_unless_replace(tmp_path, sample):
    path = _write(tmp_path, sample)
    call_command("import_report", str(path))
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_report", str(path))
    changed = copy.deepcopy(sample)
    changed["parts"]["part7"]["overall"]["text"] = "<p>差し替え後の総合評価</p>"
    call_command("import_report", str(_write(tmp_path, changed, "changed.json")), replace=True)
    assert Edition.objects.count() == 1
    assert Passage.objects.get(slot="part7.overall").text == "<p>差し替え後の総合評価</p>"


def test_authority_slug_with_another_name_is_refused(sample):
    Authority.objects.create(slug="kawasaki", name="川崎町", kind="municipality")
    with pytest.raises(ImportRefused, match=r"\$\.authorities\[2\]"):
        import_document(sample)
    assert Edition.objects.count() == 0


def test_html_is_sanitised_on_import(sample):
    sample["parts"]["part6"]["passages"][2]["text"] = (
        '<p onclick="x()">横浜市では<script>alert(1)</script><img src="file:///etc/passwd"></p>'
    )
    edition = import_document(sample)
    assert edition.passages.filter(slot="part6").order_by("order")[2].text == "<p>横浜市では</p>"


def test_schema_is_printed(capsys):
    out = io.StringIO()
    call_command("export_report", schema=True, stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["properties"]["format"]["const"] == "zoneeval/report"


def test_a_one_author_regional_zone_in_heisei_years_imports(sample):
    """Nothing is tied to three authorities, to this zone or to Reiwa years."""
    doc = copy.deepcopy(sample)
    doc["zone"] = {"slug": "tiny", "name": "小さな地域活性化総合特区", "kind": "regional",
                   "designation_date": "2012-03-09", "first_approval_date": "2012-06-01"}
    doc["authorities"] = [{"slug": "assoc", "name": "ある協議会", "kind": "other"}]
    doc["edition"] = {"fiscal_year": 2014, "coordinator": "assoc",
                      "plan_period": {"first_fiscal_year": 2012, "last_fiscal_year": 2016},
                      "latest_approval_date": None}
    text = json.dumps(doc["parts"], ensure_ascii=False)
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        text = text.replace(f'"{slug}"', '"assoc"')
    parts = json.loads(text)
    for indicator in parts["part3"]["indicators"]:
        for target in indicator["targets"]:
            for offset, year in enumerate(target["years"]):
                year["fiscal_year"] = 2012 + offset
    for project in parts["annex1_2"]["projects"]:
        for item in project["items"]:
            item["bars"] = [{"start": "2012-04", "end": "2017-03"}]
            item["milestones"] = []
    for row in parts["annex3"]["fiscal"] + parts["annex3"]["tax"] + parts["annex3"]["financial"]:
        for offset, year in enumerate(row["years"]):
            year["fiscal_year"] = 2012 + offset
    for table in ("fiscal", "financial", "tax", "other"):
        for row in parts["annex4"][table]:
            row["authorities"] = ["assoc"]
    doc["parts"] = parts
    del doc["derived"]
    edition = import_document(doc)
    snapshot = edition_snapshot(edition)
    assert snapshot["authorities"] == [{"slug": "assoc", "name": "ある協議会", "kind": "other"}]
    assert snapshot["derived"]["targets"]["(3)"]["current"]["fiscal_year"] == 2014
    assert snapshot["derived"]["targets"]["(3)"]["current"]["progress"] == 172
