"""The yearly cycle (issue 11, points 2 and 3): the national evaluation of a submitted edition, recorded by the zone
coordinator, and next year's edition rolled over from it — over HTTP and by the command, for a Reiwa and a Heisei
zone. The submitted edition stays exactly as submitted (its snapshot hash)."""
import copy
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m
from zoneeval.reports.content import edition_models
from zoneeval.reports.era import fiscal_year_label
from zoneeval.reports.interchange.checks import ImportRefused
from zoneeval.reports.interchange.export import edition_snapshot, export_document, to_json
from zoneeval.reports.interchange.importer import import_document, import_json
from zoneeval.reports.selectors import get_edition, national_scores
from zoneeval.workflow import yearly
from zoneeval.workflow.models import AuditEntry
from zoneeval.workflow.services import current_hash

from . import test_workflow

pytestmark = pytest.mark.django_db

# the fixtures of the workflow tests: users of every co-author, and the FY2019 sample through the cycle to submission
artefacts, people, submitted = test_workflow.artefacts, test_workflow.people, test_workflow.submitted

COMMENTS = "<ul><li>おおむね良好な進捗と判断できる。</li><li>支援措置の活用がさらに期待される。</li></ul>"


def _texts(edition) -> dict:
    """Every passage of an edition by (slot, order, owner)."""
    return {(p.slot, p.order, p.owner.slug): p.text for p in m.Passage.objects.filter(edition=edition)
            .select_related("owner")}


def _actuals(edition) -> dict:
    """Every 実績値 cell: (target code, fiscal year, authority) → value."""
    return {(a.target_year.target.code, a.target_year.fiscal_year, a.authority.slug): a.value for a in m.ActualFigure.objects.filter(
        target_year__target__indicator__edition=edition).select_related("target_year__target", "authority")}


def _mark_submitted(edition):
    """A sample edition as submitted, without the cycle (the refusal and Heisei tests need only the state)."""
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    edition.refresh_from_db()
    return edition


