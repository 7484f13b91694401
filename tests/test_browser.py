"""Clicking through drafting in a real browser (Debian's Chromium driven by Playwright) against a live server."""

import pytest

from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db(transaction=True)



def test_yokohama_drafter_edits_a_row_in_the_browser(live_server, edition, browser_page, tmp_path):
    from playwright.sync_api import expect

    yokohama = m.CoAuthor.objects.get(edition=edition, authority__slug="yokohama").authority
    ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role="drafter")
    own = m.LocalMeasureRow.objects.filter(edition=edition, owner=yokohama, table="fiscal").order_by("order").first()
    other = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="kawasaki").order_by("order").first()
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/keihin/2019/draft/annex4/")
    page.fill("#id_username", "yokohama-drafter")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("form button[type=submit]")
    expect(page.locator("h1.page-title")).to_contain_text("別紙4")
    expect(page.locator(f"#item-local-row-{other.pk}")).to_contain_text("閲覧のみ")
    row = page.locator(f"#item-local-row-{own.pk}")
    row.get_by_role("button", name="編集").click()  # HTMX swaps the form in
    # Rich text is edited in the editor (tests/test_browser_editor.py), not as HTML in the textarea.
    editor = page.locator(f"#item-local-row-{own.pk} .form-row:has(textarea[name=result]) .ProseMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("令和元年度交付実績２１件（ブラウザから）")
    page.locator(f"#item-local-row-{own.pk} button[type=submit]").click()
    expect(page.locator(f"#item-local-row-{own.pk} .ProseMirror")).to_have_count(0)  # saved: the row is back
    expect(page.locator(f"#item-local-row-{own.pk}")).to_contain_text("令和元年度交付実績２１件（ブラウザから）")
    page.screenshot(path=str(tmp_path / "drafting.png"), full_page=False)
    own.refresh_from_db()
    assert own.result == "<p>令和元年度交付実績２１件（ブラウザから）</p>" and own.version == 2
    # README's demo step 1, on the same page: the part's panel followed the edit, so 審査を依頼 is not stale
    from zoneeval.drafting.models import Part

    part = Part.objects.get(edition=edition, section="annex4", authority=yokohama)
    page.locator(f"#part-{part.pk}").get_by_role("button", name="審査を依頼").click()
    expect(page.locator(f"#part-{part.pk}")).to_contain_text("審査中")
    part.refresh_from_db()
    assert part.state == "in_review"
