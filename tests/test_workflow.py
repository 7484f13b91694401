"""Review and approval, joint sign-off, submission and freezing, comments, audit log, notifications."""
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from zoneeval.archive import services as archive
from zoneeval.assembly import services as assembly_services
from zoneeval.assembly.render import draft_mark
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m
from zoneeval.workflow import services as wf
from zoneeval.workflow.models import Approval, AuditEntry, AuditLogImmutable, SignOff, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def artefacts(settings, tmp_path):
    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(edition):
    made = {}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        for role in ("drafter", "approver"):
            made[f"{a.slug}-{role}"] = ensure_user(f"{a.slug}-{role}", "pw-for-tests-123", authority=a, role=role,
                                                   email=f"{a.slug}-{role}@example.invalid")
    made["coordinator"] = ensure_user("coordinator", "pw-for-tests-123", authority=edition.coordinator,
                                      role=Membership.Role.COORDINATOR, email="coordinator@example.invalid")
    drafting.ensure_parts(edition)
    return made


def _pdf_pages(artefact) -> list[str]:
    """The text of each page of a stored PDF (pdftotext)."""
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=artefact.read_bytes(), capture_output=True,
                          check=True).stdout.decode("utf-8")
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]  # without spaces


def _part(edition, section, slug):
    return Part.objects.get(edition=edition, section=section, authority__slug=slug)


def _edit_local_row(user, edition, slug, text):
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug=slug).order_by("order").first()
    data = {"name": row.name, "related_targets": row.related_targets, "result": text,
            "self_evaluation": row.self_evaluation, "authorities": [link.authority.slug for link in row.authority_links.all()]}
    return drafting.update_item(user, row, data, row.version)


def test_part_goes_draft_review_approved_and_records_the_version(edition, people, django_capture_on_commit_callbacks):
    part = _part(edition, "annex4", "yokohama")
    _edit_local_row(people["yokohama-drafter"], edition, "yokohama", "<p>更新</p>")
    part.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        wf.submit_for_review(people["yokohama-drafter"], part, part.version)
    assert [m_.to for m_ in mail.outbox] == [["yokohama-approver@example.invalid"]]  # only 横浜市's approver
    part.refresh_from_db()
    approval = wf.approve(people["yokohama-approver"], part, part.version)
    part.refresh_from_db()
    assert part.state == "approved" and approval.part_version == part.version - 1
    # any later edit voids the approval
    _edit_local_row(people["yokohama-drafter"], edition, "yokohama", "<p>承認後の修正</p>")
    part.refresh_from_db()
    approval.refresh_from_db()
    assert part.state == "draft" and approval.voided_at is not None


@pytest.mark.parametrize("who, expected", [
    ("yokohama-drafter", "承認は担当自治体の承認者だけ"),  # not an approver
    ("kawasaki-approver", "承認は担当自治体の承認者だけ"),  # approval by another authority
    ("coordinator", "承認は担当自治体の承認者だけ"),
])
def test_approval_by_the_wrong_people_is_refused(edition, people, who, expected):
    part = _part(edition, "annex4", "yokohama")
    wf.submit_for_review(people["yokohama-drafter"], part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match=expected):
        wf.approve(people[who], part, part.version)
    part.refresh_from_db()
    assert part.state == "in_review" and not Approval.objects.exists()


def test_self_approval_is_refused(edition, people):
    _edit_local_row(people["yokohama-approver"], edition, "yokohama", "<p>承認者自身の編集</p>")
    part = _part(edition, "annex4", "yokohama")
    wf.submit_for_review(people["yokohama-approver"], part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="自己承認"):
        wf.approve(people["yokohama-approver"], part, part.version)


