"""Frozen means frozen, on every path: after submission nothing that belongs to the edition changes — web, admin,
import, services, ORM bulk operations, many-to-many changes, base managers and raw SQL (PostgreSQL triggers here,
SQLite in a subprocess) — and what the edition prints about its zone and co-authors stays as submitted."""
import copy
import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from zoneeval.assembly.models import Artefact, AssembledSnapshot
from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part, Revision
from zoneeval.reports import models as m
from zoneeval.reports.content import EditionFrozen, edition_models, edition_path
from zoneeval.reports.copying import copy_edition
from zoneeval.reports.interchange.export import edition_snapshot, to_json
from zoneeval.reports.interchange.importer import ImportRefused, import_document
from zoneeval.workflow import services as wf
from zoneeval.workflow.models import Approval, AuditEntry, AuditLogImmutable, Comment, SignOff, Submission

from .conftest import ROOT, SAMPLE_PATH

pytestmark = pytest.mark.django_db


def state(edition) -> dict:
    """Everything that belongs to the edition, read through the declaration: its export and every row."""
    rows = {}
    if not edition.passages.exists():  # a bare draft: no document to export
        return {"rows": [list(model._base_manager.filter(**{edition_path(model): edition.pk}).values())
                         for model in edition_models()]}
    for model in edition_models():
        qs = model._base_manager.filter(**{edition_path(model): edition.pk}).order_by("pk")
        rows[model._meta.label] = [json.dumps(r, sort_keys=True, default=str) for r in qs.values()]
    rows["edition"] = json.dumps(m.Edition._base_manager.filter(pk=edition.pk).values().get(), default=str)
    return {"export": to_json(edition_snapshot(m.Edition.objects.get(pk=edition.pk))), "rows": rows}


def _make_people(edition):
    made = {}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        for role in ("drafter", "approver"):
            made[f"{a.slug}-{role}"] = ensure_user(f"{a.slug}-{role}", "pw-for-tests-123", authority=a, role=role)
    made["coordinator"] = ensure_user("coordinator", "pw-for-tests-123", authority=edition.coordinator,
                                      role=Membership.Role.COORDINATOR)
    return made


def _submit(edition, people):
    """A record of every kind that belongs to an edition, then the submission the way submit() makes it: the
    Submission row first, then ``submitted_at``, in one transaction."""
    user = people["yokohama-approver"]
    drafting.update_item(people["yokohama-drafter"], *_local_row_edit(edition, f"<p>提出前の編集 {edition.revision}</p>"))
    part = Part.objects.filter(edition=edition, authority__slug="yokohama").first()
    comment = Comment.objects.create(part=part, author=user, body="確認しました")
    Comment.objects.create(part=part, author=user, body="返信", parent=comment)
    Approval.objects.create(part=part, approver=user, part_version=part.version)
    SignOff.objects.create(edition=edition, authority=part.authority, user=user, content_hash="a" * 64)
    payload = to_json(edition_snapshot(edition))
    AssembledSnapshot.objects.create(edition=edition, content_hash=hashlib.sha256(payload.encode()).hexdigest(),
                                     payload=payload)
    artefact, _ = Artefact.objects.get_or_create(content_hash="b" * 64, defaults={
        "relative_path": "x.pdf", "size": 1, "sha256": "c" * 64})
    with transaction.atomic():
        Submission.objects.create(edition=edition, submitted_by=people["coordinator"], content_hash="a" * 64,
                                  pdf=artefact, pdf_sha256="c" * 64, export_json=payload,
                                  export_sha256=hashlib.sha256(payload.encode()).hexdigest())
        m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())


