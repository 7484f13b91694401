"""Issue 11 end to end, in one chain on PostgreSQL: the FY2019 sample through the whole cycle to submission → the
national evaluation 3.9 → next year's edition → the comparison page (nothing, then exactly a drafter's edit) → a
correction of FY2019 that supersedes it, both submitted editions downloadable with matching hashes → a workbook
round trip that changes only the uploading authority's cells. Each step over HTTP where a user would act."""
import hashlib
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_archive import _content_render, _cycle_and_submit
from tests.test_comparison import _edit_overview
from tests.test_workflow import _edit_local_row, _fix_reference_disagreements
from zoneeval.drafting.models import Part
from zoneeval.drafting.workbook.layout import target_sheet_name
from zoneeval.reports import models as m
from zoneeval.reports.interchange.export import edition_snapshot
from zoneeval.reports.selectors import current_edition, editions_of_year
from zoneeval.workflow.models import Submission

from .test_archive import artefacts, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _actual_cells(edition) -> dict:
    """(target code, fiscal year, authority) → value of every 実績値 of an edition."""
    return {(a.target_year.target.code, a.target_year.fiscal_year, a.authority.slug): a.value
            for a in m.ActualFigure.objects.filter(target_year__target__indicator__edition=edition)
            .select_related("target_year__target", "authority")}


def _downloads_match(client, edition) -> bool:
    submission = Submission.objects.get(edition=edition)
    for kind, recorded in (("pdf", submission.pdf_sha256), ("json", submission.export_sha256)):
        response = client.get(reverse("archive:revision_file", args=["keihin", 2019, edition.revision, kind]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200 or hashlib.sha256(body).hexdigest() != recorded:
            return False
    return True


def test_the_yearly_cycle_end_to_end(client, edition, people, monkeypatch):  # noqa: F811
    _content_render(monkeypatch)
    _fix_reference_disagreements(edition, people)
    fy2019 = _cycle_and_submit(edition, people, client)
    texts_2019 = {p.slot: p.text for p in m.Passage.objects.filter(edition=fy2019) if p.slot != "part2.previous_evaluation"}

    # the national evaluation, recorded by the coordinator on the submitted edition
    client.force_login(people["coordinator"])
    response = client.post(reverse("workflow:national_evaluation", args=["keihin", 2019]), {
        "progress_score": "4.0", "support_score": "3.8", "overall_score": "3.9", "result": "概ね順調",
        "comments": "<p>おおむね良好な進捗と判断できる。</p>", "version": "0"})
    assert response.status_code == 302, response.content.decode()

    # next year's edition, by the coordinator's button
    response = client.post(reverse("workflow:roll_over", args=["keihin", 2019]))
    assert response.status_code == 302, response.content.decode()
    fy2020 = current_edition("keihin", 2020)
    assert fy2020 is not None and not fy2020.is_frozen
    assert set(Part.objects.filter(edition=fy2020).values_list("state", flat=True)) == {Part.State.DRAFT}
    texts_2020 = {p.slot: p.text for p in m.Passage.objects.filter(edition=fy2020)}
    assert all(texts_2020[slot] == text for slot, text in texts_2019.items())  # last year's texts, as drafts
    actuals_2019, actuals_2020 = _actual_cells(fy2019), _actual_cells(fy2020)
    assert not [key for key in actuals_2020 if key[1] >= 2020]  # the FY2020 actual cells are empty
    assert {k: v for k, v in actuals_2019.items() if k[1] <= 2019} == actuals_2020  # earlier years carried
    assert "3.9" in str(edition_snapshot(fy2020)["parts"]["part2"]["previous_evaluation"])  # 2④ quotes it

    # the comparison: nothing changed, until a drafter edits; then exactly that change
    changes = reverse("comparison:changes", args=["keihin", 2020])
    client.force_login(people["kawasaki-drafter"])
    assert "変更はありません" in client.get(changes).content.decode()
    _edit_overview(people["kanagawa-drafter"], fy2020, "<p>令和2年度の概要（更新）</p>")
    page = client.get(changes).content.decode()
    assert "変更 1件（追加 0・削除 0・変更 1）" in page and "①総合特区計画の概要" in page

    # a correction of FY2019 supersedes it; both submitted editions stay downloadable with matching hashes
    client.force_login(people["coordinator"])
    response = client.post(reverse("archive:correct", args=["keihin", 2019, 0]), {"reason": "別紙4の誤記の訂正"})
    assert response.status_code == 302, response.content.decode()
    correction = current_edition("keihin", 2019)
    assert correction.revision == 1 and correction.supersedes_id == fy2019.pk
    _edit_local_row(people["yokohama-drafter"], correction, "yokohama", "<p>訂正後の横浜市の取組</p>")
    _cycle_and_submit(correction, people, client)
    assert [e.pk for e in editions_of_year("keihin", 2019)] == [fy2019.pk, correction.pk]
    client.force_login(people["kanagawa-approver"])
    archive_page = client.get(reverse("archive:zone", args=["keihin"])).content.decode()
    assert "元の版 → <strong>訂正版1（現在の版）</strong>" in archive_page and "3.9点" in archive_page
    assert _downloads_match(client, fy2019) and _downloads_match(client, correction)

    # a workbook round trip on FY2020: only the uploading authority's cells change
    before = _actual_cells(fy2020)
    client.force_login(people["kawasaki-drafter"])
    download = client.get(reverse("drafting:workbook_download", args=["keihin", 2020]) + "?authority=kawasaki")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content) if download.streaming
                                    else download.content))
    sheet = book[target_sheet_name("(1)-①")]
    typed = None
    for row in sheet.iter_rows():
        for cell in row:
            if cell.protection.locked is False and cell.value is None and typed is None:
                cell.value = 1234
                typed = cell.coordinate
    assert typed is not None
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "filled.xlsx"
    uploaded = client.post(reverse("drafting:workbook_upload", args=["keihin", 2020]),
                           {"authority": "kawasaki", "file": data})
    assert uploaded.status_code == 302, uploaded.content.decode()
    preview = client.get(uploaded["Location"]).content.decode()
    assert "変更される欄（1件）" in preview and typed in preview and _actual_cells(fy2020) == before
    token = uploaded["Location"].rstrip("/").rsplit("/", 1)[1]
    confirm = client.post(reverse("drafting:workbook_confirm", args=["keihin", 2020, token]))
    assert confirm.status_code == 302, confirm.content.decode()
    after = _actual_cells(fy2020)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    assert len(changed) == 1 and next(iter(changed))[2] == "kawasaki" and next(iter(changed.values())) == 1234