def test_state_rules_comments_reasons_and_stale_versions(edition, people):
    part = _part(edition, "part6", "kawasaki")
    with pytest.raises(wf.TransitionRefused, match="審査中の部分だけを承認"):
        wf.approve(people["kawasaki-approver"], part, part.version)  # still a draft
    with pytest.raises(wf.TransitionRefused, match="審査依頼は担当自治体"):
        wf.submit_for_review(people["yokohama-drafter"], part, part.version)  # another authority
    wf.submit_for_review(people["kawasaki-drafter"], part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.StaleTransition):
        wf.approve(people["kawasaki-approver"], part, part.version - 1)
    with pytest.raises(wf.TransitionRefused, match="コメントが必要"):
        wf.return_part(people["kawasaki-approver"], part, part.version, "  ")
    wf.return_part(people["kawasaki-approver"], part, part.version, "数値の根拠を追記してください。")
    part.refresh_from_db()
    assert part.state == "returned" and part.comments.get().body == "数値の根拠を追記してください。"
    wf.start_revision(people["kawasaki-drafter"], part, part.version)
    part.refresh_from_db()
    wf.submit_for_review(people["kawasaki-drafter"], part, part.version)
    part.refresh_from_db()
    wf.approve(people["kawasaki-approver"], part, part.version)
    part.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="理由が必要"):
        wf.reopen(people["kawasaki-approver"], part, part.version, "")
    wf.reopen(people["coordinator"], part, part.version, "総合評価との整合を確認するため")
    part.refresh_from_db()
    assert part.state == "draft"


def test_comments_are_threaded_and_resolvable(client, edition, people):
    part = _part(edition, "annex4", "kawasaki")
    first = wf.add_comment(people["kawasaki-drafter"], part, "件数の出典は？")
    wf.add_comment(people["coordinator"], part, "市の統計です。", parent=first)
    with pytest.raises(wf.TransitionRefused):
        wf.add_comment(people["yokohama-drafter"], part, "他市の部分")
    wf.resolve_comment(people["kawasaki-approver"], first)
    client.force_login(people["kawasaki-drafter"])
    page = client.get(reverse("drafting:section", args=["keihin", 2019, "annex4"])).content.decode()
    assert "件数の出典は？" in page and "市の統計です。" in page and "解決済み" in page


def _approve_everything(edition, people):
    for part in Part.objects.filter(edition=edition).exclude(state="approved").select_related("authority"):
        slug = part.authority.slug
        wf.submit_for_review(people[f"{slug}-drafter"], part, part.version)
        part.refresh_from_db()
        wf.approve(people[f"{slug}-approver"], part, part.version)


def _fix_reference_disagreements(edition, people):
    """The coordinator resolves the two validation errors by removing the printed legacy figures."""
    user = people["kanagawa-drafter"]
    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(1)-①")
    data = {f: getattr(target, f) for f in ("title", "unit", "plan_goal_value", "plan_goal_unit", "contribution",
                                            "alternative", "approach", "basis", "self_evaluation", "external_factors")}
    data.update({f"y{y.fiscal_year}_stated_progress": y.stated_progress for y in target.years.all()})
    data["y2017_stated_progress"] = ""
    drafting.update_item(user, target, data, target.version)
    row = m.FiscalSupportRow.objects.filter(edition=edition).order_by("order").first()
    state = drafting.item_state(row)
    data = {k: v for k, v in state.items() if ":" not in k}
    data.update({f"y{k.split(':')[0]}_{k.split(':')[1]}": ("" if v is None else v) for k, v in state.items() if ":" in k})
    data["stated_cumulative_total"] = None
    drafting.update_item(user, row, data, row.version)


def _fast_render(monkeypatch):
    from zoneeval.assembly.render import RenderResult

    monkeypatch.setattr(assembly_services, "render_pdf",
                        lambda snapshot, html=None: RenderResult(pdf=b"%PDF-1.7 final", pages=1, seconds=0.0))
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces


def test_sign_off_requires_approval_a_clean_run_and_the_current_hash(edition, people, monkeypatch):
    _fast_render(monkeypatch)
    run = assembly_services.run_synchronously(edition)
    with pytest.raises(wf.TransitionRefused, match="承認されていません"):
        wf.sign_off(people["yokohama-approver"], edition, run.snapshot.content_hash)
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    with pytest.raises(wf.TransitionRefused, match="エラーが2件"):
        wf.sign_off(people["yokohama-approver"], edition, run.snapshot.content_hash)
    _fix_reference_disagreements(edition, people)
    _approve_everything(edition, people)  # the fixes voided the approvals of the coordinator's parts
    run = assembly_services.run_synchronously(edition)
    assert run.error_count == 0
    with pytest.raises(wf.StaleTransition):
        wf.sign_off(people["yokohama-approver"], edition, "0" * 64)  # sign-off of a stale version
    with pytest.raises(wf.TransitionRefused, match="承認者だけ"):
        wf.sign_off(people["yokohama-drafter"], edition, run.snapshot.content_hash)
    wf.sign_off(people["yokohama-approver"], edition, run.snapshot.content_hash)
    with pytest.raises(wf.TransitionRefused, match="署名が済んでいない作成主体があります：神奈川県、川崎市"):
        archive.submit(people["coordinator"], edition, run.snapshot.content_hash)  # submission with missing sign-offs
    # any change afterwards voids the sign-offs
    _edit_local_row(people["kawasaki-drafter"], edition, "kawasaki", "<p>署名後の変更</p>")
    assert not SignOff.objects.filter(voided_at__isnull=True).exists()
    with pytest.raises(wf.TransitionRefused, match="承認されていません"):
        wf.sign_off(people["kanagawa-approver"], edition, run.snapshot.content_hash)


