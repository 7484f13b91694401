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