def _make_draft(edition):
    """Another, unsubmitted edition of the same zone (the year before), with a row or two."""
    draft = m.Edition.objects.create(zone=edition.zone, fiscal_year=2018, coordinator=edition.coordinator,
                                     plan_first_fiscal_year=2017, plan_last_fiscal_year=2021)
    for coauthor in edition.coauthors.all():
        m.CoAuthor.objects.create(edition=draft, authority=coauthor.authority, order=coauthor.order)
    m.LocalMeasureRow.objects.create(edition=draft, table="other", owner=edition.coordinator, name="前年度の取組")
    m.CountRow.objects.create(edition=draft, kind="tax", owner=edition.coordinator, name="前年度の税制")
    return draft


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, sample_text):
    """Made once for the module (importing and submitting the sample is the slow part) and committed; every test
    runs in a transaction that is rolled back. A submitted edition cannot be deleted, so the module ends with a
    flush (TRUNCATE), as transactional tests do."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        edition = import_document(json.loads(sample_text))
        people = _make_people(edition)
        _submit(edition, people)
        # its correction (訂正版), submitted too: the original is then a superseded edition, frozen all the same
        correction = copy_edition(edition, supersedes=edition)
        _submit(correction, people)
        draft = _make_draft(edition)
    yield {"superseded": edition.pk, "current": correction.pk, "draft": draft.pk,
           "people": {k: u.pk for k, u in people.items()}}
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(params=["current", "superseded"])
def submitted(request, world, db):
    """Each test runs on the current submitted edition and on the submitted edition its correction superseded."""
    edition = m.Edition.objects.get(pk=world[request.param])
    assert edition.is_frozen and edition.is_superseded == (request.param == "superseded")
    return edition


@pytest.fixture
def draft(world, db):
    return m.Edition.objects.get(pk=world["draft"])


@pytest.fixture
def people(world, db, django_user_model):
    return {key: django_user_model.objects.get(pk=pk) for key, pk in world["people"].items()}


def _local_row_edit(edition, text):
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").order_by("order").first()
    data = {"name": row.name, "related_targets": row.related_targets, "result": text,
            "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all()]}
    return row, data, row.version


def _refused(action, expected=EditionFrozen):
    with pytest.raises(expected), transaction.atomic():
        action()


# ---- every way in ---------------------------------------------------------------------------------------------

def _first(model, edition, **filters):
    return model.objects.filter(**{edition_path(model): edition}, **filters).order_by("pk").first()


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


ORM_PATHS = {
    # QuerySet.update, through managers and related managers
    "update": lambda e, d: m.LocalMeasureRow.objects.filter(edition=e).update(name="書き換え"),
    "update-related-manager": lambda e, d: e.passages.update(text="<p>書き換え</p>"),
    "update-deep-child": lambda e, d: m.ActualFigure.objects.filter(
        target_year__target__indicator__edition=e).update(value=0),
    "update-move-out": lambda e, d: m.LocalMeasureRow.objects.filter(edition=e).update(edition=d),
    "update-base-manager": lambda e, d: m.LocalMeasureRow._base_manager.filter(edition=e).update(name="x"),
    "update-plain-queryset": lambda e, d: models.QuerySet.update(m.Passage.objects.filter(edition=e), text="x"),
    # bulk_create / bulk_update / delete
    "bulk_create": lambda e, d: m.Passage.objects.bulk_create([m.Passage(
        edition=e, slot="part6", owner=e.coordinator, text="<p>追加</p>", order=99)]),
    "bulk_create-child": lambda e, d: m.CountYear.objects.bulk_create([m.CountYear(
        row=_first(m.CountRow, e), fiscal_year=2031, count=1)]),
    "bulk_update": lambda e, d: m.MeasureRow.objects.bulk_update(
        [setattr(r, "name", "書き換え") or r for r in m.MeasureRow.objects.filter(edition=e)], ["name"]),
    "queryset-delete": lambda e, d: m.RegulatoryProposal.objects.filter(edition=e).delete(),
    "queryset-delete-child": lambda e, d: m.ScheduleItem.objects.filter(project__edition=e).delete(),
    "create": lambda e, d: m.Indicator.objects.create(edition=e, number=99, title="追加"),
    # many-to-many, from either side
    "m2m-clear": lambda e, d: _first(m.Solution, e).related_targets.clear(),
    "m2m-add": lambda e, d: _first(m.Solution, e).related_targets.add(*m.NumericalTarget.objects.filter(
        indicator__edition=e)),
    "m2m-remove-reverse": lambda e, d: _first(m.NumericalTarget, e).solutions.remove(_first(m.Solution, e)),
    "m2m-set": lambda e, d: _first(m.Solution, e).related_targets.set([]),
    "m2m-through-delete": lambda e, d: m.Solution.related_targets.through.objects.filter(
        solution__edition=e).delete(),
    # moving an item out of (and into) the frozen edition
    "move-out": lambda e, d: _move(_first(m.LocalMeasureRow, e), d),
    "move-child-out": lambda e, d: _move_year(_first(m.CountYear, e), _first(m.CountRow, d)),
    "move-in": lambda e, d: _move(_first(m.LocalMeasureRow, d), e),
    # the edition itself
    "edition-unsubmit": lambda e, d: m.Edition.objects.filter(pk=e.pk).update(submitted_at=None),
    "edition-unsubmit-all": lambda e, d: m.Edition.objects.update(submitted_at=None),
    "edition-save": lambda e, d: _save(e, fiscal_year=2030),
    "edition-delete": lambda e, d: e.delete(),
    "edition-bulk_update": lambda e, d: m.Edition.objects.bulk_update([_set(e, submitted_at=None)], ["submitted_at"]),
    "coauthor-delete": lambda e, d: e.coauthors.all().delete(),
    # records of review, sign-off and submission (the archive's hashes among them)
    "submission-update": lambda e, d: Submission.objects.filter(edition=e).update(export_sha256="0" * 64),
    "submission-save": lambda e, d: _save(e.submission, export_json="{}"),
    "submission-delete": lambda e, d: Submission.objects.filter(edition=e).delete(),
    "signoff-void": lambda e, d: SignOff.objects.filter(edition=e).update(voided_at=timezone.now()),
    "signoff-create": lambda e, d: SignOff.objects.create(edition=e, authority=e.coordinator,
                                                          user=Submission.objects.get(edition=e).submitted_by,
                                                          content_hash="d" * 64),
    "signoff-rehash": lambda e, d: _save(SignOff.objects.get(edition=e), content_hash="e" * 64),
    "part-state": lambda e, d: _save(_first(Part, e), state=Part.State.DRAFT),
    "part-update": lambda e, d: Part.objects.filter(edition=e).update(state=Part.State.DRAFT),
    "part-bulk_create": lambda e, d: Part.objects.bulk_create([Part(edition=e, section="part7",
                                                                    authority=Authority.objects.get(slug="yokohama"))]),
    "comment-resolve": lambda e, d: _save(_first(Comment, e), resolved=True),
    "comment-delete": lambda e, d: Comment.objects.filter(part__edition=e).delete(),
    "approval-void": lambda e, d: Approval.objects.filter(part__edition=e).update(voided_at=timezone.now()),
    "revision-delete": lambda e, d: Revision.objects.filter(part__edition=e).delete(),
    "revision-rewrite": lambda e, d: _save(_first(Revision, e), after={}),
    "snapshot-rewrite": lambda e, d: AssembledSnapshot.objects.filter(edition=e).update(payload="{}"),
    # level targets and partner bodies (issue 10): their columns and rows are the edition's too
    "edition-partner-setting": lambda e, d: _save(e, partner_bodies=m.Edition.PartnerBodies.INFO),
    "target-goal-year": lambda e, d: m.NumericalTarget.objects.filter(indicator__edition=e).update(
        plan_goal_fiscal_year=2021),
    "partner-body-create": lambda e, d: m.LocalMeasureAuthority.objects.create(
        row=_first(m.LocalMeasureRow, e), name="神戸市", order=9),
    "partner-body-rename": lambda e, d: m.LocalMeasureAuthority.objects.filter(row__edition=e).update(name="x"),
}


def _save(obj, **fields):
    _set(obj, **fields).save()


def _set(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def _move(row, edition):
    row.edition = edition
    row.save()


def _move_year(year, row):
    year.row = row
    year.save()


@pytest.mark.parametrize("path", list(ORM_PATHS))
def test_every_orm_path_is_refused_and_nothing_changes(submitted, draft, path):
    before, draft_before = state(submitted), state(draft)
    _refused(lambda: ORM_PATHS[path](submitted, draft))
    assert state(submitted) == before
    assert state(draft) == draft_before


RAW_SQL = {
    "update-item": ("UPDATE reports_localmeasurerow SET name = 'x' WHERE edition_id = %(e)s", ),
    "update-deep-child": ("UPDATE reports_actualfigure SET value = 0 WHERE target_year_id IN (SELECT y.id FROM "
                          "reports_targetyear y JOIN reports_numericaltarget t ON t.id = y.target_id JOIN "
                          "reports_indicator i ON i.id = t.indicator_id WHERE i.edition_id = %(e)s)", ),
    "delete-item": ("DELETE FROM reports_regulatoryproposal WHERE edition_id = %(e)s", ),
    "delete-m2m-link": ("DELETE FROM reports_solution_related_targets WHERE solution_id IN "
                        "(SELECT id FROM reports_solution WHERE edition_id = %(e)s)", ),
    "insert-item": ("INSERT INTO reports_passage (edition_id, owner_id, slot, text, \"order\", version, updated_at) "
                    "SELECT %(e)s, coordinator_id, 'part6', 'x', 99, 1, updated_at FROM reports_edition "
                    "WHERE id = %(e)s", ),
    "insert-child": ("INSERT INTO reports_countyear (row_id, fiscal_year, count) SELECT id, 2031, 1 FROM "
                     "reports_countrow WHERE edition_id = %(e)s", ),
    "move-out": ("UPDATE reports_localmeasurerow SET edition_id = %(d)s WHERE edition_id = %(e)s", ),
    "move-in": ("UPDATE reports_localmeasurerow SET edition_id = %(e)s WHERE edition_id = %(d)s", ),
    "unsubmit": ("UPDATE reports_edition SET submitted_at = NULL WHERE id = %(e)s", ),
    "edition-delete": ("DELETE FROM reports_edition WHERE id = %(e)s", ),
    "submission-hash": ("UPDATE workflow_submission SET export_sha256 = '0' WHERE edition_id = %(e)s", ),
    "signoff-hash": ("UPDATE workflow_signoff SET content_hash = '0' WHERE edition_id = %(e)s", ),
    "part-state": ("UPDATE drafting_part SET state = 'draft' WHERE edition_id = %(e)s", ),
    "comment-delete": ("DELETE FROM workflow_comment WHERE part_id IN (SELECT id FROM drafting_part "
                       "WHERE edition_id = %(e)s)", ),
    "approval-void": ("UPDATE workflow_approval SET voided_at = CURRENT_TIMESTAMP WHERE part_id IN "
                      "(SELECT id FROM drafting_part WHERE edition_id = %(e)s)", ),
    "partner-setting": ("UPDATE reports_edition SET partner_bodies = 'info' WHERE id = %(e)s", ),
    "insert-partner-body": ("INSERT INTO reports_localmeasureauthority (row_id, authority_id, name, \"order\") "
                            "SELECT id, NULL, '神戸市', 9 FROM reports_localmeasurerow WHERE edition_id = %(e)s", ),
    "goal-year": ("UPDATE reports_numericaltarget SET plan_goal_fiscal_year = 2021 WHERE indicator_id IN "
                  "(SELECT id FROM reports_indicator WHERE edition_id = %(e)s)", ),
    "zone-slug": ("UPDATE reports_zone SET slug = 'renamed' WHERE id = (SELECT zone_id FROM reports_edition "
                  "WHERE id = %(e)s)", ),
    "authority-slug": ("UPDATE authorities_authority SET slug = 'renamed' WHERE slug = 'yokohama'", ),
}


@pytest.mark.parametrize("name", list(RAW_SQL))
def test_raw_sql_is_refused_by_the_database_and_nothing_changes(submitted, draft, name):
    assert connection.vendor == "postgresql"
    before = state(submitted)
    statement = RAW_SQL[name][0].replace("%(e)s", str(submitted.pk)).replace("%(d)s", str(draft.pk))
    _refused(lambda: _sql(statement))  # the trigger's refusal, turned into EditionFrozen
    assert state(submitted) == before


def test_the_triggers_cover_every_table_of_the_declaration(submitted):
    """Derived from the models, not listed: each table that belongs to an edition has its trigger in PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname LIKE 'zoneeval_frozen_%%'")
        tables = {row[0] for row in cursor.fetchall()}
    assert {model._meta.db_table for model in edition_models()} | {"reports_edition", "reports_zone",
                                                                  "authorities_authority"} == tables
    assert "reports_solution_related_targets" in tables and "workflow_submission" in tables