def test_full_cycle_from_drafting_to_submission(client, edition, people, monkeypatch):
    """Users of every co-author take the FY2019 sample from drafting to a submitted, frozen, archived edition."""
    # drafting: each authority edits its own part
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        _edit_local_row(people[f"{slug}-drafter"], edition, slug, f"<p>{slug} の令和元年度実績</p>")
    _fix_reference_disagreements(edition, people)
    # my work: each approver sees only their own authority's parts
    part = _part(edition, "annex4", "yokohama")
    wf.submit_for_review(people["yokohama-drafter"], part, part.version)
    client.force_login(people["yokohama-approver"])
    mine = client.get(reverse("workflow:my_work")).content.decode()
    assert "別紙4 地域独自の取組（横浜市）" in mine and "（川崎市）" not in mine
    client.force_login(people["kawasaki-approver"])
    assert "別紙4 地域独自の取組（横浜市）" not in client.get(reverse("workflow:my_work")).content.decode()
    # review and approval of every part
    for p in Part.objects.filter(edition=edition).select_related("authority"):
        slug = p.authority.slug
        if p.state == "draft":
            wf.submit_for_review(people[f"{slug}-drafter"], p, p.version)
            p.refresh_from_db()
        wf.approve(people[f"{slug}-approver"], p, p.version)
    assert not Part.objects.filter(edition=edition).exclude(state="approved").exists()
    # assembly and validation by the coordinator, with the real renderer
    run = assembly_services.run_synchronously(edition, people["coordinator"])
    assert run.error_count == 0 and run.artefact.pages > 20
    # joint sign-off over HTTP
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        client.force_login(people[f"{slug}-approver"])
        response = client.post(reverse("workflow:sign_off", args=["keihin", 2019]),
                               {"content_hash": run.snapshot.content_hash})
        assert response.status_code == 302, response.content.decode()
    client.force_login(people["coordinator"])
    response = client.post(reverse("archive:submit", args=["keihin", 2019]), {"content_hash": run.snapshot.content_hash})
    assert response.status_code == 302, response.content.decode()
    edition.refresh_from_db()
    submission = Submission.objects.get(edition=edition)
    import hashlib
    import json

    assert edition.is_frozen and submission.content_hash == run.snapshot.content_hash
    assert hashlib.sha256(submission.pdf.read_bytes()).hexdigest() == submission.pdf_sha256
    # every run's PDF is a draft: 「案」 and its date on every page; the submitted PDF is rendered without it
    draft_pages, final_pages = _pdf_pages(run.artefact), _pdf_pages(submission.pdf)
    assert len(draft_pages) == run.artefact.pages and len(final_pages) == len(draft_pages)
    mark = "".join(draft_mark().split())
    assert mark.startswith("案") and mark.endswith("作成") and len(mark) > 6
    assert all(mark in page for page in draft_pages), [i for i, p in enumerate(draft_pages) if mark not in p]
    assert not any(mark[1:] in page for page in final_pages)
    assert submission.pdf.kind == "final_pdf" and submission.pdf != run.artefact
    assert hashlib.sha256(submission.export_json.encode()).hexdigest() == submission.export_sha256
    archived = json.loads(submission.export_json)
    actions = [e["action"] for e in archived["audit"]]
    assert actions.count("approve") == Part.objects.filter(edition=edition).count()
    assert actions.count("sign_off") == 3 and actions[-1] == "submit" and "edit_update" in actions
    assert archived["derived"]["targets"]["(3)"]["current"]["progress"] == 172
    page = client.get(reverse("workflow:edition_audit", args=["keihin", 2019])).content.decode()
    assert "提出" in page and "署名（最終承認）" in page and "kawasaki-approver" in page
    assert ">sign_off<" not in page and ">edit_update<" not in page  # actions in Japanese (issue 9)
    pdf = client.get(reverse("archive:submission_file", args=["keihin", 2019, "pdf"]))
    assert pdf.status_code == 200


