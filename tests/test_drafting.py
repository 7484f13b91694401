"""Drafting over HTTP: what each authority may read and write, input normalisation, stale saves, history."""
import pytest
from django.urls import reverse

from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting.models import Revision
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(edition):
    made = {}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        for role in ("drafter", "approver"):
            made[f"{a.slug}-{role}"] = ensure_user(f"{a.slug}-{role}", "pw-for-tests-123", authority=a, role=role)
    made["coordinator"] = ensure_user("coordinator", "pw-for-tests-123", authority=edition.coordinator,
                                      role=Membership.Role.COORDINATOR)
    made["viewer"] = ensure_user("viewer", "pw-for-tests-123", authority=None, role=Membership.Role.VIEWER)
    return made


def _row(edition, table, slug):
    return m.LocalMeasureRow.objects.filter(edition=edition, table=table, owner__slug=slug).order_by("order").first()


def _local_row_post(row, **changes):
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets, "result": row.result,
            "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all()]}
    data.update(changes)
    return data


def test_yokohama_drafter_edits_its_own_passage_and_rows_but_not_kawasakis(client, edition, users):
    client.force_login(users["yokohama-drafter"])
    page = client.get(reverse("drafting:section", args=["keihin", 2019, "annex4"])).content.decode()
    own, other = _row(edition, "fiscal", "yokohama"), _row(edition, "fiscal", "kawasaki")
    assert f'hx-get="{reverse("drafting:item_edit", args=["local-row", own.pk])}"' in page
    assert f'id="item-local-row-{other.pk}"' in page  # visible …
    assert f'hx-get="{reverse("drafting:item_edit", args=["local-row", other.pk])}"' not in page  # … not editable

    response = client.post(reverse("drafting:item_edit", args=["local-row", own.pk]),
                           _local_row_post(own, result="<p>令和元年度交付実績２１件</p>"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.result == "<p>令和元年度交付実績２１件</p>" and own.version == 2

    before = (other.result, other.version)
    forged = client.post(reverse("drafting:item_edit", args=["local-row", other.pk]),
                         _local_row_post(other, result="<p>改ざん</p>"))
    assert forged.status_code in (403, 404)
    other.refresh_from_db()
    assert (other.result, other.version) == before

    passage = m.Passage.objects.get(edition=edition, slot="part6", owner__slug="yokohama")
    response = client.post(reverse("drafting:item_edit", args=["passage", passage.pk]),
                           {"version": passage.version, "text": "横浜市では、新しい段落。"})
    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.text == "<p>横浜市では、新しい段落。</p>"
    kawasaki = m.Passage.objects.get(edition=edition, slot="part6", owner__slug="kawasaki")
    assert client.post(reverse("drafting:item_edit", args=["passage", kawasaki.pk]),
                       {"version": kawasaki.version, "text": "x"}).status_code == 403



# ---- the permission matrix ------------------------------------------------------------------------------------

from zoneeval.drafting import services as drafting_services  # noqa: E402
from zoneeval.drafting.registry import KINDS  # noqa: E402

ROLES = ["anonymous", "viewer", "own-drafter", "own-approver", "other-drafter", "other-approver", "coordinator"]


_serial = __import__("itertools").count(100)


def _make_item(kind, edition, owner):
    """One item of ``kind`` owned by ``owner`` (created through the ORM: signals grant its permissions)."""
    base = {"order": 900}
    n = next(_serial)
    if kind.key == "passage":
        return m.Passage.objects.create(edition=edition, slot="part6", owner=owner, text="<p>t</p>", **base)
    if kind.key == "survey-finding":
        return m.SurveyFinding.objects.create(edition=edition, slot="annex4", owner=owner, finding="f", **base)
    if kind.key == "target":
        return m.NumericalTarget.objects.create(indicator=edition.indicators.first(), code=f"({n})",
                                                title="t", owner=owner, **base)
    if kind.key == "solution":
        return m.Solution.objects.create(edition=edition, number=n, owner=owner, text="<p>s</p>", **base)
    if kind.key == "initiative":
        return m.Initiative.objects.create(solution=edition.solutions.first(), owner=owner, heading="h", **base)
    if kind.key == "regulatory-project":
        return m.RegulatoryProject.objects.create(edition=edition, kind="general", owner=owner, title="r", **base)
    if kind.key == "proposal":
        return m.RegulatoryProposal.objects.create(edition=edition, owner=owner, title="p", **base)
    if kind.key == "special-measure":
        return m.SpecialMeasureUse.objects.create(edition=edition, owner=owner, name="s", **base)
    if kind.key == "measure-row":
        return m.MeasureRow.objects.create(edition=edition, kind="feasible", owner=owner, name="m", **base)
    if kind.key == "support-project":
        group = m.SupportGroup.objects.filter(section__edition=edition).first()
        return m.SupportProject.objects.create(group=group, owner=owner, title="sp", **base)
    if kind.key == "fiscal-row":
        return m.FiscalSupportRow.objects.create(edition=edition, owner=owner, name="fr", **base)
    if kind.key == "count-row":
        return m.CountRow.objects.create(edition=edition, kind="tax", owner=owner, name="cr", **base)
    if kind.key == "local-row":
        row = m.LocalMeasureRow.objects.create(edition=edition, table="other", owner=owner, name="lr", **base)
        m.LocalMeasureAuthority.objects.create(row=row, authority=owner)
        return row
    if kind.key == "schedule-project":
        number = (m.ScheduleProject.objects.filter(edition=edition).aggregate(x=__import__("django").db.models.Max(
            "number"))["x"] or 0) + 1
        return m.ScheduleProject.objects.create(edition=edition, solution_number=1, number=number,
                                                owner=owner, title="sp", **base)
    if kind.key == "schedule-item":
        project = m.ScheduleProject.objects.filter(edition=edition, owner=owner).first() or _make_item(
            KINDS["schedule-project"], edition, owner)
        return m.ScheduleItem.objects.create(project=project, text="i", order=900)
    raise AssertionError(kind.key)


def _form_data(kind, item, edition):
    state = drafting_services.item_state(item)
    data = {"version": item.version}
    for f in kind.fields:
        value = state.get(f.name)
        if f.kind == "bool":
            if value:
                data[f.name] = "on"
        elif f.kind == "authorities":
            data[f.name] = value
        elif value is not None:
            data[f.name] = value
    first_text = next(f for f in kind.fields if f.kind in ("line", "rich") and f.name != "unit")
    data[first_text.name] = "変更後の内容"
    return data, first_text.name


def _client_for(client, role, users, owner_slug, other_slug):
    if role == "anonymous":
        return client
    name = {"viewer": "viewer", "coordinator": "coordinator", "own-drafter": f"{owner_slug}-drafter",
            "own-approver": f"{owner_slug}-approver", "other-drafter": f"{other_slug}-drafter",
            "other-approver": f"{other_slug}-approver"}[role]
    client.force_login(users[name])
    return client


def _allowed(role, owner_slug, coordinator_slug):
    return role in ("own-drafter", "own-approver") or (role == "coordinator" and owner_slug == coordinator_slug)


def _snapshot(item):
    item.refresh_from_db()
    return drafting_services.item_state(item), item.version


@pytest.mark.parametrize("kind_key", sorted(KINDS))
@pytest.mark.parametrize("owner_slug, other_slug", [("kanagawa", "kawasaki"), ("yokohama", "kawasaki")])
def test_permission_matrix(client, edition, users, kind_key, owner_slug, other_slug):
    """Every role × own/other authority × read/create/edit/delete of this kind of item, over HTTP."""
    kind = KINDS[kind_key]
    owner = Authority.objects.get(slug=owner_slug)
    coordinator_slug = edition.coordinator.slug
    section = kind.section_of(_make_item(kind, edition, owner))
    for role in ROLES:
        client.logout()
        c = _client_for(client, role, users, owner_slug, other_slug)
        allowed = _allowed(role, owner_slug, coordinator_slug)
        # read
        response = c.get(reverse("drafting:section", args=["keihin", 2019, section]))
        assert response.status_code == (302 if role == "anonymous" else 200), (role, "read")
        # edit
        item = _make_item(kind, edition, owner)
        before, revisions = _snapshot(item), Revision.objects.count()
        data, changed_field = _form_data(kind, item, edition)
        response = c.post(reverse("drafting:item_edit", args=[kind.key, item.pk]), data)
        after = _snapshot(item)
        if allowed:
            assert response.status_code == 302, (role, "edit", response.content.decode()[:500])
            assert after[1] == before[1] + 1 and Revision.objects.count() == revisions + 1
        else:
            assert response.status_code in (302, 403, 404), (role, "edit")
            assert after == before and Revision.objects.count() == revisions, (role, "edit changed data")
        # delete
        if kind.creatable:
            victim = _make_item(kind, edition, owner)
            response = c.post(reverse("drafting:item_delete", args=[kind.key, victim.pk]), {"version": victim.version})
            exists = kind.model.objects.filter(pk=victim.pk).exists()
            if allowed:
                assert response.status_code == 302 and not exists, (role, "delete")
            else:
                assert response.status_code in (302, 403, 404) and exists, (role, "delete")
        # create
        if kind.creatable:
            count = kind.model.objects.count()
            post = {**_form_data(kind, _make_item(kind, edition, owner), edition)[0], "owner": owner_slug}
            count += 1  # the template item just made
            post.pop("version")
            if kind.parent_attr:
                post["parent"] = _make_item(kind, edition, owner).project_id
                count += 1
            elif kind.key in ("initiative", "support-project"):
                post["parent"] = (edition.solutions.first().pk if kind.key == "initiative"
                                  else m.SupportGroup.objects.filter(section__edition=edition).first().pk)
            else:
                post["container"] = next(iter(kind.containers))
            response = c.post(reverse("drafting:item_create", args=["keihin", 2019, kind.key]), post)
            created = kind.model.objects.count() - count
            if allowed:
                assert response.status_code == 302 and created == 1, (role, "create", response.status_code)
            else:
                assert response.status_code in (302, 403, 404) and created == 0, (role, "create")


# ---- concurrency, queries, input, history, presence, year tables --------------------------------------------

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def test_two_clients_saving_the_same_part_the_second_is_refused_with_the_others_change(client, edition, users):
    from django.test import Client

    row = _row(edition, "fiscal", "yokohama")
    first, second = Client(), Client()
    first.force_login(users["yokohama-drafter"])
    second.force_login(users["yokohama-approver"])
    url = reverse("drafting:item_edit", args=["local-row", row.pk])
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200  # both load version 1
    loaded = _local_row_post(row)
    assert first.post(url, {**loaded, "result": "<p>Aの更新：交付実績21件</p>"}).status_code == 302
    refused = second.post(url, {**loaded, "result": "<p>Bの入力：交付実績22件</p>"})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "他の人が更新しました" in body and "yokohama-drafter" in body
    assert "<ins>A" in body or "Aの更新" in body  # what the other person changed
    assert "Bの入力：交付実績22件" in body  # nothing the user typed is lost
    row.refresh_from_db()
    assert row.result == "<p>Aの更新：交付実績21件</p>" and row.version == 2


def test_section_page_query_count_does_not_grow_with_rows(client, edition, users):
    from zoneeval.workflow.work_count import bump

    client.force_login(users["yokohama-drafter"])
    url = reverse("drafting:section", args=["keihin", 2019, "annex4"])
    client.get(url)
    bump()  # both pages below compute the navigation's count (the rows' creation below moves it too)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    owners = [Authority.objects.get(slug=s) for s in ("kanagawa", "yokohama", "kawasaki")]
    for n in range(30):
        row = m.LocalMeasureRow.objects.create(edition=edition, table="other", owner=owners[n % 3], name=f"追加{n}",
                                               order=1000 + n)
        m.LocalMeasureAuthority.objects.create(row=row, authority=owners[n % 3])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert m.LocalMeasureRow.objects.filter(edition=edition).count() >= 56
    assert len(many) == len(few), (len(few), len(many))


def test_full_width_digits_and_separators_are_normalised(client, edition, users):
    client.force_login(users["kanagawa-drafter"])
    row = m.FiscalSupportRow.objects.filter(edition=edition).order_by("order").last()
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets, "ministry": "文部科学省",
            "reference_number": "6", "remarks": row.remarks,
            "y2019_requested": "１８４，５００", "y2019_national": "184,500", "y2019_local": "２３３２１５",
            "y2020_requested": "-", "y2020_national": "－", "y2020_local": ""}
    response = client.post(reverse("drafting:item_edit", args=["fiscal-row", row.pk]), data)
    assert response.status_code == 302
    years = {y.fiscal_year: y for y in row.years.all()}
    assert (years[2019].requested, years[2019].national, years[2019].local) == (184500, 184500, 233215)
    assert years[2020].requested is None and years[2020].national is None
    assert 2017 not in years  # all blank: no row (prints blank)


@pytest.mark.parametrize("field, typed, message", [
    ("y2019_national", "百万", "数値を入力してください"),
    ("y2019_local", "-5", "負の値は入力できません"),
])
def test_impossible_numbers_are_refused_in_japanese_and_nothing_typed_is_lost(client, edition, users, field, typed,
                                                                               message):
    client.force_login(users["kanagawa-drafter"])
    row = m.FiscalSupportRow.objects.filter(edition=edition).order_by("order").last()
    before = _snapshot(row)
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets,
            "remarks": "<p>入力途中の備考</p>", field: typed}
    response = client.post(reverse("drafting:item_edit", args=["fiscal-row", row.pk]), data)
    body = response.content.decode()
    assert response.status_code == 422 and message in body
    assert f'value="{typed}"' in body and "入力途中の備考" in body
    assert _snapshot(row) == before


