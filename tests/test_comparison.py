"""What changed: the pure comparison of two snapshots, the rollover simulated, two assembled snapshots of one
edition, and the page over HTTP (permission, filter)."""
import copy
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from zoneeval.assembly.models import AssembledSnapshot
from zoneeval.assembly.services import content_hash
from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.comparison.compare import ADDED, CHANGED, REMOVED, compare
from zoneeval.comparison.selectors import previous_submitted
from zoneeval.drafting import services as drafting
from zoneeval.reports import models as m
from zoneeval.reports.interchange.export import edition_snapshot, to_json
from zoneeval.reports.interchange.importer import import_document


def _next_year(sample: dict) -> dict:
    """The sample as the rollover makes next year's edition: the same content, the fiscal year one later."""
    data = copy.deepcopy(sample)
    data["edition"]["fiscal_year"] += 1
    return data


def _parts(data):
    return data["parts"]


# ---- the pure comparison ------------------------------------------------------------------------------------

def test_the_same_content_a_year_later_changes_nothing_and_the_year_is_listed_apart(sample):
    result = compare(sample, _next_year(sample))
    assert result.changes == []
    assert [c.label for c in result.year_bound] == ["評価対象年度"]
    assert result.year_bound[0].fields[0].old != result.year_bound[0].fields[0].new


def _first_target(data):
    return _parts(data)["part3"]["indicators"][0]["targets"][0]


def _edit_text(value: str, old="特区", new="特別区域") -> str:
    assert old in value
    return value.replace(old, new, 1)


