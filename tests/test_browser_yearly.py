"""The yearly-cycle pages in Chromium: the edition page's 国の評価と次年度の評価書 panel and the national evaluation
form (with its errors), as the coordinator, at 1366 and 390 px — axe-core finds nothing, nothing scrolls sideways."""
import json

import pytest
from django.utils import timezone

from tests.browser_support import PASSWORD, WIDTHS, check_view, signed_in_page
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m
from zoneeval.workflow import yearly

from . import test_browser_a11y

pytestmark = pytest.mark.django_db(transaction=True)
browser = test_browser_a11y.browser


def test_yearly_pages_pass_axe_and_fit_a_phone(browser, live_server, edition):
    from zoneeval.drafting.services import ensure_parts

    ensure_parts(edition)
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())
    edition.refresh_from_db()
    coordinator = ensure_user("coordinator", PASSWORD, authority=edition.coordinator, role=Membership.Role.COORDINATOR)
    yearly.record_national_evaluation(coordinator, edition, {
        "progress_score": "4", "overall_score": "3.9", "result": "概ね順調",
        "comments": "<ul><li>おおむね良好な進捗と判断できる。</li></ul>"})
    page = signed_in_page(browser, live_server.url, "coordinator")
    base = f"{live_server.url}/{edition.zone.slug}/{edition.fiscal_year}"
    reports = []

    def bad_form(p):
        p.goto(f"{base}/national-evaluation/")
        p.fill("#id_overall_score", "5.5")
        p.click("main form button.button")
        p.wait_for_load_state()

    for width in WIDTHS:
        reports.append(check_view(page, role="coordinator", name="edition-yearly", width=width, visit=f"{base}/"))
        assert "3.9点" in page.inner_text("#yearly") and "令和2年度の評価書を作成する" in page.inner_text("#yearly")
        reports.append(check_view(page, role="coordinator", name="national-evaluation-error", width=width,
                                  visit=bad_form))
        assert "1〜5の範囲" in page.inner_text("main") and page.input_value("#id_overall_score") == "5.5"
    problems = [r for r in reports if r["violations"] or r["overflow"] or r["template_leaks"]]
    assert not problems, json.dumps(problems, ensure_ascii=False)[:3000]
