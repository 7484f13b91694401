"""Accessibility (JIS X 8341-3:2016 AA = WCAG 2.1 AA) and phones (390 px) on every page type, for every role.

axe-core runs on each page view with the WCAG 2.0/2.1 A and AA tags and must find nothing; at 390 px no page may be
wider than the screen (wide tables scroll inside their own box). Screenshots of every view go to var/screenshots/.
"""
import json

import pytest

from tests.browser_support import PASSWORD, WIDTHS, check_view, launch, signed_in_page, sync_playwright
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = {
    "drafter": ("kawasaki-drafter", "kawasaki", "drafter"),  # kawasaki owns rows in 別紙3 and 別紙4
    "approver": ("kawasaki-approver", "kawasaki", "approver"),
    "coordinator": ("coordinator", None, "coordinator"),
    "viewer": ("viewer", None, "viewer"),
}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:  # tests/browser_support.py: Django's settings around Playwright
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, edition):
    """The sample edition with its parts, a finished assembly run with findings, and one user of each role."""
    from zoneeval.assembly.models import AssemblyRun
    from zoneeval.drafting.models import Part
    from zoneeval.drafting.services import ensure_parts, update_item
    from zoneeval.workflow.services import add_comment

    ensure_parts(edition)
    users = {}
    for role, (username, authority_slug, membership) in ROLES.items():
        if authority_slug:
            authority = m.CoAuthor.objects.get(edition=edition, authority__slug=authority_slug).authority
        elif membership == "coordinator":
            authority = edition.coordinator
        else:
            authority = None
        users[role] = ensure_user(username, PASSWORD, authority=authority, role=membership)
    run = AssemblyRun.objects.create(
        edition=edition, requested_by=users["coordinator"], status="succeeded", stage="done", percent=100,
        timings={"assemble": 0.05, "validate": 0.03, "render": 7.5}, error_count=1, warning_count=1,
        findings=[{"severity": "error", "anchor": "annex-3", "message": "別紙3の累計が一致しません", "owner": "yokohama"},
                  {"severity": "warning", "anchor": "annex-1", "message": "進捗度の記載が計算と異なります", "owner": ""}])
    base = f"/{edition.zone.slug}/{edition.fiscal_year}"
    part = Part.objects.get(edition=edition, authority__slug="kawasaki", section="annex4")
    # An assembled snapshot before the edit below: the page of what changed has one change to show.
    from zoneeval.assembly.models import AssembledSnapshot
    from zoneeval.assembly.services import content_hash
    from zoneeval.reports.interchange.export import edition_snapshot, to_json

    payload = to_json(edition_snapshot(edition))
    snapshot = AssembledSnapshot.objects.create(edition=edition, content_hash=content_hash(payload), payload=payload)
    # Something in the history, the audit logs and the comments: an edit, a review request, a comment.
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="kawasaki").order_by("order").first()
    update_item(users["drafter"], row, {"result": "<p>令和元年度の実績（ブラウザ試験）</p>"}, row.version)
    part.refresh_from_db()
    add_comment(users["drafter"], part, "数値の出典を確認してください。")
    target = m.NumericalTarget.objects.filter(indicator__edition=edition).order_by("pk").first()
    return {"url": live_server.url, "base": base, "users": users, "part": part, "target": target, "run": run,
            "edition": edition, "snapshot": snapshot}


EDIT_BUTTON = "button[hx-get*='/draft/item/']"


def open_edit_form(section_url):
    """Open the section page and press 編集 on a row the user may change, one with a year grid where there is one
    (HTMX swaps the form in)."""
    def visit(page):
        page.goto(section_url)
        rows = page.locator("article.item.editable:has(table.grid)")
        if not rows.count():
            rows = page.locator("article.item.editable")
        rows.first.locator(EDIT_BUTTON).click()
        page.locator("article.item.editing form").first.wait_for()
    return visit


def page_views(site, role):
    url, base = site["url"], site["base"]
    views = [
        ("edition-list", f"{url}/"),
        ("edition", f"{url}{base}/"),
        ("dashboard", f"{url}{base}/draft/"),
        ("section-annex4", f"{url}{base}/draft/annex4/"),
        ("section-annex3", f"{url}{base}/draft/annex3/"),
        ("section-targets", f"{url}{base}/draft/targets/"),
        ("target-years", f"{url}/draft/target/{site['target'].pk}/years/"),
        ("history", f"{url}/draft/part/{site['part'].pk}/history/"),
        ("part-audit", f"{url}/workflow/part/{site['part'].pk}/audit/"),
        ("edition-audit", f"{url}{base}/audit/"),
        ("my-work", f"{url}/my-work/"),
        ("password-change", f"{url}/accounts/password_change/"),
        ("not-found", f"{url}/no-such-page/"),
        ("run-status", f"{url}{base}/assembly/{site['run'].pk}/"),
        ("changes", f"{url}{base}/changes/?old=s{site['snapshot'].pk}"),
        ("archive", f"{url}/{base.strip('/').split('/')[0]}/archive/"),  # the viewer gets the refusal page
        ("workbook", f"{url}{base}/workbook/"),
    ]
    if role == "coordinator":
        views.append(("members", f"{url}{base}/members/"))
    else:
        views.append(("refusal", f"{url}{base}/members/"))  # only coordinators manage members
    if role != "viewer":
        views.append(("edit-annex4", open_edit_form(f"{url}{base}/draft/annex4/")))
        views.append(("edit-annex3", open_edit_form(f"{url}{base}/draft/annex3/")))
    return views