def test_national_evaluation_then_rollover_over_http(client, submitted, people):
    edition = submitted
    hash_before, submitted_at = current_hash(edition), edition.submitted_at
    texts_2019, actuals_2019 = _texts(edition), _actuals(edition)
    assert actuals_2019 and max(fy for _, fy, _ in actuals_2019) == edition.fiscal_year
    page = reverse("workflow:national_evaluation", args=["keihin", 2019])
    form = {"progress_score": "4.0", "support_score": "３．８", "overall_score": "3.9", "result": "概ね順調",
            "comments": COMMENTS, "version": "0"}

    # a non-coordinator is refused (form and POST), with the reason
    client.force_login(people["kanagawa-approver"])
    refused = client.post(page, form)
    assert refused.status_code == 403 and "取りまとめ担当だけが記録できます" in refused.content.decode()
    assert client.get(page).status_code == 403
    assert not m.NationalEvaluation.objects.exists()

    # the coordinator: bad values come back on the form, in Japanese, with what was typed
    client.force_login(people["coordinator"])
    bad = client.post(page, form | {"overall_score": "5.5", "progress_score": "abc", "support_score": "3.95"})
    body = bad.content.decode()
    assert bad.status_code == 422 and "5.5" in body and "abc" in body
    assert "1〜5の範囲" in body and "数値（例 3.9）で入力してください" in body and "小数第1位まで" in body
    assert not m.NationalEvaluation.objects.exists()

    # recorded on the submitted (frozen) edition: outside its frozen content, audited
    done = client.post(page, form)
    assert done.status_code == 302, done.content.decode()
    evaluation = m.NationalEvaluation.objects.get(edition=edition)
    assert (evaluation.progress_score, evaluation.support_score, evaluation.overall_score) == (
        Decimal("4.0"), Decimal("3.8"), Decimal("3.9"))
    assert evaluation.recorded_by == people["coordinator"] and "<li>" in evaluation.comments
    entry = AuditEntry.objects.get(edition=edition, action="national_evaluation")
    assert entry.actor == people["coordinator"] and entry.after["overall_score"] == "3.9"
    assert national_scores(edition.zone) == [(2019, Decimal("3.9"))]
    shown = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    assert "3.9点" in shown and "4.0点" in shown and "概ね順調" in shown
    archive = client.get(reverse("archive:zone", args=["keihin"])).content.decode()  # the year's row in the archive
    year_block = archive[archive.index('id="year-2019"'):]
    assert "3.9点" in year_block and "概ね順調" in year_block and "未登録" not in year_block
    assert client.post(page, form).status_code == 409  # a stale form (version 0) is refused, not saved over
    assert current_hash(edition) == hash_before  # recording it changed nothing of the report
    # outside the frozen content by declaration (no EDITION_PATH), so the freeze triggers do not cover it
    assert m.NationalEvaluation not in edition_models() and "national_evaluation" not in edition_snapshot(edition)
    assert export_document(edition)["national_evaluation"]["overall_score"] == "3.9"

    # rollover: refused to a non-coordinator, done by the coordinator's button
    client.force_login(people["yokohama-approver"])
    assert client.post(reverse("workflow:roll_over", args=["keihin", 2019])).status_code == 403
    assert get_edition("keihin", 2020) is None
    client.force_login(people["coordinator"])
    made = client.post(reverse("workflow:roll_over", args=["keihin", 2019]))
    assert made.status_code == 302 and made.url == reverse("reports:edition_detail", args=["keihin", 2020])
    new = get_edition("keihin", 2020)
    assert new is not None and not new.is_frozen
    assert AuditEntry.objects.filter(edition=new, action="rollover", actor=people["coordinator"]).exists()

    # every part 下書き, the same parts (section × owner) as last year
    parts = Part.objects.filter(edition=new)
    assert {p.state for p in parts} == {Part.State.DRAFT}
    assert {(p.section, p.authority_id) for p in parts} == {
        (p.section, p.authority_id) for p in Part.objects.filter(edition=edition)}
    # last year's texts as drafts, 2④ quoting the national evaluation instead of last year's
    texts_2020 = _texts(new)
    quoted = [k for k in texts_2020 if k[0] == "part2.previous_evaluation"]
    assert len(quoted) == 1 and texts_2020.pop(quoted[0]) == evaluation.comments
    assert texts_2020 == {k: v for k, v in texts_2019.items() if k[0] != "part2.previous_evaluation"}
    assert (new.previous_evaluation_score, new.previous_evaluation_label) == (Decimal("3.9"), "国際戦略総合特区")
    # the actual figures up to FY2019 kept; the FY2020 cells empty; the yearly targets kept
    assert _actuals(new) == actuals_2019
    years_2020 = m.TargetYear.objects.filter(target__indicator__edition=new, fiscal_year=2020)
    assert years_2020.exists() and not m.ActualFigure.objects.filter(target_year__in=years_2020).exists()
    assert sorted(years_2020.values_list("target__code", "target_value")) == sorted(m.TargetYear.objects.filter(
        target__indicator__edition=edition, fiscal_year=2020).values_list("target__code", "target_value"))
    # the new year's page: its year, 2④ in the document's wording
    page_2020 = client.get(reverse("reports:edition_detail", args=["keihin", 2020])).content.decode()
    flat = re.sub(r"\s+", " ", page_2020)
    assert fiscal_year_label(2020) == "令和2年度" and "令和2年度" in flat
    assert "国際戦略総合特区 3.9 点" in flat

    # FY2019 untouched
    edition.refresh_from_db()
    assert current_hash(edition) == hash_before and edition.submitted_at == submitted_at
    assert _texts(edition) == texts_2019 and _actuals(edition) == actuals_2019

    # refused again: FY2020 exists (on the edition page, and by the command)
    again = client.post(reverse("workflow:roll_over", args=["keihin", 2019]), follow=True)
    assert "令和2年度の評価書は既にあります" in again.content.decode()
    with pytest.raises(CommandError, match="令和2年度の評価書は既にあります"):
        call_command("rollover_edition", "--zone", "keihin", "--from-year", "2019")