# (edit of the new snapshot, part, status, a word of the label)
EDITS = {
    "passage": (lambda d: _parts(d)["part7"]["overall"].update(text=_edit_text(_parts(d)["part7"]["overall"]["text"])),
                "part7", CHANGED, "総合評価"),
    "target box": (lambda d: _first_target(d)["boxes"].update(self_evaluation="<p>新しい自己評価</p>"),
                   "targets", CHANGED, "数値目標(1)-①"),
    "target value": (lambda d: _first_target(d)["years"][4].update(target="105"), "targets", CHANGED, "数値目標(1)-①"),
    "solution": (lambda d: _parts(d)["part3"]["solutions"][0].update(text="<p>解決策の新しい概要</p>"),
                 "part3", CHANGED, "解決策1"),
    "initiative added": (lambda d: _parts(d)["part3"]["solutions"][0]["initiatives"].append(
        {"owner": "yokohama", "heading": "新しい取組", "text": "<p>本文</p>", "expected": False}),
        "part3", ADDED, "新しい取組"),
    "proposal removed": (lambda d: _parts(d)["part4"]["proposals"].pop(0), "part4", REMOVED, "③提案"),
    "part 5 project": (lambda d: _parts(d)["part5"]["fiscal"]["groups"][1]["projects"][0].update(usage="<p>活用</p>"),
                       "part5", CHANGED, "財政支援"),
    "schedule milestone": (lambda d: _parts(d)["annex1_2"]["projects"][0]["items"][0]["milestones"].append(
        {"month": "2020-06", "label": "承認取得"}), "annex1_2", CHANGED, "解決策1 事業1"),
    "annex2 row removed": (lambda d: _parts(d)["annex2"]["feasible_measures"].pop(), "annex2", REMOVED,
                           "現時点で実現可能"),
    "annex3 cell": (lambda d: _parts(d)["annex3"]["fiscal"][0]["years"][1].update(national="50000"),
                    "annex3", CHANGED, "財政支援措置"),
    "annex3 count": (lambda d: _parts(d)["annex3"]["tax"][0]["years"][2].update(count=2), "annex3", CHANGED, "税制"),
    "annex4 renamed": (lambda d: _parts(d)["annex4"]["other"][0].update(name="バイオジャパン出展"),
                       "annex4", CHANGED, "バイオジャパン出展"),
    "annex4 finding": (lambda d: _parts(d)["annex4"]["survey_findings"].append(
        {"owner": "kawasaki", "finding": "<p>指摘</p>", "response": "<p>対応</p>"}), "annex4", ADDED, "別紙4 指摘事項"),
    "co-author renamed": (lambda d: d["authorities"][1].update(name="横浜市役所"), "settings", CHANGED, "横浜"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_each_kind_of_item_added_removed_or_changed_is_exactly_one_change(sample, name):
    edit, part, status, word = EDITS[name]
    new = _next_year(sample)
    edit(new)
    result = compare(sample, new)
    assert [(c.part, c.status) for c in result.changes] == [(part, status)], result.changes
    assert word in result.changes[0].label
    assert result.changes[0].fields or result.changes[0].cells


def test_a_changed_passage_shows_the_old_and_new_text_character_by_character(sample):
    new = _next_year(sample)
    _parts(new)["part7"]["overall"]["text"] = _edit_text(_parts(new)["part7"]["overall"]["text"])
    (change,) = compare(sample, new).changes
    (field,) = change.fields
    assert "特区" in field.old and "特別区域" in field.new
    assert "<ins>別</ins>" in field.diff and "<ins>域</ins>" in field.diff and "<del>" not in field.diff


def test_a_cell_without_a_figure_is_the_same_absent_or_empty_and_a_typed_figure_is_a_change(sample):
    new = _next_year(sample)
    target = _first_target(new)
    year = next(y for y in target["years"] if y["fiscal_year"] == new["edition"]["fiscal_year"])
    assert year["actuals"] == []
    _parts(new)["annex3"]["tax"][0]["years"].append({"fiscal_year": 2020, "count": None})  # an empty new-year cell
    assert compare(sample, new).changes == []
    year["actuals"].append({"authority": target["owner"], "value": "95"})
    (change,) = compare(sample, new).changes
    assert [(c.fiscal_year, c.old, c.new) for c in change.cells] == [(2020, "-", "95")]


def test_the_authority_filter_keeps_each_authoritys_items_and_its_own_actual_figures(sample):
    new = _next_year(sample)
    target = _first_target(new)
    assert target["owner"] == "kanagawa"
    target["years"][3]["actuals"].append({"authority": "yokohama", "value": "12"})  # 横浜市's own figure
    _parts(new)["part7"]["overall"]["text"] += "<p>追記</p>"  # 神奈川県's passage
    result = compare(sample, new)
    assert len(result.changes) == 2
    yokohama = result.filtered("yokohama").changes
    assert [(c.owner, c.cells[0].new) for c in yokohama] == [("yokohama", "12")]
    assert [c.part for c in result.filtered("kanagawa").changes] == ["part7"]
    assert result.filtered("kawasaki").changes == []


def test_the_previous_evaluation_differs_by_year_by_design_but_is_a_change_within_one_year(sample):
    new = _next_year(sample)
    _parts(new)["part2"]["previous_evaluation"]["score"] = "4.1"
    across = compare(sample, new)
    assert across.changes == [] and {c.label for c in across.year_bound} == {"評価対象年度", "④前年度の評価結果"}
    same_year = copy.deepcopy(new)
    same_year["edition"]["fiscal_year"] = sample["edition"]["fiscal_year"]
    within = compare(sample, same_year)
    assert [c.label for c in within.changes] == ["④前年度の評価結果"] and within.year_bound == []


# ---- the rollover simulated, then a drafter edits ---------------------------------------------------------------

@pytest.fixture
def people(edition):
    made = {}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        made[f"{a.slug}-drafter"] = ensure_user(f"{a.slug}-drafter", "pw-for-tests-123", authority=a,
                                                role=Membership.Role.DRAFTER)
    made["outsider"] = get_user_model().objects.create_user("outsider", password="pw-for-tests-123")
    return made


@pytest.fixture
def rolled_over(edition, sample):
    """FY2019 submitted, FY2020 made from its export with the fiscal year changed (as the rollover does)."""
    data = json.loads(to_json(edition_snapshot(edition, with_derived=False)))
    data["edition"]["fiscal_year"] += 1
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    new = import_document(data)
    drafting.ensure_parts(new)
    return new


def _edit_overview(user, edition, text):
    passage = m.Passage.objects.get(edition=edition, slot="part2.overview")
    return drafting.update_item(user, passage, {"text": text}, passage.version)


def test_a_rolled_over_edition_shows_nothing_until_a_drafter_edits_then_exactly_that(rolled_over, edition, people):
    previous = previous_submitted(rolled_over)
    assert previous.pk == edition.pk
    assert compare(edition_snapshot(previous), edition_snapshot(rolled_over)).changes == []
    _edit_overview(people["kanagawa-drafter"], rolled_over, "<p>令和2年度の概要</p>")
    result = compare(edition_snapshot(previous), edition_snapshot(rolled_over))
    assert [(c.part, c.status, c.label, c.owner) for c in result.changes] == [
        ("part2", CHANGED, "①総合特区計画の概要", "kanagawa")]
    assert result.changes[0].fields[0].new == "令和2年度の概要"


def test_the_page_lists_nothing_then_the_edit_and_filters_by_authority(client, rolled_over, people):
    url = reverse("comparison:changes", args=["keihin", rolled_over.fiscal_year])
    client.force_login(people["yokohama-drafter"])
    page = client.get(url).content.decode()
    assert "変更はありません" in page and "令和元年度（提出済み" in page
    _edit_overview(people["kanagawa-drafter"], rolled_over, "<p>令和2年度の概要</p>")
    page = client.get(url).content.decode()
    assert "変更 1件（追加 0・削除 0・変更 1）" in page and "<ins>" in page and "①総合特区計画の概要" in page
    section = reverse("drafting:section", args=["keihin", rolled_over.fiscal_year, "part2"])
    passage = m.Passage.objects.get(edition=rolled_over, slot="part2.overview")
    assert f'href="{section}#item-passage-{passage.pk}"' in page  # the item in the drafting UI
    filtered = client.get(url, {"authority": "yokohama"}).content.decode()
    assert "変更はありません" in filtered and "①総合特区計画の概要" not in filtered
    assert "①総合特区計画の概要" in client.get(url, {"authority": "kanagawa"}).content.decode()
    edition_page = client.get(reverse("reports:edition_detail", args=["keihin", rolled_over.fiscal_year]))
    assert url in edition_page.content.decode()


def test_a_non_member_is_refused_with_a_message_and_nothing_is_shown(client, rolled_over, people):
    client.force_login(people["outsider"])
    response = client.get(reverse("comparison:changes", args=["keihin", rolled_over.fiscal_year]))
    page = response.content.decode()
    assert response.status_code == 403 and "この評価書を閲覧する権限がありません" in page
    assert "①総合特区計画の概要" not in page


def test_an_edition_of_another_zone_cannot_be_compared(rolled_over, shiomi_edition, people):
    from zoneeval.authorities.rules import Rules

    admin = get_user_model().objects.create_superuser("operator", password="pw-for-tests-123")
    decision = Rules(admin).compare_editions(rolled_over, shiomi_edition)
    assert not decision and "別の総合特区" in decision.reason
    assert Rules(admin).compare_editions(rolled_over, m.Edition.objects.get(zone__slug="keihin", fiscal_year=2019))


# ---- two versions of one edition -------------------------------------------------------------------------------

def _assembled(edition) -> AssembledSnapshot:
    payload = to_json(edition_snapshot(edition))
    return AssembledSnapshot.objects.create(edition=edition, content_hash=content_hash(payload), payload=payload)


def test_two_assembled_snapshots_of_one_edition_show_what_changed_between_them(client, rolled_over, people):
    first = _assembled(rolled_over)
    row = m.LocalMeasureRow.objects.filter(edition=rolled_over, owner__slug="yokohama").order_by("order").first()
    data = {"name": row.name, "related_targets": row.related_targets, "result": "<p>横浜市の新しい実績</p>",
            "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all()]}
    drafting.update_item(people["yokohama-drafter"], row, data, row.version)
    second = _assembled(rolled_over)
    client.force_login(people["kawasaki-drafter"])
    url = reverse("comparison:changes", args=["keihin", rolled_over.fiscal_year])
    page = client.get(url, {"old": f"s{first.pk}", "new": f"s{second.pk}"}).content.decode()
    assert "変更 1件" in page and "横浜市の新しい実績" in page and "年度により変わる項目" not in page
    assert "別紙4 地域独自の取組（1件" in page
    # the later snapshot and the edition's current state are the same content
    page = client.get(url, {"old": f"s{second.pk}", "new": f"e{rolled_over.pk}"}).content.decode()
    assert "変更はありません" in page
    assert Authority.objects.filter(slug="yokohama").exists()


def test_a_small_edit_in_a_long_text_shows_the_change_with_some_context_not_the_whole_text(sample):
    new = _next_year(sample)
    overview = _parts(new)["part2"]["overview"]
    overview["text"] = overview["text"].replace("グローバル企業", "世界の企業", 1)
    (change,) = compare(sample, new).changes
    (field,) = change.fields
    assert "<del>グローバル</del><ins>世界の</ins>企業" in field.diff
    assert "…" in field.diff and len(field.diff) < len(field.new) / 2
    assert field.new.endswith("取組を行っていく。") and "取組を行っていく。" not in field.diff


def test_every_kind_of_changed_item_links_to_its_own_row_in_the_drafting_ui(edition, sample):
    """Each item the comparison names by a path in the edition's current snapshot resolves to that very item."""
    from zoneeval.comparison.compare import _Collector, authority_names
    from zoneeval.comparison.locate import Locator
    from zoneeval.drafting.registry import kind_of

    snapshot = edition_snapshot(edition, with_derived=False)
    locator = Locator(edition)
    resolved = 0
    for item in _Collector(snapshot, authority_names(snapshot)).collect(False):
        if item.part == "settings" or item.kind in ("indicator", "support", "group"):
            continue
        found = locator.item(item.path)
        assert found is not None, item.path
        registered = kind_of(found)
        values = item.values
        # the row found is the one the path names: its main text is the item's
        field = registered.fields[0]
        if item.kind not in ("year_table", "previous_evaluation", "schedule_item") and field.kind != "bool":
            from zoneeval.comparison.compare import RICH, text_of
            shown = text_of(getattr(found, field.name), RICH if field.kind == "rich" else "line", {})
            assert shown in values.values(), (item.path, shown)
        resolved += 1
    assert resolved > 50
    assert "#item-" in locator.url("annex3", "$.parts.annex3.tax[5]")
    assert "#item-" not in locator.url("annex3", "$.parts.annex3.tax[99]")  # no such row: the section page


def test_the_review_queue_links_each_part_to_its_authoritys_changes_since_last_year(client, rolled_over, people):
    from zoneeval.drafting.models import Part
    from zoneeval.workflow import services as wf

    yokohama = Authority.objects.get(slug="yokohama")
    approver = ensure_user("yokohama-approver", "pw-for-tests-123", authority=yokohama, role=Membership.Role.APPROVER)
    part = Part.objects.get(edition=rolled_over, section="annex4", authority=yokohama)
    wf.submit_for_review(people["yokohama-drafter"], part, part.version)
    client.force_login(approver)
    page = client.get(reverse("workflow:review_queue")).content.decode()
    url = reverse("comparison:changes", args=["keihin", rolled_over.fiscal_year])
    assert f'href="{url}?authority=yokohama"' in page


def test_the_rollover_itself_shows_nothing_until_a_drafter_edits_then_exactly_that(client, edition, people):
    """End to end with the real rollover (workflow/yearly.py, branch i11-yearly: skipped until it is merged)."""
    yearly = pytest.importorskip("zoneeval.workflow.yearly")
    coordinator = ensure_user("coordinator", "pw-for-tests-123", authority=edition.coordinator,
                              role=Membership.Role.COORDINATOR)
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    edition.refresh_from_db()
    yearly.record_national_evaluation(coordinator, edition, {
        "progress_score": "4.0", "support_score": "3.8", "overall_score": "3.9", "result": "概ね順調",
        "comments": "<p>おおむね良好な進捗と判断できる。</p>"})
    new = yearly.roll_over(coordinator, edition)
    url = reverse("comparison:changes", args=["keihin", new.fiscal_year])
    client.force_login(people["kawasaki-drafter"])
    page = client.get(url).content.decode()
    assert "変更はありません" in page  # the year, 2④ (the national evaluation) and the emptied later years, apart
    apart = page.split("年度により変わる項目", 1)[1]
    assert "④前年度の評価結果" in apart and "評価対象年度" in apart and "財政支援措置" in apart
    _edit_overview(people["kanagawa-drafter"], new, "<p>令和2年度の概要</p>")
    page = client.get(url).content.decode()
    assert "変更 1件（追加 0・削除 0・変更 1）" in page and "①総合特区計画の概要" in page


def test_later_years_figures_emptied_in_next_years_edition_are_listed_apart_and_a_typed_one_is_a_change(sample):
    old_year = sample["edition"]["fiscal_year"]
    row = next(r for r in _parts(sample)["annex3"]["fiscal"]
               if any(y["fiscal_year"] > old_year and y["national"] for y in r["years"]))
    new = _next_year(sample)
    new_row = next(r for r in _parts(new)["annex3"]["fiscal"] if r["name"] == row["name"])
    later = [y for y in new_row["years"] if y["fiscal_year"] > old_year]
    for year in later:
        year.update(requested=None, national=None, local=None, stated_total=None)
    result = compare(sample, new)
    assert result.changes == []
    (emptied,) = [c for c in result.year_bound if c.cells]
    assert {c.fiscal_year for c in emptied.cells} == {y["fiscal_year"] for y in later}
    later[0]["national"] = "1000"  # a drafter types next year's figure: a change
    (change,) = compare(sample, new).changes
    assert [(c.fiscal_year, c.new) for c in change.cells] == [(later[0]["fiscal_year"], "1,000")]
    # within one year, emptying a cell is a change
    same_year = copy.deepcopy(new)
    same_year["edition"]["fiscal_year"] = old_year
    assert compare(sample, same_year).changes
