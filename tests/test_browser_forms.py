"""Numbers and errors in a real browser (Debian's Chromium, Playwright): 別紙3 amounts read back with separators
and 千円, and an error disappears as soon as the user corrects its box (static/js/forms.js). Screenshots of the
history and audit pages go to the test's tmp folder."""
import os
import re
import shutil
from decimal import Decimal

import pytest

from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db(transaction=True)



def test_an_error_disappears_when_the_user_corrects_the_box(live_server, edition, browser_page, tmp_path):
    from playwright.sync_api import expect

    kanagawa = m.CoAuthor.objects.get(edition=edition, authority__slug="kanagawa").authority
    ensure_user("kanagawa-drafter", "pw-for-tests-123", authority=kanagawa, role="drafter")
    row = m.FiscalSupportRow.objects.filter(edition=edition, owner=kanagawa).order_by("order").last()
    row.years.update_or_create(fiscal_year=2019, defaults={"requested": Decimal("1200.0000")})
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/keihin/2019/draft/annex3/")
    page.fill("#id_username", "kanagawa-drafter")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("form button[type=submit]")
    item = page.locator(f"#item-fiscal-row-{row.pk}")
    item.get_by_role("button", name=re.compile("^編集")).first.click()  # HTMX swaps the form in
    requested = page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_requested]")
    expect(requested).to_have_value("1,200")
    expect(page.locator(f"#item-fiscal-row-{row.pk} .year-grid thead")).to_contain_text("財政支援要望（千円）")

    national = page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")
    national.fill("百万")
    page.locator(f"#item-fiscal-row-{row.pk} button[type=submit]").click()
    national = page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")
    error = page.locator("#id_y2019_national-error")
    expect(error).to_contain_text("数値を入力してください")
    expect(national).to_have_attribute("aria-describedby", "id_y2019_national-error")
    expect(national).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(tmp_path / "error-shown.png"))

    national.fill("")
    national.press_sequentially("１，２００")
    expect(error).to_have_count(0)
    assert national.get_attribute("aria-describedby") is None and national.get_attribute("aria-invalid") is None
    cell = page.locator(f"#item-fiscal-row-{row.pk} td:has(input[name=y2019_national])")
    expect(cell).not_to_have_class(re.compile("has-error"))
    expect(national).to_have_value("１，２００")  # what was typed stays
    page.screenshot(path=str(tmp_path / "error-cleared.png"))

    page.locator(f"#item-fiscal-row-{row.pk} button[type=submit]").click()
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_count(0)
    assert row.years.get(fiscal_year=2019).national == 1200

    part_id = row_part_id(row)
    _more_history(row, part_id)
    for name, path in (("history", f"/draft/part/{part_id}/history/"), ("audit", "/keihin/2019/audit/")):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        body = page.locator("body").inner_text()
        assert "<p>" not in body and "{'" not in body and "edit_update" not in body
        assert re.search(r"令和\S+年\d+月\d+日 \d\d:\d\d", body)
    if os.environ.get("ZONEEVAL_SHOTS"):
        shutil.copytree(tmp_path, os.environ["ZONEEVAL_SHOTS"], dirs_exist_ok=True)


def row_part_id(row):
    from zoneeval.drafting.models import Part

    return Part.objects.get(edition=row.edition, section="annex3", authority=row.owner).pk


def _more_history(row, part_id):
    """A rich-text edit, a review request and a comment: the audit page then shows each kind of entry."""
    from django.contrib.auth import get_user_model

    from zoneeval.drafting import services as drafting
    from zoneeval.drafting.models import Part
    from zoneeval.workflow import services as wf

    user = get_user_model().objects.get(username="kanagawa-drafter")
    row.refresh_from_db()
    data = drafting.item_state(row)
    data = {(f"y{k.replace(':', '_')}" if ":" in k else k): v for k, v in data.items()}
    data["remarks"] = "<p>一つ目の段落</p><ul><li>箇条書きの項目</li></ul>"
    drafting.update_item(user, row, data, row.version)
    part = Part.objects.get(pk=part_id)
    wf.submit_for_review(user, part, part.version)
    wf.add_comment(user, part, "長めのコメントです。コメント欄が一文字幅に潰れないことを確認します。")