def test_rollover_refused_when_not_submitted_over_http_and_command(client, edition, people):
    client.force_login(people["coordinator"])
    response = client.post(reverse("workflow:roll_over", args=["keihin", 2019]), follow=True)
    assert "提出済みの評価書からだけ作成できます" in response.content.decode()
    with pytest.raises(CommandError, match="まだ提出されていません"):
        call_command("rollover_edition", "--zone", "keihin", "--from-year", "2019")
    assert get_edition("keihin", 2020) is None
    # the national evaluation is for a submitted edition only
    page = client.post(reverse("workflow:national_evaluation", args=["keihin", 2019]), {"overall_score": "3.9"})
    assert page.status_code == 403 and "提出済みの評価書についてだけ" in page.content.decode()


def test_rollover_past_the_plan_needs_a_new_plan_period(client, sample, people):
    last = sample["edition"]["plan_period"]["last_fiscal_year"]
    sample["edition"]["fiscal_year"] = last  # the plan's last year (令和3年度)
    sample["zone"]["slug"] = "keihin-last"
    source = _mark_submitted(import_document(sample))
    coordinator = ensure_user("coordinator-last", "pw-for-tests-123", authority=source.coordinator,
                              role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(reverse("workflow:roll_over", args=["keihin-last", last]), follow=True)
    expected = f"{fiscal_year_label(last + 1)}の評価書を作るには新しい計画期間"
    assert expected in response.content.decode() and f"{fiscal_year_label(last)}で終わります" in response.content.decode()
    with pytest.raises(CommandError, match=expected):
        call_command("rollover_edition", "--zone", "keihin-last", "--from-year", str(last))
    assert get_edition("keihin-last", last + 1) is None
    # an operator who has the new plan approved extends the period
    call_command("rollover_edition", "--zone", "keihin-last", "--from-year", str(last), "--plan-last-year",
                 str(last + 2))
    new = get_edition("keihin-last", last + 1)
    assert new.plan_last_fiscal_year == last + 2 and source.plan_last_fiscal_year == last
    for target in m.NumericalTarget.objects.filter(indicator__edition=new).exclude(kind="qualitative"):
        years = {y.fiscal_year: y for y in target.years.all()}
        assert set(years) >= {last + 1, last + 2}
        assert years[last + 2].target_value is None and not years[last + 2].actuals.exists()


def test_heisei_zone_rolls_over_by_the_command(client, shiomi_edition):
    source = _mark_submitted(shiomi_edition)
    hash_before = current_hash(source)
    coordinator = ensure_user("shiomi-coordinator", "pw-for-tests-123", authority=source.coordinator,
                              role=Membership.Role.COORDINATOR)
    yearly.record_national_evaluation(coordinator, source, {"overall_score": "４", "comments": "<p>概ね順調</p>"})
    year = source.fiscal_year + 1
    call_command("rollover_edition", "--zone", source.zone.slug, "--from-year", str(source.fiscal_year))
    new = get_edition(source.zone.slug, year)
    assert (fiscal_year_label(source.fiscal_year), fiscal_year_label(year)) == ("平成27年度", "平成28年度")
    snapshot = edition_snapshot(new)
    previous = snapshot["parts"]["part2"]["previous_evaluation"]
    assert previous == {"label": "地域活性化総合特区", "score": "4",
                        "comments": {"owner": snapshot["edition"]["coordinator"], "text": "<p>概ね順調</p>"}}
    client.force_login(coordinator)
    page = re.sub(r"\s+", " ", client.get(reverse("reports:edition_detail", args=[source.zone.slug, year]))
                  .content.decode())
    assert "平成28年度 地域活性化総合特別区域評価書" in page
    assert "地域活性化総合特区 4.0 点" in page  # as published: one decimal
    assert not m.ActualFigure.objects.filter(target_year__target__indicator__edition=new,
                                             target_year__fiscal_year=year).exists()
    assert m.ActualFigure.objects.filter(target_year__target__indicator__edition=new,
                                         target_year__fiscal_year=source.fiscal_year).count() == \
        m.ActualFigure.objects.filter(target_year__target__indicator__edition=source,
                                      target_year__fiscal_year=source.fiscal_year).count() > 0
    assert {p.state for p in Part.objects.filter(edition=new)} == {Part.State.DRAFT}
    assert current_hash(source) == hash_before


def test_national_evaluation_in_the_interchange_format(edition, sample):
    assert "national_evaluation" not in export_document(edition)  # the sample as before: no block
    document = copy.deepcopy(sample)
    document["national_evaluation"] = {"progress_score": "4", "support_score": None, "overall_score": "3.9",
                                       "result": "概ね順調", "comments": COMMENTS}
    loaded = import_document(document, replace=True)
    exported = export_document(loaded)
    assert exported["national_evaluation"] == document["national_evaluation"]
    assert import_json(to_json(exported), replace=True).national_evaluation.overall_score == Decimal("3.9")
    for key, value, where in [("overall_score", "5.5", "overall_score"), ("overall_score", "3.95", "overall_score"),
                              ("colour", "red", "national_evaluation")]:
        bad = copy.deepcopy(document)
        bad["national_evaluation"][key] = value
        with pytest.raises(ImportRefused) as refused:
            import_document(bad, replace=True)
        assert any(p.path.startswith("$.national_evaluation") and (where in p.path or where in p.message or
                   "不明な項目" in p.message) for p in refused.value.problems), refused.value.problems


def test_the_new_year_cells_are_emptied_and_earlier_ones_kept(sample):
    """Figures the source holds for the new year (typed early) do not carry over; the years before do."""
    parts = sample["parts"]
    target = parts["part3"]["indicators"][0]["targets"][0]
    owner = target["owner"]
    for year in target["years"]:
        if year["fiscal_year"] == 2020:
            year["actuals"] = [{"authority": owner, "value": "12"}]
            year["stated_progress"] = 13
    row = parts["annex3"]["fiscal"][0]
    for year in row["years"]:
        if year["fiscal_year"] == 2020:
            year.update(requested="5", national="5", local="6", stated_total="11")
    source = _mark_submitted(import_document(sample))
    kept = {y.fiscal_year: list(y.actuals.values_list("value", flat=True)) for y in m.TargetYear.objects.filter(
        target__indicator__edition=source, target__code=target["code"])}
    assert kept[2020] == [Decimal("12")] and kept[2019]
    call_command("rollover_edition", "--zone", "keihin", "--from-year", "2019")
    new = edition_snapshot(get_edition("keihin", 2020), with_derived=False)
    new_target = new["parts"]["part3"]["indicators"][0]["targets"][0]
    years = {y["fiscal_year"]: y for y in new_target["years"]}
    assert years[2020]["actuals"] == [] and years[2020]["stated_progress"] is None
    assert [Decimal(a["value"]) for a in years[2019]["actuals"]] == kept[2019]
    new_row = {y["fiscal_year"]: y for y in new["parts"]["annex3"]["fiscal"][0]["years"]}
    assert (new_row[2020]["national"], new_row[2020]["local"], new_row[2020]["stated_total"]) == (None, None, None)
    assert {fy: y for fy, y in new_row.items() if fy < 2020} == {
        y["fiscal_year"]: y for y in row["years"] if y["fiscal_year"] < 2020}
    for kind in ("tax", "financial"):  # the count columns run to the new year, the new one empty
        for count_row in new["parts"]["annex3"][kind]:
            assert count_row["years"][-1] == {"fiscal_year": 2020, "count": None}
