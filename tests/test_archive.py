"""The archive (zoneeval/archive): every year's editions with their archived files and SHA-256, 検証 of the stored
files, and corrections after submission (訂正版): a new edition of the same year that supersedes the submitted one."""
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.test_pipeline import eager  # noqa: F401  (a fixture)
from tests.test_workflow import (  # noqa: F401  (artefacts and people are fixtures)
    _approve_everything,
    _edit_local_row,
    _fix_reference_disagreements,
    artefacts,
    people,
)
from zoneeval.archive import services as archive
from zoneeval.assembly import services as assembly_services
from zoneeval.assembly.storage import artefact_storage
from zoneeval.authorities.models import Authority
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m
from zoneeval.reports.copying import copy_edition, edition_document
from zoneeval.reports.selectors import current_edition, editions_of_year
from zoneeval.workflow import services as wf
from zoneeval.workflow.models import AuditEntry, Submission

pytestmark = pytest.mark.django_db


def _content_render(monkeypatch):
    """A fast renderer whose PDF depends on the document (two different editions never share a file)."""
    from zoneeval.assembly.render import RenderResult

    def render(snapshot, html=None):
        digest = hashlib.sha256((html or json.dumps(snapshot, sort_keys=True, default=str)).encode()).hexdigest()
        return RenderResult(pdf=f"%PDF-1.7 {digest}".encode(), pages=1, seconds=0.0)

    monkeypatch.setattr(assembly_services, "render_pdf", render)
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces


def _cycle_and_submit(edition, people, client=None):
    """Every part approved, a clean run, every co-author's sign-off, submission (over HTTP when ``client``)."""
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    assert run.error_count == 0, run.findings
    for coauthor in edition.coauthors.select_related("authority"):
        wf.sign_off(people[f"{coauthor.authority.slug}-approver"], edition, run.snapshot.content_hash)
    if client is None:
        archive.submit(people["coordinator"], edition, run.snapshot.content_hash)
    else:
        client.force_login(people["coordinator"])
        response = client.post(reverse("archive:submit", args=[edition.zone.slug, edition.fiscal_year]),
                               {"content_hash": run.snapshot.content_hash})
        assert response.status_code == 302, response.content.decode()
    edition.refresh_from_db()
    assert edition.is_frozen
    return edition


@pytest.fixture
def submitted(edition, people, monkeypatch):
    _content_render(monkeypatch)
    _fix_reference_disagreements(edition, people)
    return _cycle_and_submit(edition, people)


def _archive_page(client, user, zone="keihin"):
    client.force_login(user)
    return client.get(reverse("archive:zone", args=[zone]))


# ---- the archive page ----------------------------------------------------------------------------------------

def test_the_archive_lists_every_edition_with_its_state_submitter_and_hashes(client, admin_client, submitted,
                                                                             people):
    submission = Submission.objects.get(edition=submitted)
    response = _archive_page(client, people["kawasaki-drafter"])
    page = response.content.decode()
    assert response.status_code == 200
    assert hashlib.sha256(submission.pdf.read_bytes()).hexdigest() in page
    assert hashlib.sha256(submission.export_json.encode()).hexdigest() in page
    assert "提出済み" in page and "coordinator" in page and "令和元年度" in page
    assert reverse("archive:revision_file", args=["keihin", 2019, 0, "pdf"]) in page
    assert "未登録" in page  # the national evaluation's slot
    assert admin_client.get(reverse("archive:zone", args=["keihin"])).status_code == 200
    # somebody of no co-author of the zone: refused with the reason
    outsider = ensure_user("outsider", "pw-for-tests-123",
                           authority=Authority.objects.create(slug="elsewhere", name="他県", kind="prefecture"),
                           role="coordinator")
    refused = _archive_page(client, outsider)
    assert refused.status_code == 403 and "作成主体の担当者だけ" in refused.content.decode()


def test_verify_recomputes_the_hashes_and_shows_a_tampered_file(client, submitted, people):
    submission = Submission.objects.get(edition=submitted)
    client.force_login(people["yokohama-approver"])
    url = reverse("archive:verify", args=["keihin", 2019, 0])
    assert client.get(url).status_code == 405  # GET never verifies (nor writes the audit entry)
    page = client.post(url).content.decode()
    assert page.count("SHA-256が提出時と一致しました") == 2 and "不一致" not in page
    # one byte changed in the artefact store
    data = bytearray(submission.pdf.read_bytes())
    data[-1] ^= 0x01
    store = artefact_storage()
    store.delete(submission.pdf.relative_path)
    store.save(submission.pdf.relative_path, ContentFile(bytes(data)))
    page = client.post(url).content.decode()
    assert "提出版PDF：SHA-256が提出時と一致しません。保存ファイルが変更されています。" in page
    assert "提出版データ（JSON）：SHA-256が提出時と一致しました" in page
    assert [e.after for e in AuditEntry.objects.filter(edition=submitted, action="verify")] == [
        {"pdf": "一致", "json": "一致"}, {"pdf": "不一致", "json": "一致"}]


