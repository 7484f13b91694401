"""Pages under load (issue 13): GET never writes; the navigation's my-work count and the section pages cost a fixed
number of queries; the edition page's preview is cached by the edition's content version.

tests/bench/load_pages.py measures the same pages under gunicorn with many clients (README "Pages under load")."""
from __future__ import annotations

import copy
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zoneeval.assembly import services as assembly_services
from zoneeval.assembly.models import AssemblyRun
from zoneeval.authorities.services import create_demo_users
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m
from zoneeval.reports.interchange.importer import import_document
from zoneeval.workflow import services as wf

from .conftest import ROOT

KYUSHU_PATH = ROOT / "zoneeval" / "samples" / "kyushu-kanko-fy2018.json"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _people(edition) -> dict:
    users = create_demo_users([c.authority for c in edition.coauthors.select_related("authority")],
                              edition.coordinator)
    return {u.username: u for u, _ in users}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)  # the sign-in's own writes (session, last_login) happen here, before any sweep
    return client


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]


@pytest.fixture
def busy_edition(edition):
    """The FY2019 sample with something in every state: a part in review, a comment, an assembly run (assembled and
    validated; its PDF is not needed by the pages)."""
    people = _people(edition)
    drafting.ensure_parts(edition)
    part = Part.objects.filter(edition=edition, authority__slug="yokohama").order_by("pk").first()
    wf.submit_for_review(people["yokohama-drafter"], part, part.version)
    wf.add_comment(people["yokohama-drafter"], Part.objects.get(pk=part.pk), "確認をお願いします。")
    run = AssemblyRun.objects.create(edition=edition, requested_by=people["coordinator"])
    assembly_services.assemble(run.pk)
    assembly_services.validate_run(run.pk)
    AssemblyRun.objects.filter(pk=run.pk).update(status=AssemblyRun.Status.SUCCEEDED, stage=AssemblyRun.Stage.DONE,
                                                 percent=100)
    return edition, people, run, part


def _main_pages(edition, run, part) -> list[str]:
    base = f"/{edition.zone.slug}/{edition.fiscal_year}/"
    sections = sorted(set(Part.objects.filter(edition=edition).values_list("section", flat=True)))
    return ["/", base, base + "draft/", *[f"{base}draft/{s}/" for s in sections], "/my-work/", "/my-work/review/",
            f"/{edition.zone.slug}/archive/", base + "changes/", f"{base}assembly/{run.pk}/", base + "audit/",
            base + "members/", base + "workbook/", f"/workflow/part/{part.pk}/audit/",
            f"/draft/part/{part.pk}/history/", f"{base}workbook/download/?authority=yokohama"]


def _form_pages(edition) -> list[str]:
    """The GET side of the editing forms (item form, new item, year table, preview)."""
    base = f"/{edition.zone.slug}/{edition.fiscal_year}/"
    passage = m.Passage.objects.filter(edition=edition, owner__slug="yokohama").order_by("pk").first()
    target = m.NumericalTarget.objects.filter(indicator__edition=edition).order_by("pk").first()
    return [f"/draft/item/passage/{passage.pk}/", f"/draft/item/passage/{passage.pk}/preview/",
            f"{base}draft/new/passage/?owner=yokohama&container={passage.slot}",
            f"/draft/target/{target.pk}/years/?authority=yokohama", f"/draft/item/target/{target.pk}/"]


@pytest.mark.django_db
def test_no_get_of_the_main_pages_writes(busy_edition):
    """A sweep of GET requests over every page type, as each role: not one INSERT, UPDATE or DELETE."""
    edition, people, run, part = busy_edition
    pages = _main_pages(edition, run, part) + _form_pages(edition)
    # a Part missing (an item whose part was never made) must not be made by a page either
    Part.objects.filter(edition=edition, section="annex4", authority__slug="kawasaki").delete()
    seen = 0
    for username in ("yokohama-drafter", "yokohama-approver", "kawasaki-approver", "coordinator", "viewer"):
        client = _client(people[username])
        for path in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code in (200, 403, 405), (username, path, response.status_code)
            assert _writes(queries) == [], f"GET {path} as {username} wrote: {_writes(queries)}"
            seen += response.status_code == 200 and len(queries) > 0
    assert seen >= len(pages) * 3  # the pages were served (and read the database), not refused


def _another_zone(sample: dict, n: int) -> dict:
    """The sample as the edition of another zone (same co-authors): one more unsubmitted edition for the users."""
    document = copy.deepcopy(sample)
    document["zone"].update(slug=f"{document['zone']['slug']}-{n}", name=f"{document['zone']['name']}（{n}）")
    return document


def _unsubmitted_work(edition, people) -> None:
    """Something for everyone in the edition: a part of each co-author in review, a comment, a run."""
    drafting.ensure_parts(edition)
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        part = Part.objects.filter(edition=edition, authority__slug=slug).order_by("pk").first()
        wf.submit_for_review(people[f"{slug}-drafter"], part, part.version)
        wf.add_comment(people[f"{slug}-drafter"], Part.objects.get(pk=part.pk), "確認をお願いします。")
    run = AssemblyRun.objects.create(edition=edition)
    assembly_services.assemble(run.pk)
    assembly_services.validate_run(run.pk)
    AssemblyRun.objects.filter(pk=run.pk).update(status=AssemblyRun.Status.SUCCEEDED, stage=AssemblyRun.Stage.DONE)


def _nav_queries(people, usernames) -> dict:
    from zoneeval.workflow.selectors import my_work_count

    counts = {}
    for username in usernames:
        user = type(people[username]).objects.get(pk=people[username].pk)  # no cached memberships
        with CaptureQueriesContext(connection) as queries:
            my_work_count(user)
        counts[username] = len(queries)
    return counts


@pytest.mark.django_db
def test_the_navigation_count_costs_the_same_queries_for_one_or_five_unsubmitted_editions(edition, sample):
    people = _people(edition)
    _unsubmitted_work(edition, people)
    usernames = ("coordinator", "kanagawa-approver", "yokohama-approver", "yokohama-drafter", "viewer")
    one = _nav_queries(people, usernames)
    for n in range(2, 6):
        _unsubmitted_work(import_document(_another_zone(sample, n)), people)
    assert m.Edition.objects.filter(submitted_at__isnull=True).count() == 5
    five = _nav_queries(people, usernames)
    assert five == one


@pytest.mark.django_db
def test_my_work_page_computes_the_work_once(edition, monkeypatch):
    from zoneeval.workflow import selectors

    people = _people(edition)
    _unsubmitted_work(edition, people)
    from zoneeval.workflow import views

    calls = []
    real = selectors.my_work
    counting = lambda *a, **kw: calls.append(a) or real(*a, **kw)  # noqa: E731
    monkeypatch.setattr(selectors, "my_work", counting)
    monkeypatch.setattr(views, "my_work", counting)
    client = _client(people["yokohama-approver"])
    response = client.get("/my-work/")
    assert response.status_code == 200 and len(calls) == 1
    total = real(people["yokohama-approver"])["total"]
    assert total and f'<span class="count-badge">{total}</span>' in response.content.decode()
    calls.clear()
    client.get("/")  # every other page: the navigation's count, once
    assert len(calls) == 1
