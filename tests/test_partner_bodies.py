"""A 別紙4 row may name a body outside the co-authors (a neighbouring city, an agency): it imports, round-trips,
is entered in the drafting form, is printed by its name, and the validator reports it by its name at the severity
the edition decides (``edition.partner_bodies``; an error unless the zone allows partner bodies). Ownership of the
row stays with a co-author."""
import copy
import json

import pytest
from django.urls import reverse

from zoneeval import limits
from zoneeval.assembly.validations import ERROR, INFO, WARNING, validate
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m
from zoneeval.reports.interchange.export import edition_snapshot, to_json
from zoneeval.reports.interchange.importer import ImportRefused, import_document, import_json

pytestmark = pytest.mark.django_db


def _partner_findings(snapshot):
    return [f for f in validate(snapshot) if f.rule == "annex4_rows_name_coauthors"]


# ---- the format ---------------------------------------------------------------------------------------------------

def test_the_fictional_zone_round_trips_with_its_partner_body_and_setting(shiomi_edition, shiomi):
    snapshot = edition_snapshot(shiomi_edition)
    exported = {k: v for k, v in snapshot.items() if k != "derived"}
    assert exported == shiomi  # every field, the partner body and edition.partner_bodies included
    row = m.LocalMeasureRow.objects.get(edition=shiomi_edition, table="other")
    links = list(row.authority_links.order_by("order"))
    assert [(link.authority.slug if link.authority_id else None, link.name) for link in links] == [
        ("aoura", ""), (None, "東岬市")]
    assert row.owner.slug == "aoura"  # owned by a co-author
    again = import_json(to_json(snapshot), replace=True)  # and its export imports again, the same
    assert {k: v for k, v in edition_snapshot(again).items() if k != "derived"} == shiomi


def test_a_keihin_row_naming_kobe_imports_exports_and_is_an_error_by_default(sample):
    doc = copy.deepcopy(sample)
    row = doc["parts"]["annex4"]["other"][0]
    row["authorities"].append({"name": "神戸市"})
    edition = import_document(doc)
    snapshot = edition_snapshot(edition)
    assert snapshot["parts"]["annex4"]["other"][0]["authorities"] == row["authorities"]
    assert "partner_bodies" not in snapshot["edition"]  # the default is left out, as in files of before
    (finding,) = _partner_findings(snapshot)
    assert finding.severity == ERROR
    assert f"「{row['name']}」の自治体名「神戸市」は作成主体ではありません。" in finding.message
    assert "kobe" not in finding.message and finding.item.endswith(f"authorities[{len(row['authorities']) - 1}]")
    assert finding.owner == row["owner"]


@pytest.mark.parametrize("setting", [WARNING, INFO, ERROR])
def test_the_zone_decides_the_severity(shiomi, setting):
    doc = copy.deepcopy(shiomi)
    doc["edition"]["partner_bodies"] = setting
    (finding,) = _partner_findings(doc)
    assert finding.severity == setting
    assert "「東岬市」は作成主体ではありません" in finding.message
    assert ("認めています" in finding.message) == (setting != ERROR)
    assert [f.severity for f in validate(doc)] == [setting]  # the only finding of the fictional zone


def test_a_slug_that_is_not_a_co_author_is_still_refused_and_says_how_to_name_a_partner(sample):
    doc = copy.deepcopy(sample)
    bodies = doc["parts"]["annex4"]["other"][0]["authorities"]
    bodies.append("kobe")
    with pytest.raises(ImportRefused) as refused:
        import_document(doc)
    (problem,) = refused.value.problems
    assert problem.path == f"$.parts.annex4.other[0].authorities[{len(bodies) - 1}]"
    assert "'kobe' は作成主体ではありません" in problem.message and '{"name"' in problem.message


@pytest.mark.parametrize("bodies, words", [
    (["aoura", {"name": "東岬市"}, {"name": "東岬市"}], "重複"),
    (["aoura", {"name": "あ" * (limits.AUTHORITY_NAME_MAX + 1)}], "文字以内"),
    (["aoura", {"name": "東岬\u202e市"}], "使用できない文字"),
    (["aoura", {"name": ""}], "空"),
    (["aoura"] + [{"name": f"団体{i}"} for i in range(limits.LOCAL_ROW_BODIES_MAX)], "fails maxItems"),
    (["aoura", {"name": "東岬市", "slug": "higashimisaki"}], "不明な項目"),
])
def test_partner_bodies_hold_the_limits_in_the_format(shiomi, bodies, words):
    doc = copy.deepcopy(shiomi)
    doc["parts"]["annex4"]["other"][0]["authorities"] = bodies
    with pytest.raises(ImportRefused) as refused:
        import_document(doc)
    text = " ".join(str(p) for p in refused.value.problems)
    assert "$.parts.annex4.other[0].authorities" in text and words in text, text
    assert not m.Edition.objects.exists()