def test_every_model_that_reaches_an_edition_declares_it():
    """A new model with a way to an edition cannot forget to be frozen: it declares EDITION_PATH or is exempt here
    with a reason."""
    exempt = {
        "workflow.AuditEntry": "append-only by its own triggers; appended after submission",
        "drafting.Presence": "who has a part open; not printed, not archived",
        "drafting.WorkbookUpload": "an uploaded workbook awaiting its preview's confirmation; changes nothing itself",
        "assembly.AssemblyRun": "an operational record of a run",
        "reports.ExportRecord": "a log of exports (reads) of the edition",
    }
    declared = set(edition_models()) | {m.Edition}
    missing = []
    for model in apps.get_models():
        if model in declared or model._meta.label in exempt or model.__module__.endswith("models.permissions"):
            continue
        if any(f.many_to_one and f.related_model in declared for f in model._meta.fields):
            missing.append(model._meta.label)
    assert missing == []


def test_the_drafting_registry_agrees_with_the_declaration():
    from zoneeval.drafting.registry import KINDS

    assert all(kind.edition_path == edition_path(kind.model) for kind in KINDS.values())


# ---- services, web and admin -----------------------------------------------------------------------------------

def test_services_refuse_and_nothing_changes(submitted, people):
    before = state(submitted)
    part = Part.objects.filter(edition=submitted, authority__slug="yokohama").first()
    comment = Comment.objects.filter(part__edition=submitted).first()
    _refused(lambda: drafting.update_item(people["yokohama-drafter"], *_local_row_edit(submitted, "<p>x</p>")))
    _refused(lambda: wf.reopen(people["yokohama-approver"], part, part.version, "訂正"), wf.TransitionRefused)
    _refused(lambda: wf.add_comment(people["yokohama-drafter"], part, "提出後のコメント"), wf.TransitionRefused)
    _refused(lambda: wf.resolve_comment(people["yokohama-drafter"], comment), wf.TransitionRefused)  # 解決済みにする
    revision = Revision.objects.filter(part__edition=submitted).select_related("part").first()
    _refused(lambda: wf.part_edited(revision.part, people["yokohama-drafter"], revision))  # voids approvals
    assert state(submitted) == before