def assert_clean(reports):
    problems = []
    for r in reports:
        if r["violations"]:
            problems.append(f"{r['view']}: axe " + json.dumps(r["violations"], ensure_ascii=False)[:1500])
        if r["template_leaks"]:
            problems.append(f"{r['view']}: template syntax shown as text: {r['template_leaks']}")
        if r["view"].endswith("-390") and r["overflow"]:
            problems.append(f"{r['view']}: {r['overflow']}px wider than the screen: {r['sticking_out']}")
        if r.get("squeezed"):
            problems.append(f"{r['view']}: buttons squeezed onto more than two lines: {r['squeezed']}")
    slowest = sorted(reports, key=lambda r: -r["seconds"])[:5]
    print("slowest views:", [(r["view"], r["seconds"]) for r in slowest])
    count = sum(len(v["nodes"]) for r in reports for v in r["violations"])
    assert not problems, f"{count} violating nodes on {len(reports)} views\n" + "\n".join(problems)


def test_every_page_type_passes_axe_and_fits_a_phone_for_every_role(browser, site):
    """One test for all roles: the edition is loaded once (the run stays within a few minutes)."""
    reports = []
    for role in ROLES:
        page = signed_in_page(browser, site["url"], site["users"][role].username)
        try:
            for name, visit in page_views(site, role):
                for width in WIDTHS:
                    reports.append(check_view(page, role=role, name=name, width=width, visit=visit))
        finally:
            page.context.close()
    assert_clean(reports)


def test_the_login_page_passes_axe_and_fits_a_phone(browser, site):
    page = signed_in_page(browser, site["url"], None)
    try:
        reports = [check_view(page, role="anonymous", name="login", width=width,
                              visit=f"{site['url']}/accounts/login/") for width in WIDTHS]
    finally:
        page.context.close()
    assert_clean(reports)


def test_focus_moves_into_the_form_that_edit_opens_and_row_buttons_name_their_row(browser, site):
    page = signed_in_page(browser, site["url"], site["users"]["drafter"].username)
    try:
        page.goto(f"{site['url']}{site['base']}/draft/annex4/")
        row = page.locator("article.item.editable").first
        label = row.locator(".item-label").inner_text().strip()
        button = row.get_by_role("button", name=f"編集：{label}")
        button.click()
        page.locator("article.item.editing form").first.wait_for()
        # the focus lands on the form's first field (a rich-text field's editor once it has started)
        focused = page.wait_for_function(
            "() => !!document.activeElement.closest('article.item.editing') && document.activeElement.matches("
            "'input:not([type=hidden]), textarea, select, [contenteditable=true]')", timeout=5000)
        assert focused, "after 編集 the focus must be on the form's first field"
    finally:
        page.context.close()


def test_removing_a_member_asks_first_and_cancel_keeps_the_role(browser, site):
    from zoneeval.authorities.models import Membership

    kanagawa = site["edition"].coordinator
    ensure_user("kanagawa-helper", PASSWORD, authority=kanagawa, role="drafter")
    page = signed_in_page(browser, site["url"], site["users"]["coordinator"].username)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{site['url']}{site['base']}/members/")
        page.get_by_role("button", name="外す：kanagawa-helper", exact=False).click()
        page.wait_for_timeout(300)
        assert dialogs and "kanagawa-helper" in dialogs[0]
        assert Membership.objects.filter(user__username="kanagawa-helper").exists()
    finally:
        page.context.close()


def test_skip_link_leads_to_the_main_content(browser, site):
    page = signed_in_page(browser, site["url"], site["users"]["viewer"].username)
    try:
        page.goto(f"{site['url']}/")
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.hash]")
        assert focused[0] == "本文へ移動" and focused[1] == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
    finally:
        page.context.close()


def test_on_a_phone_the_menu_collapses_and_opens_without_sideways_scrolling(browser, site):
    from tests.browser_support import horizontal_overflow, run_axe, screenshot

    page = signed_in_page(browser, site["url"], site["users"]["coordinator"].username)
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(f"{site['url']}/my-work/")
        logout = page.get_by_role("button", name="ログアウト")
        assert not logout.is_visible()  # collapsed behind メニュー
        page.locator("summary.site-menu-toggle").click()
        assert logout.is_visible() and page.get_by_role("link", name="わたしの作業").is_visible()
        box = logout.bounding_box()
        assert box["height"] < 40  # 「ログアウト」 on one line, not 「ログアウ/ト」
        assert horizontal_overflow(page) == 0 and run_axe(page) == []
        screenshot(page, "coordinator", "menu-open", 390)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{site['url']}/my-work/")
        assert page.get_by_role("button", name="ログアウト").is_visible()  # wide screens: always shown
        assert not page.locator("summary.site-menu-toggle").is_visible()
    finally:
        page.context.close()