def test_the_schema_states_the_partner_setting(shiomi):
    doc = copy.deepcopy(shiomi)
    doc["edition"]["partner_bodies"] = "allowed"
    with pytest.raises(ImportRefused) as refused:
        import_document(doc)
    assert refused.value.problems[0].path == "$.edition.partner_bodies"


# ---- the drafting form --------------------------------------------------------------------------------------------

def _drafter(slug):
    from zoneeval.authorities.models import Authority

    return ensure_user(f"{slug}-drafter", "pw-for-tests-123", authority=Authority.objects.get(slug=slug),
                       role=Membership.Role.DRAFTER)


def _post(row, **changes):
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets, "result": row.result,
            "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all() if link.authority_id],
            "partner_bodies": "\n".join(link.name for link in row.authority_links.all() if not link.authority_id)}
    data.update(changes)
    return data


def test_the_form_offers_co_authors_and_typed_partner_bodies_and_the_owner_stays(client, shiomi_edition):
    row = m.LocalMeasureRow.objects.get(edition=shiomi_edition, table="other")
    client.force_login(_drafter("aoura"))
    url = reverse("drafting:item_edit", args=["local-row", row.pk])
    form = client.get(url).content.decode()
    assert 'name="partner_bodies"' in form and "東岬市" in form
    assert form.count('name="authorities"') == 4  # the four co-authors to pick

    response = client.post(url, _post(row, authorities=["aoura", "shiomi-city"],
                                      partner_bodies="東岬市\n　県立汐見港湾管理事務所　\n"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.owner.slug == "aoura"
    snapshot = edition_snapshot(shiomi_edition)
    assert snapshot["parts"]["annex4"]["other"][0]["authorities"] == [
        "aoura", "shiomi-city", {"name": "東岬市"}, {"name": "県立汐見港湾管理事務所"}]
    section = client.get(reverse("drafting:section", args=["shiomi", 2015, "annex4"])).content.decode()
    assert "県立汐見港湾管理事務所" in section
    messages = [f.message for f in _partner_findings(snapshot)]
    assert any("「県立汐見港湾管理事務所」は作成主体ではありません" in text for text in messages)

    response = client.post(url, _post(row, partner_bodies=""))  # cleared: only co-authors remain
    assert response.status_code == 302
    assert edition_snapshot(shiomi_edition)["parts"]["annex4"]["other"][0]["authorities"] == ["aoura", "shiomi-city"]


@pytest.mark.parametrize("typed, words", [
    ("あ" * (limits.AUTHORITY_NAME_MAX + 1), "文字以内"),
    ("東岬市\n東岬市", "重複"),
    ("汐見市", "作成主体です"),
    ("\n".join(f"団体{i}" for i in range(limits.LOCAL_ROW_BODIES_MAX)), f"{limits.LOCAL_ROW_BODIES_MAX}団体まで"),
    ("東岬\u202e市", "使用できない文字"),
])
def test_the_form_refuses_what_the_format_refuses_and_keeps_the_typing(client, shiomi_edition, typed, words):
    row = m.LocalMeasureRow.objects.get(edition=shiomi_edition, table="other")
    before = json.dumps(edition_snapshot(shiomi_edition)["parts"]["annex4"], ensure_ascii=False)
    client.force_login(_drafter("aoura"))
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]),
                           _post(row, partner_bodies=typed))
    assert response.status_code == 422
    page = response.content.decode()
    assert words in page
    assert json.dumps(edition_snapshot(shiomi_edition)["parts"]["annex4"], ensure_ascii=False) == before


def test_a_co_author_that_does_not_own_the_row_may_not_change_its_bodies(client, shiomi_edition):
    row = m.LocalMeasureRow.objects.get(edition=shiomi_edition, table="other")
    client.force_login(_drafter("minatogawa"))
    response = client.post(reverse("drafting:item_edit", args=["local-row", row.pk]),
                           _post(row, partner_bodies="改ざん市"))
    assert response.status_code == 403
    assert not m.LocalMeasureAuthority.objects.filter(name="改ざん市").exists()


def test_admin_offers_the_editions_partner_setting(admin_client, shiomi_edition):
    page = admin_client.get(reverse("admin:reports_edition_change", args=[shiomi_edition.pk])).content.decode()
    assert 'name="partner_bodies"' in page
    assert '<option value="warning" selected>' in page  # the zone's choice, as imported
