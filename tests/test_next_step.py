"""Issue 9, points 3 and 4: my-work leads every role, the review queue approves several at once, actions confirm and
return, buttons that cannot be used say why, lost sign-offs and stale output are marked."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import test_workflow
from tests.test_workflow import _edit_local_row, _fast_render, _fix_reference_disagreements, _part
from zoneeval.assembly import services as assembly_services
from zoneeval.drafting.models import Part
from zoneeval.reports.era import date_label
from zoneeval.workflow import services as wf
from zoneeval.workflow.selectors import my_work, my_work_count

pytestmark = pytest.mark.django_db
artefacts, people = test_workflow.artefacts, test_workflow.people  # the fixtures of the workflow tests


def _approve_everything(edition, people):
    for part in Part.objects.filter(edition=edition).exclude(state="approved").select_related("authority"):
        slug = part.authority.slug
        if part.state != "in_review":
            wf.submit_for_review(people[f"{slug}-drafter"], part, part.version)
            part.refresh_from_db()
        wf.approve(people[f"{slug}-approver"], part, part.version)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _steps(user):
    return [(s["kind"], s["actionable"]) for s in my_work(user)["steps"]]


def test_my_work_leads_every_role_with_its_deadline(client, edition, people, monkeypatch):
    _fast_render(monkeypatch)
    today = timezone.localdate()
    edition.drafting_due = today - datetime.timedelta(days=1)
    edition.review_due = today + datetime.timedelta(days=3)
    edition.signoff_due = today + datetime.timedelta(days=10)
    edition.save()
    yokohama_parts = list(Part.objects.filter(edition=edition, authority__slug="yokohama"))
    assert yokohama_parts and all(p.state == "draft" for p in yokohama_parts)

    # a drafter whose parts are all 下書き: each of them, with the (overdue) drafting deadline
    drafter = people["yokohama-drafter"]
    work = my_work(drafter)
    assert [i["part"].pk for i in work["to_draft"]] == [p.pk for p in sorted(
        yokohama_parts, key=lambda p: (p.section, p.authority.name))]
    assert work["total"] == len(yokohama_parts) and my_work_count(drafter) == len(yokohama_parts)
    page = _page(client, drafter, reverse("workflow:my_work"))
    assert f"わたしの作業（{len(yokohama_parts)}件）" in page and "起草期限 " + date_label(today) not in page
    assert f"起草期限 {date_label(edition.drafting_due)}" in page and "期限超過" in page
    assert "（川崎市）" not in page.split("未解決のコメント")[0]

    # an approver: the part in review, with the review deadline, and the queue
    part = _part(edition, "annex4", "yokohama")
    wf.submit_for_review(drafter, part, part.version)
    page = _page(client, people["yokohama-approver"], reverse("workflow:my_work"))
    assert "別紙4 地域独自の取組（横浜市）" in page and f"審査期限 {date_label(edition.review_due)}" in page
    assert reverse("workflow:review_queue") in page

    # the zone coordinator: the edition's next step in each state, with where it is done
    coordinator = people["coordinator"]
    assert _steps(coordinator) == [("parts", False)]
    page = _page(client, coordinator, reverse("workflow:my_work"))
    assert "未承認の部分が" in page and reverse("drafting:dashboard", args=["keihin", 2019]) in page
    _approve_everything(edition, people)
    assert _steps(coordinator) == [("assemble", True)]
    page = _page(client, coordinator, reverse("workflow:my_work"))
    assert "取りまとめ・検証・PDF作成を実行してください" in page and "取りまとめを実行する" in page
    run = assembly_services.run_synchronously(edition, coordinator)
    assert run.error_count == 2 and _steps(coordinator) == [("fix", True)]
    step = my_work(coordinator)["steps"][0]
    assert step["who"] == ["神奈川県"] and "エラーが2件" in step["text"]
    assert len(my_work(people["kanagawa-drafter"])["errors"]) == 2  # the owner sees the findings in its parts
    _fix_reference_disagreements(edition, people)
    # the run is now out of date: the coordinator is not told to wait for sign-offs of an old run
    assert my_work(coordinator)["steps"][0]["kind"] == "parts"
    assert all(e["stale"] for e in my_work(people["kanagawa-drafter"])["errors"])
    _approve_everything(edition, people)
    assert _steps(coordinator) == [("assemble", True)]
    run = assembly_services.run_synchronously(edition, coordinator)
    assert _steps(coordinator) == [("signoffs", False)]
    assert my_work(coordinator)["steps"][0]["who"] == ["神奈川県", "横浜市", "川崎市"]
    signer = people["kawasaki-approver"]
    assert [(i["name"], i["due"]) for i in my_work(signer)["to_sign"]] == [("川崎市", edition.signoff_due)]
    for slug in ("kanagawa", "yokohama", "kawasaki"):
        wf.sign_off(people[f"{slug}-approver"], edition, run.snapshot.content_hash)
    assert _steps(coordinator) == [("submit", True)] and my_work_count(coordinator) == 1
    page = _page(client, coordinator, reverse("workflow:my_work"))
    assert "提出してください" in page and "#signoff" in page


def test_the_navigation_count_takes_a_fixed_number_of_queries(edition, people, monkeypatch):
    _fast_render(monkeypatch)
    _approve_everything(edition, people)
    assembly_services.run_synchronously(edition)
    counts = []
    for user in (people["coordinator"], people["kawasaki-approver"], people["yokohama-drafter"]):
        user = type(user).objects.get(pk=user.pk)  # no cached memberships
        with CaptureQueriesContext(connection) as queries:
            my_work_count(user)
        counts.append(len(queries))
    assert max(counts) <= 10, counts


def test_the_review_queue_approves_several_in_one_action_and_says_why_one_was_refused(client, edition, people):
    drafter, approver = people["yokohama-drafter"], people["yokohama-approver"]
    _edit_local_row(approver, edition, "yokohama", "<p>承認者自身の修正</p>")  # the approver authored this one
    _edit_local_row(people["kawasaki-drafter"], edition, "kawasaki", "<p>川崎市の新しい実績</p>")
    parts = list(Part.objects.filter(edition=edition, authority__slug="yokohama").order_by("section"))
    assert len(parts) >= 4
    parts = parts[:3] + [_part(edition, "annex4", "yokohama")] if _part(edition, "annex4", "yokohama") not in parts[:3] \
        else parts[:4]
    for part in parts:
        part.refresh_from_db()
        wf.submit_for_review(drafter, part, part.version)
    kawasaki = _part(edition, "annex4", "kawasaki")
    wf.submit_for_review(people["kawasaki-drafter"], kawasaki, kawasaki.version)
    own = _part(edition, "annex4", "yokohama")
    others = [p for p in parts if p.pk != own.pk][:3]

    # the queue lists what the approver may approve, each with its changes since the last approval
    page = _page(client, people["kawasaki-approver"], reverse("workflow:review_queue"))
    assert "<details" in page and "前回の承認以降の変更（1件）" in page
    assert "川崎市の新しい実績" in re.sub(r"<[^>]+>", "", page)  # the change, readable (drafting/diffs.py)
    page = _page(client, approver, reverse("workflow:review_queue"))
    assert all(f'value="{p.pk}"' in page for p in others) and f'name="part" value="{own.pk}"' not in page

    # one POST: three approved, the one the approver edited refused with the rules' reason
    data = {"part": [str(p.pk) for p in others] + [str(own.pk)]}
    for p in others + [own]:
        p.refresh_from_db()
        data[f"version-{p.pk}"] = str(p.version)
    response = client.post(reverse("workflow:review_queue"), data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("workflow:review_queue")
    assert "3件を承認しました" in page and f"「{own}」は承認できませんでした" in page and "自己承認の禁止" in page
    states = dict(Part.objects.filter(pk__in=[p.pk for p in others + [own]]).values_list("pk", "state"))
    assert [states[p.pk] for p in others] == ["approved"] * 3 and states[own.pk] == "in_review"


def test_an_action_confirms_and_returns_where_the_user_came_from(client, edition, people):
    part = _part(edition, "annex4", "yokohama")
    client.force_login(people["yokohama-drafter"])
    came_from = "http://testserver" + reverse("workflow:my_work")
    response = client.post(reverse("workflow:part_action", args=[part.pk, "submit"]), {"version": part.version},
                           HTTP_REFERER=came_from, follow=True)
    assert response.redirect_chain[0][0] == came_from
    assert f"「{part}」の審査を依頼しました。" in response.content.decode()
    # an outside address is never followed
    part.refresh_from_db()
    client.force_login(people["yokohama-approver"])
    response = client.post(reverse("workflow:part_action", args=[part.pk, "return"]),
                           {"version": part.version, "text": "出典を書いてください", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert response["Location"].endswith(f"#part-{part.pk}")


def test_the_edition_page_says_why_a_button_cannot_be_used_and_marks_stale_output(client, edition, people,
                                                                                   monkeypatch):
    _fast_render(monkeypatch)
    url = reverse("reports:edition_detail", args=["keihin", 2019])
    page = _page(client, people["coordinator"], url)
    assert 'disabled aria-describedby="submit-reason"' in page and "すべての部分が承認されていません。" in page
    page = _page(client, people["yokohama-drafter"], url)
    assert 'disabled aria-describedby="assembly-reason"' in page
    assert "取りまとめ・PDF作成は取りまとめ自治体の取りまとめ担当だけが実行できます。" in page
    _fix_reference_disagreements(edition, people)
    _approve_everything(edition, people)
    run = assembly_services.run_synchronously(edition)
    for slug in ("kanagawa", "yokohama"):
        wf.sign_off(people[f"{slug}-approver"], edition, run.snapshot.content_hash)
    page = _page(client, people["coordinator"], url)
    assert "提出には全作成主体の署名が必要です（未署名: 川崎市）" in page
    page = _page(client, people["yokohama-approver"], url)
    assert "あなたの自治体は既にこの版に署名しています。" in page and "前回の実行" not in page
    page = _page(client, people["kawasaki-approver"], url)
    assert "この版に署名する（承認者）</button>" in page and 'aria-describedby="sign-reason"' not in page

    # an edit afterwards: the sign-offs are lost (whose and why), the run's PDF and findings are out of date
    _edit_local_row(people["kawasaki-drafter"], edition, "kawasaki", "<p>署名後の変更</p>")
    part = _part(edition, "annex4", "kawasaki")
    page = _page(client, people["coordinator"], url)
    assert f"横浜市の署名は「{part}」の編集により無効になりました" in page
    assert f"神奈川県の署名は「{part}」の編集により無効になりました" in page
    assert "前回の実行のPDF（最新の内容ではありません・案）" in page and "この実行の後に内容が変更されました" in page
    status = _page(client, people["coordinator"], reverse("assembly:status", args=["keihin", 2019, run.pk]))
    assert "前回の実行" in status


def test_findings_of_an_out_of_date_run_are_marked(client, edition, people, monkeypatch):
    _fast_render(monkeypatch)
    run = assembly_services.run_synchronously(edition)
    assert run.error_count == 2
    url = reverse("reports:edition_detail", args=["keihin", 2019])
    page = _page(client, people["coordinator"], url)
    assert 'class="tag stale"' not in page and "PDFをダウンロード（案）" in page
    _fix_reference_disagreements(edition, people)
    page = _page(client, people["coordinator"], url)
    findings = page.split('class="findings"')[1].split("</ul>")[0]
    assert findings.count("前回の実行") == 2


def test_findings_link_to_the_edit_form_for_those_who_may_edit_and_targets_carry_their_code(client, edition, people,
                                                                                            monkeypatch):
    from zoneeval.reports import models as m

    _fast_render(monkeypatch)
    run = assembly_services.run_synchronously(edition)
    assert run.error_count == 2
    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(1)-①")
    row = m.FiscalSupportRow.objects.filter(edition=edition).order_by("order", "pk").first()
    url = reverse("reports:edition_detail", args=["keihin", 2019])
    target_link = reverse("drafting:section", args=["keihin", 2019, "targets"]) + \
        f"?edit=target-{target.pk}#item-target-{target.pk}"
    row_link = reverse("drafting:section", args=["keihin", 2019, "annex3"]) + \
        f"?edit=fiscal-row-{row.pk}#item-fiscal-row-{row.pk}"
    page = _page(client, people["kanagawa-drafter"], url)  # the owner of both items
    assert target_link in page and row_link in page and "修正する" in page
    page = _page(client, people["kawasaki-drafter"], url)  # may not edit them: no link
    assert target_link not in page and row_link not in page
    # the section page names the target by its code, as the finding does
    page = _page(client, people["kanagawa-drafter"], target_link)
    assert f"数値目標(1)-① {target.title}" in page and f'id="item-target-{target.pk}"' in page
    assert "js/next.js" in page