# ---- corrections ---------------------------------------------------------------------------------------------

def test_a_correction_supersedes_the_submitted_edition_and_goes_through_the_whole_cycle(client, submitted, people):
    original = submitted
    original_submission = Submission.objects.get(edition=original)
    client.force_login(people["coordinator"])
    response = client.post(reverse("archive:correct", args=["keihin", 2019, 0]), {"reason": "別紙4の誤記の訂正"})
    assert response.status_code == 302, response.content.decode()
    correction = current_edition("keihin", 2019)
    assert (correction.revision, correction.supersedes_id, correction.is_frozen) == (1, original.pk, False)
    assert [e.pk for e in editions_of_year("keihin", 2019)] == [original.pk, correction.pk]
    # a copy through the interchange format: the same document; every part in draft again
    assert edition_document(correction) == edition_document(original)
    assert set(Part.objects.filter(edition=correction).values_list("state", flat=True)) == {Part.State.DRAFT}
    assert Part.objects.filter(edition=correction).count() == Part.objects.filter(edition=original).count()
    # (zone, year) is the current edition; the superseded one has its own address
    page = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    assert "訂正版1です" in page and "訂正版に置き換えられました" not in page
    old_page = client.get(reverse("reports:edition_revision", args=["keihin", 2019, 0])).content.decode()
    assert "訂正版に置き換えられました" in old_page and original_submission.pdf_sha256 in old_page
    old_audit = client.get(reverse("workflow:revision_audit", args=["keihin", 2019, 0])).content.decode()
    assert "訂正版による置き換え" in old_audit and "別紙4の誤記の訂正" in old_audit
    # the superseded edition stays frozen
    with pytest.raises(drafting.EditionFrozen):
        _edit_local_row(people["yokohama-drafter"], original, "yokohama", "<p>元の版への変更</p>")
    with pytest.raises(Exception, match="提出済み"), transaction.atomic():
        m.Passage.objects.filter(edition=original).update(text="<p>x</p>")
    # the correction is edited, reviewed, signed off and submitted like any edition
    _edit_local_row(people["yokohama-drafter"], correction, "yokohama", "<p>訂正後の横浜市の取組</p>")
    _cycle_and_submit(correction, people, client)
    assert correction.is_frozen and current_edition("keihin", 2019).pk == correction.pk
    with pytest.raises(drafting.EditionFrozen):
        _edit_local_row(people["yokohama-drafter"], correction, "yokohama", "<p>提出後の変更</p>")
    # the archive: the chain, which is current, both editions' files downloadable with matching hashes
    page = _archive_page(client, people["kanagawa-approver"]).content.decode()
    assert "元の版 → <strong>訂正版1（現在の版）</strong>" in page
    exports = {}
    for edition in (original, correction):
        submission = Submission.objects.get(edition=edition)
        for kind, recorded in (("pdf", submission.pdf_sha256), ("json", submission.export_sha256)):
            response = client.get(reverse("archive:revision_file", args=["keihin", 2019, edition.revision, kind]))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == recorded
            assert recorded in page
            if kind == "json":
                exports[edition.revision] = body.decode()
    assert original_submission.pdf_sha256 != Submission.objects.get(edition=correction).pdf_sha256
    assert "訂正後の横浜市の取組" in exports[1] and "訂正後の横浜市の取組" not in exports[0]
    assert [e["action"] for e in json.loads(exports[1])["audit"]][:2] == ["correct", "edit_update"]
    # the (zone, year) download is the current edition's
    current = client.get(reverse("archive:submission_file", args=["keihin", 2019, "json"]))
    assert current.content.decode() == exports[1]
    # a correction of the correction continues the chain
    client.force_login(people["coordinator"])
    assert client.post(reverse("archive:correct", args=["keihin", 2019, 1]), {"reason": "再訂正"}).status_code == 302
    page = _archive_page(client, people["coordinator"]).content.decode()
    assert "元の版 → 訂正版1 → <strong>訂正版2（現在の版）</strong>" in page


def test_refused_corrections_say_why_over_http(client, edition, people, monkeypatch):
    _content_render(monkeypatch)
    client.force_login(people["coordinator"])
    url = reverse("archive:correct", args=["keihin", 2019, 0])
    response = client.post(url, {"reason": "訂正"})  # not submitted yet
    assert response.status_code == 403 and "提出済みの評価書だけ" in response.content.decode()
    _fix_reference_disagreements(edition, people)
    _cycle_and_submit(edition, people)
    client.force_login(people["yokohama-approver"])  # not the coordinator
    response = client.post(url, {"reason": "訂正"})
    assert response.status_code == 403 and "取りまとめ担当だけ" in response.content.decode()
    client.force_login(people["coordinator"])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 403 and "理由が必要" in response.content.decode()
    assert editions_of_year("keihin", 2019).count() == 1
    assert client.post(url, {"reason": "訂正"}).status_code == 302
    response = client.post(url, {"reason": "もう一度"})  # the original is superseded now
    assert response.status_code == 403 and "既に訂正版に置き換えられています" in response.content.decode()
    response = client.post(reverse("archive:correct", args=["keihin", 2019, 1]), {"reason": "x"})  # a draft
    assert response.status_code == 403 and "提出済みの評価書だけ" in response.content.decode()
    assert editions_of_year("keihin", 2019).count() == 2