def test_web_and_admin_refuse_and_nothing_changes(client, admin_client, submitted, people):
    before = state(submitted)
    comment = Comment.objects.filter(part__edition=submitted).first()
    client.force_login(people["yokohama-drafter"])
    assert client.post(reverse("workflow:resolve_comment", args=[comment.pk])).status_code == 403
    row, data, version = _local_row_edit(submitted, "<p>x</p>")
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]), {**data, "version": version})
    assert response.status_code in (403, 409)
    response = admin_client.post(reverse("admin:reports_edition_change", args=[submitted.pk]),
                                 {"fiscal_year": 2030, "coordinator": submitted.coordinator_id})
    assert response.status_code == 403
    zone = submitted.zone
    response = admin_client.post(reverse("admin:reports_zone_change", args=[zone.pk]), {
        "slug": "renamed", "name": zone.name, "kind": zone.kind, "designation_date": zone.designation_date,
        "first_approval_date": zone.first_approval_date})
    assert response.status_code == 403  # a slug a submitted edition prints
    assert state(submitted) == before


def test_renaming_the_zone_and_an_authority_in_admin_leaves_the_submitted_report_as_submitted(
        client, admin_client, submitted, draft, people):
    before = state(submitted)
    zone = submitted.zone
    response = admin_client.post(reverse("admin:reports_zone_change", args=[zone.pk]), {
        "slug": zone.slug, "name": "改称後の特区", "kind": "regional", "designation_date": "2020-01-01",
        "first_approval_date": "2020-02-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    authority = Authority.objects.get(slug="yokohama")
    response = admin_client.post(reverse("admin:authorities_authority_change", args=[authority.pk]), {
        "slug": "yokohama", "name": "改称後の市", "kind": authority.kind,
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    zone.refresh_from_db()
    assert zone.name == "改称後の特区"
    assert state(submitted) == before  # export, page and PDF read the edition's own copy
    client.force_login(people["coordinator"])
    page = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    assert "京浜臨海部" in page and "改称後の特区" not in page and "改称後の市" not in page
    # a draft follows the zone and the authorities
    draft.refresh_from_db()
    assert (draft.zone_name, draft.zone_kind, str(draft.zone_designation_date)) == ("改称後の特区", "regional",
                                                                                     "2020-01-01")
    assert "改称後の市" in [c.name for c in draft.coauthors.all()]


def test_importing_the_next_year_of_the_zone_leaves_the_submitted_report_as_submitted(submitted, sample, tmp_path):
    from django.core.management import call_command

    before = state(submitted)
    document = copy.deepcopy(sample)
    document["edition"]["fiscal_year"] = 2020
    document["zone"]["name"] = "翌年度に改称された特区"
    document["zone"]["designation_date"] = "2020-03-01"
    path = tmp_path / "next.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("import_report", str(path))
    assert state(submitted) == before
    assert m.Zone.objects.get(slug="keihin").name == "翌年度に改称された特区"
    next_year = m.Edition.objects.get(zone__slug="keihin", fiscal_year=2020)
    assert json.loads(state(next_year)["export"])["zone"]["name"] == "翌年度に改称された特区"
    # and the submitted year itself is never replaced
    with pytest.raises(ImportRefused, match="提出済み"):
        import_document(copy.deepcopy(sample), replace=True)
    assert state(submitted) == before


def test_submitting_through_the_services_is_allowed_by_the_triggers(submitted):
    """The Submission row is created before submitted_at is set, in one transaction; after it, audit entries are
    still appended."""
    AuditEntry.objects.create(edition=submitted, action="note", subject="提出後の記録")
    assert AuditEntry.objects.filter(edition=submitted, action="note").exists()


def test_the_audit_log_refuses_the_base_manager_and_plain_querysets(submitted):
    entry = AuditEntry.objects.create(edition=submitted, action="note")
    for attempt in (lambda: AuditEntry._base_manager.filter(pk=entry.pk).update(comment="x"),
                    lambda: models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), comment="x"),
                    lambda: models.QuerySet.delete(AuditEntry.objects.filter(pk=entry.pk)),
                    lambda: AuditEntry.objects.bulk_update([entry], ["comment"]),
                    lambda: _sql("DELETE FROM workflow_auditentry")):
        _refused(attempt, AuditLogImmutable)
    assert AuditEntry.objects.filter(pk=entry.pk, comment="").exists()


# ---- SQLite ----------------------------------------------------------------------------------------------------

SQLITE_SCRIPT = textwrap.dedent("""
    import json
    from django.core.management import call_command
    from django.db import connection, models, transaction
    from django.utils import timezone
    from zoneeval.reports import models as m
    from zoneeval.reports.interchange.importer import import_document
    from zoneeval.workflow.models import AuditEntry, Submission
    from zoneeval.assembly.models import Artefact
    from zoneeval.authorities.services import ensure_user

    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)  # again: the triggers are made again, not twice
    edition = import_document(json.loads(open(SAMPLE, encoding="utf-8").read()))
    user = ensure_user("someone", "pw-for-tests-123", authority=edition.coordinator, role="coordinator")
    entry = AuditEntry.objects.create(edition=edition, action="note")
    art = Artefact.objects.create(content_hash="b" * 64, relative_path="x.pdf", size=1, sha256="c" * 64)
    with transaction.atomic():
        Submission.objects.create(edition=edition, submitted_by=user, content_hash="a", pdf=art, pdf_sha256="c",
                                  export_json="{}", export_sha256="d")
        m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    results = {"vendor": connection.vendor}

    def attempt(name, action):
        try:
            with transaction.atomic():
                action()
            results[name] = "accepted"
        except Exception as error:
            results[name] = type(error).__name__ + ": " + str(error)

    def sql(statement):
        with connection.cursor() as cursor:
            cursor.execute(statement.replace("EDITION", str(edition.pk)))

    attempt("audit-raw-update", lambda: sql("UPDATE workflow_auditentry SET comment = 'x'"))
    attempt("audit-raw-delete", lambda: sql("DELETE FROM workflow_auditentry"))
    attempt("audit-base-manager", lambda: AuditEntry._base_manager.update(comment="x"))
    attempt("audit-plain-queryset", lambda: models.QuerySet.update(AuditEntry.objects.all(), comment="x"))
    attempt("audit-append", lambda: AuditEntry.objects.create(edition=edition, action="after"))
    attempt("item-update", lambda: sql("UPDATE reports_localmeasurerow SET name = 'x' WHERE edition_id = EDITION"))
    attempt("deep-child-delete", lambda: sql(
        "DELETE FROM reports_actualfigure WHERE target_year_id IN (SELECT y.id FROM reports_targetyear y JOIN "
        "reports_numericaltarget t ON t.id = y.target_id JOIN reports_indicator i ON i.id = t.indicator_id "
        "WHERE i.edition_id = EDITION)"))
    attempt("item-insert", lambda: sql(
        "INSERT INTO reports_countyear (row_id, fiscal_year, count) SELECT id, 2031, 1 FROM reports_countrow "
        "WHERE edition_id = EDITION"))
    attempt("m2m-delete", lambda: sql("DELETE FROM reports_solution_related_targets"))
    attempt("unsubmit", lambda: sql("UPDATE reports_edition SET submitted_at = NULL"))
    attempt("orm-unsubmit", lambda: m.Edition._base_manager.update(submitted_at=None))
    attempt("submission-hash", lambda: sql("UPDATE workflow_submission SET export_sha256 = '0'"))
    attempt("zone-slug", lambda: sql("UPDATE reports_zone SET slug = 'renamed'"))
    attempt("zone-rename", lambda: sql("UPDATE reports_zone SET name = '改称'"))
    results["audit-entries"] = AuditEntry.objects.filter(edition=edition).count()  # (role grants have none)
    results["rows"] = m.LocalMeasureRow.objects.filter(edition=edition, name="x").count()
    results["frozen"] = m.Edition.objects.get(pk=edition.pk).is_frozen
    print("RESULT " + json.dumps(results, ensure_ascii=False))
""")


def test_sqlite_triggers_keep_the_audit_log_append_only_and_a_submitted_edition_frozen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(ZONEEVAL_VAR_DIR=str(tmp_path), DEBUG="1")
    script = f"SAMPLE = {str(SAMPLE_PATH)!r}\n" + SQLITE_SCRIPT
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.split("RESULT ", 1)[1])
    assert results["vendor"] == "sqlite"
    for name in ("audit-raw-update", "audit-raw-delete", "audit-base-manager", "audit-plain-queryset"):
        assert results[name].startswith("AuditLogImmutable"), (name, results[name])
    for name in ("item-update", "deep-child-delete", "item-insert", "m2m-delete", "unsubmit", "orm-unsubmit",
                 "submission-hash", "zone-slug"):
        assert results[name].startswith("EditionFrozen"), (name, results[name])
    assert results["audit-append"] == "accepted" and results["zone-rename"] == "accepted"
    assert results["audit-entries"] == 2 and results["rows"] == 0 and results["frozen"] is True