def test_negative_count_and_month_outside_the_plan_are_refused(client, edition, users):
    client.force_login(users["kawasaki-drafter"])
    tax = m.CountRow.objects.filter(edition=edition, kind="tax", owner__slug="kawasaki").first()
    response = client.post(reverse("drafting:item_edit", args=["count-row", tax.pk]),
                           {"version": tax.version, "name": tax.name, "y2019_count": "-1"})
    assert response.status_code == 422 and "負の値は入力できません" in response.content.decode()
    project = m.ScheduleProject.objects.filter(edition=edition, owner__slug="kawasaki").first()
    item = project.items.first()
    response = client.post(reverse("drafting:item_edit", args=["schedule-item", item.pk]),
                           {"version": item.version, "label": item.label, "text": item.text,
                            "bar_start": "２０１９年４月", "bar_end": "2023-01", "milestones": "2016-05 開始"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "計画期間（2017-04〜2022-03）の外の月です" in body and "2016-05 は計画期間" in body
    item.refresh_from_db()
    assert item.version == 1


def test_html_is_sanitised_on_save(client, edition, users):
    client.force_login(users["kawasaki-drafter"])
    passage = m.Passage.objects.get(edition=edition, slot="part6", owner__slug="kawasaki")
    client.post(reverse("drafting:item_edit", args=["passage", passage.pk]), {
        "version": passage.version,
        "text": '<p onclick="x()">川崎市<script>alert(1)</script><img src="file:///etc/passwd"><strong>殿町</strong></p>'})
    passage.refresh_from_db()
    assert passage.text == "<p>川崎市<strong>殿町</strong></p>"


def test_history_shows_who_changed_what(client, edition, users):
    client.force_login(users["yokohama-drafter"])
    row = _row(edition, "fiscal", "yokohama")
    client.post(reverse("drafting:item_edit", args=["local-row", row.pk]),
                _local_row_post(row, result="<p>令和元年度交付実績21件</p>"))
    revision = Revision.objects.get()
    assert revision.user == users["yokohama-drafter"] and revision.part.authority.slug == "yokohama"
    page = client.get(reverse("drafting:part_history", args=[revision.part_id])).content.decode()
    assert "yokohama-drafter" in page and "実績・直接効果" in page
    assert "交付実績2<del>0</del><ins>1</ins>件" in page


def test_who_else_has_the_part_open(client, edition, users):
    from zoneeval.drafting.models import Part
    from zoneeval.drafting.services import ensure_parts, mark_present

    ensure_parts(edition)
    part = Part.objects.get(edition=edition, section="annex4", authority__slug="yokohama")
    assert mark_present(users["yokohama-approver"], part) == []
    client.force_login(users["yokohama-drafter"])
    html = client.post(reverse("drafting:presence", args=[part.pk])).content.decode()
    assert "yokohama-approver" in html


def test_year_table_sums_authorities_and_refuses_others_columns(client, edition, users):
    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(3)")
    client.force_login(users["yokohama-drafter"])
    url = reverse("drafting:target_years", args=[target.pk])
    page = client.get(url).content.decode()
    assert 'name="actual_2019"' in page and 'name="target_2019"' not in page  # own actuals only
    response = client.post(url, {"version": target.version, "authority": "yokohama", "actual_2019": "２５",
                                 "target_2019": "1"})  # a forged target value is ignored: no such field for him
    assert response.status_code == 302
    year = target.years.get(fiscal_year=2019)
    assert year.target_value == 58
    assert sorted((a.authority.slug, int(a.value)) for a in year.actuals.all()) == [("kanagawa", 100),
                                                                                   ("yokohama", 25)]
    preview = client.post(reverse("drafting:target_years_preview", args=[target.pk]),
                          {"authority": "yokohama", "actual_2019": "30"}).content.decode()
    assert "130件" in preview and "224%" in preview  # (100 + 30) / 58
    forged = client.post(url, {"version": target.version + 1, "authority": "kawasaki", "actual_2019": "999"})
    assert forged.status_code in (302, 403)
    assert not year.actuals.filter(authority__slug="kawasaki").exists()


def test_viewer_reads_everything_and_changes_nothing(client, edition, users):
    client.force_login(users["viewer"])
    for section in ("part2", "targets", "annex3", "annex4"):
        page = client.get(reverse("drafting:section", args=["keihin", 2019, section])).content.decode()
        assert "閲覧のみ" in page and "＋" not in page and 'hx-get="/draft/item/' not in page
    assert client.get(reverse("drafting:dashboard", args=["keihin", 2019])).status_code == 200


def test_outsider_without_membership_reads_nothing(client, edition, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("stranger", password="pw-for-tests-123"))
    assert client.get(reverse("drafting:dashboard", args=["keihin", 2019])).status_code == 403
    assert client.get(reverse("drafting:section", args=["keihin", 2019, "annex4"])).status_code == 403


def test_annex3_totals_follow_the_typing(client, edition, users):
    client.force_login(users["kanagawa-drafter"])
    row = m.FiscalSupportRow.objects.filter(edition=edition).order_by("order").last()
    html = client.post(reverse("drafting:item_preview", args=["fiscal-row", row.pk]), {
        "name": row.name, "y2018_national": "１１９，９６２", "y2018_local": "207,872",
        "y2019_national": "184500", "y2019_local": "233215"}).content.decode()
    assert "327,834" in html and "417,715" in html and "745,549" in html  # a+b per year and 累計 a+b
    row.refresh_from_db()
    assert row.version == 1  # nothing saved