def test_the_correct_edition_command(submitted, people):
    from io import StringIO

    out = StringIO()
    call_command("correct_edition", zone="keihin", year=2019, by="coordinator", reason="誤記", stdout=out)
    assert "訂正版1" in out.getvalue() and current_edition("keihin", 2019).revision == 1
    with pytest.raises(CommandError, match="提出済みの評価書だけ"):  # the current edition is the draft correction
        call_command("correct_edition", zone="keihin", year=2019, by="coordinator", reason="誤記")


def test_one_current_edition_per_year_is_held_by_the_database(submitted, people):
    base = {f.attname: getattr(submitted, f.attname) for f in m.Edition._meta.concrete_fields
            if f.attname not in ("id", "submitted_at", "created_at", "updated_at")}
    with pytest.raises(IntegrityError), transaction.atomic():  # a second original of the year
        m.Edition.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():  # a correction without the edition it supersedes
        m.Edition.objects.create(**{**base, "revision": 1})
    first = archive.correct_edition(people["coordinator"], submitted, "訂正")
    with pytest.raises(IntegrityError), transaction.atomic():  # a second correction of the same edition: a branch
        m.Edition.objects.create(**{**base, "revision": 2, "supersedes_id": submitted.pk})
    with pytest.raises(IntegrityError), transaction.atomic():  # superseding an edition of another year
        m.Edition.objects.create(**{**base, "fiscal_year": 2020, "revision": 1, "supersedes_id": first.pk})
    assert current_edition("keihin", 2019).pk == first.pk


def test_copy_edition_writes_the_source_as_another_year_through_the_interchange_format(edition):
    document = edition_document(edition)
    copied = copy_edition(edition, fiscal_year=edition.fiscal_year + 1)
    assert (copied.fiscal_year, copied.revision, copied.supersedes_id) == (edition.fiscal_year + 1, 0, None)
    assert edition_document(copied) == {**document, "edition": {**document["edition"],
                                                                  "fiscal_year": edition.fiscal_year + 1}}
    assert edition_document(edition) == document  # the source is only read
    adapted = copy_edition(edition, fiscal_year=edition.fiscal_year + 2,
                           adapt=lambda d: d["edition"].update(latest_approval_date=None))
    assert adapted.latest_approval_date is None and edition.latest_approval_date is not None


def test_a_copy_names_the_zone_and_co_authors_as_they_are_today(submitted):
    """The submitted source prints its own (older) names; the copy, a draft, follows the zone and the authorities,
    and importing it neither renames the zone back nor mistakes a renamed authority for another."""
    m.Zone.objects.filter(pk=submitted.zone_id).update(name="改称後の特区")
    Authority.objects.filter(slug="yokohama").update(name="改称後の市")
    copied = copy_edition(submitted, fiscal_year=submitted.fiscal_year + 1)
    assert m.Zone.objects.get(pk=submitted.zone_id).name == "改称後の特区"
    assert copied.zone_name == "改称後の特区" and "改称後の市" in [c.name for c in copied.coauthors.all()]
    assert edition_document(submitted)["zone"]["name"] != "改称後の特区"  # the submitted one is as submitted


def test_the_submitted_pdf_is_rendered_when_the_last_coauthor_signs_not_by_the_submission(
        edition, people, monkeypatch, django_capture_on_commit_callbacks, eager):
    """The last sign-off queues the submitted PDF's render (render queue; in-process here): submitting then finds it
    and renders nothing, so no web process renders."""
    from zoneeval.assembly.models import Artefact

    _content_render(monkeypatch)
    _fix_reference_disagreements(edition, people)
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    coauthors = list(edition.coauthors.select_related("authority"))
    for number, coauthor in enumerate(coauthors, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            wf.sign_off(people[f"{coauthor.authority.slug}-approver"], edition, run.snapshot.content_hash)
        finals = Artefact.objects.filter(kind=Artefact.Kind.FINAL_PDF, content_hash=run.snapshot.content_hash)
        assert finals.exists() == (number == len(coauthors))  # only once every co-author has signed
    final = finals.get()

    def no_render(*args, **kwargs):
        raise AssertionError("the submission rendered the PDF again")

    monkeypatch.setattr(assembly_services, "render_pdf", no_render)
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces
    submission = archive.submit(people["coordinator"], edition, run.snapshot.content_hash)
    assert submission.pdf == final and submission.pdf_sha256 == final.sha256