@pytest.fixture
def submitted(edition, people, monkeypatch):
    _fast_render(monkeypatch)
    _fix_reference_disagreements(edition, people)
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        wf.sign_off(people[f"{slug}-approver"], edition, run.snapshot.content_hash)
    archive.submit(people["coordinator"], edition, run.snapshot.content_hash)
    edition.refresh_from_db()
    return edition


def test_a_submitted_edition_refuses_every_change(client, admin_client, submitted, people):
    edition = submitted
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").first()
    # services
    with pytest.raises(drafting.EditionFrozen):
        _edit_local_row(people["yokohama-drafter"], edition, "yokohama", "<p>提出後の変更</p>")
    part = _part(edition, "annex4", "yokohama")
    with pytest.raises(wf.TransitionRefused, match="提出済み"):
        wf.reopen(people["yokohama-approver"], part, part.version, "訂正")
    with pytest.raises(Exception, match="提出済み"):
        assembly_services.request_run(edition)
    # the ORM itself (what admin and any other code go through)
    from django.db import transaction

    row.result = "<p>直接の変更</p>"
    with pytest.raises(Exception, match="提出済み"), transaction.atomic():
        row.save()
    with pytest.raises(Exception, match="提出済み"), transaction.atomic():
        m.Passage.objects.filter(edition=edition).first().delete()
    # HTTP
    client.force_login(people["yokohama-drafter"])
    row.refresh_from_db()
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]),
                           {"version": row.version, "name": row.name, "result": "<p>x</p>", "authorities": ["yokohama"]})
    assert response.status_code in (403, 409)
    row.refresh_from_db()
    assert row.result != "<p>x</p>"
    # admin
    response = admin_client.post(reverse("admin:reports_edition_change", args=[edition.pk]),
                                 {"fiscal_year": 2030, "coordinator": edition.coordinator_id})
    assert response.status_code == 403
    edition.refresh_from_db()
    assert edition.fiscal_year == 2019
    assert admin_client.post(reverse("admin:reports_edition_delete", args=[edition.pk]), {"post": "yes"}).status_code == 403


def test_the_audit_log_is_append_only(admin_client, edition, people):
    _edit_local_row(people["yokohama-drafter"], edition, "yokohama", "<p>記録される編集</p>")
    entry = AuditEntry.objects.get(action="edit_update")
    assert entry.actor == people["yokohama-drafter"] and "記録される編集" in str(entry.after)
    entry.comment = "改ざん"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().update(comment="x")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()
    if connection.vendor == "postgresql":
        from django.db import transaction

        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE workflow_auditentry SET comment = 'x'")
    assert admin_client.get(reverse("admin:workflow_auditentry_change", args=[entry.pk])).status_code == 200
    assert admin_client.post(reverse("admin:workflow_auditentry_change", args=[entry.pk]),
                             {"comment": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:workflow_auditentry_delete", args=[entry.pk])).status_code == 403


def test_daily_reminder_mails_only_the_authority_that_must_act(edition, people):
    import datetime

    from zoneeval.workflow.tasks import overdue_reminders

    for p in Part.objects.filter(edition=edition).exclude(authority__slug="kawasaki"):
        wf.submit_for_review(people[f"{p.authority.slug}-drafter"], p, p.version)
    edition.drafting_due = datetime.date(2020, 5, 31)
    edition.save()
    mail.outbox.clear()
    sent = overdue_reminders(today=datetime.date(2020, 6, 1))
    kawasaki = {p.authority_id for p in Part.objects.filter(edition=edition, authority__slug="kawasaki")}
    assert sent and {authority for _, authority in sent} == kawasaki
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {"kawasaki-drafter@example.invalid", "kawasaki-approver@example.invalid"}
