"""Pages under load (issue 13): GET never writes; the navigation's my-work count and the section pages cost a fixed
number of queries; the edition page's preview is cached by the edition's content version.

tests/bench/load_pages.py measures the same pages under gunicorn with many clients (README "Pages under load")."""
from __future__ import annotations

import copy
import json
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


def _section_queries(edition, username, sections) -> dict:
    people = _people(edition)
    drafting.ensure_parts(edition)
    client = _client(people[username])
    base = f"/{edition.zone.slug}/{edition.fiscal_year}/draft/"
    counts = {}
    for section in sections:
        client.get(base + section + "/")  # the first request of a process reads content types once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(base + section + "/").status_code == 200
        counts[section] = len(queries)
    return counts


def _fewer_coauthors(document: dict, keep: int) -> dict:
    """The same document with only its first ``keep`` co-authors: whatever the others owned or were named in is
    given to the kept ones in turn (the same items, rows and cells; fewer co-authors)."""
    document = copy.deepcopy(document)
    slugs = [a["slug"] for a in document["authorities"]]
    kept = slugs[:keep] if document["edition"]["coordinator"] in slugs[:keep] else \
        [document["edition"]["coordinator"], *[s for s in slugs if s != document["edition"]["coordinator"]][:keep - 1]]
    # the kept co-authors are other authorities (own slugs, so their users are not the nine's)
    mapping = {slug: f"{slug if slug in kept else kept[n % keep]}-{keep}" for n, slug in enumerate(slugs)}
    document["authorities"] = [{**a, "slug": mapping[a["slug"]], "name": f"{a['name']}（{keep}者）"}
                               for a in document["authorities"] if a["slug"] in kept]
    document["edition"]["coordinator"] = mapping[document["edition"]["coordinator"]]

    def remap(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("owner", "authority") and value in mapping:
                    node[key] = mapping[value]
                else:
                    remap(value)
            if isinstance(node.get("actuals"), list):  # one figure per co-author and year
                seen = set()
                node["actuals"] = [a for a in node["actuals"] if not (a.get("authority") in seen
                                                                      or seen.add(a.get("authority")))]
        elif isinstance(node, list):
            for n, value in enumerate(node):
                if isinstance(value, str) and value in mapping:
                    node[n] = mapping[value]
                else:
                    remap(value)
            if node and all(isinstance(v, str) for v in node):
                node[:] = list(dict.fromkeys(node))

    remap(document["parts"])
    return document


def _section_page_queries(edition, sections) -> dict:
    """Queries of each section page for the coordinating authority's drafter and approver and a viewer, with every
    part of those sections in review and commented (the per-part panels, notes and buttons all shown)."""
    people = _people(edition)
    drafting.ensure_parts(edition)
    for part in Part.objects.filter(edition=edition, section__in=sections).select_related("authority"):
        drafter = people[f"{part.authority.slug}-drafter"]
        wf.submit_for_review(drafter, part, part.version)
        wf.add_comment(drafter, Part.objects.get(pk=part.pk), "確認をお願いします。")
    slug = edition.coordinator.slug
    counts = {}
    for username in (f"{slug}-drafter", f"{slug}-approver", "viewer"):
        client = _client(people[username])
        for section in sections:
            url = f"/{edition.zone.slug}/{edition.fiscal_year}/draft/{section}/"
            client.get(url)  # the first request of a process reads content types and the like once
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[(username.removeprefix(slug), section)] = len(queries)
    return counts


@pytest.mark.django_db
def test_section_pages_cost_the_same_queries_with_three_or_nine_coauthors():
    """The nine-co-author sample against the same document with three co-authors (the others' items given to
    them): the same items, rows and parts' sections, three times as many parts and owners."""
    from zoneeval.drafting.registry import SECTION_LABELS

    nine = json.loads(KYUSHU_PATH.read_text(encoding="utf-8"))
    three = _fewer_coauthors(nine, 3)
    three["zone"].update(slug="kyushu-three", name="三者の試験用区域")
    many, few = import_document(nine), import_document(three)
    assert (few.coauthors.count(), many.coauthors.count()) == (3, 9)
    assert Part.objects.filter(edition=many).count() > 2 * Part.objects.filter(edition=few).count()
    sections = list(SECTION_LABELS)
    assert _section_page_queries(many, sections) == _section_page_queries(few, sections)


def _counting_builds(monkeypatch) -> list:
    from zoneeval.reports import preview

    built = []
    real = preview.edition_snapshot
    monkeypatch.setattr(preview, "edition_snapshot", lambda *a, **kw: built.append(a) or real(*a, **kw))
    return built


def _page(client, edition) -> str:
    response = client.get(f"/{edition.zone.slug}/{edition.fiscal_year}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_edition_page_is_served_from_the_cache_until_the_content_changes(edition, monkeypatch):
    from zoneeval.reports.preview import build
    from zoneeval.workflow.services import current_hash

    people = _people(edition)
    drafting.ensure_parts(edition)
    built = _counting_builds(monkeypatch)
    client = _client(people["yokohama-drafter"])
    first = _page(client, edition)
    assert len(built) == 1
    second = _page(client, edition)
    assert len(built) == 1  # the second request builds no snapshot
    assert second[second.index("<article"):] == first[first.index("<article"):]
    _page(_client(people["kawasaki-approver"]), edition)
    assert len(built) == 1  # another user, the same fragment
    edition.refresh_from_db()
    assert build(edition)["content_hash"] == current_hash(edition)

    # an edit through the services shows at once
    passage = m.Passage.objects.get(edition=edition, slot="part6", owner__slug="yokohama")
    response = client.post(f"/draft/item/passage/{passage.pk}/", {"version": passage.version,
                                                                  "text": "横浜市の新しい本文です。"})
    assert response.status_code == 302
    built.clear()
    assert "横浜市の新しい本文です。" in _page(client, edition) and len(built) == 1
    # so does a change by any other path: a plain save (admin, shell), a bulk update, a co-author's printed name
    passage.refresh_from_db()
    passage.text = "<p>シェルからの変更です。</p>"
    passage.save()
    assert "シェルからの変更です。" in _page(client, edition) and len(built) == 2
    m.Passage.objects.filter(pk=passage.pk).update(text="<p>一括更新による変更です。</p>")
    assert "一括更新による変更です。" in _page(client, edition) and len(built) == 3
    m.CoAuthor.objects.filter(edition=edition, authority__slug="kawasaki").update(name="川崎市（改称）")
    assert "川崎市（改称）" in _page(client, edition) and len(built) == 4
    assert _page(client, edition) and len(built) == 4


@pytest.mark.django_db
def test_the_cached_edition_page_keeps_each_users_own_buttons(edition, monkeypatch):
    people = _people(edition)
    drafting.ensure_parts(edition)
    built = _counting_builds(monkeypatch)
    run_button = '<button type="submit" class="button">取りまとめ・検証・PDF作成を実行</button>'
    refused = "取りまとめ・PDF作成は取りまとめ自治体の取りまとめ担当だけが実行できます。"
    members = "担当者の管理</a>"
    coordinator = _page(_client(people["coordinator"]), edition)
    drafter = _page(_client(people["yokohama-drafter"]), edition)
    coordinator_again = _page(_client(people["coordinator"]), edition)
    assert len(built) == 1
    assert run_button in coordinator and run_button in coordinator_again and run_button not in drafter
    assert refused in drafter and refused not in coordinator and refused not in coordinator_again
    assert members in coordinator and members not in drafter
    assert "起草・編集</a>" in drafter and "起草・編集</a>" in coordinator


@pytest.mark.django_db
def test_my_work_and_the_run_page_use_the_cached_hash(busy_edition, monkeypatch):
    edition, people, run, part = busy_edition
    built = _counting_builds(monkeypatch)
    client = _client(people["coordinator"])
    for path in (f"/{edition.zone.slug}/{edition.fiscal_year}/", "/my-work/",
                 f"/{edition.zone.slug}/{edition.fiscal_year}/assembly/{run.pk}/"):
        assert client.get(path).status_code == 200
    assert len(built) == 1
