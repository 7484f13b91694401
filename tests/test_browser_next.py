"""Issue 9, point 3 in a real browser (Debian's Chromium via Playwright): my-work leads the approver to the review
queue, where several parts are opened, checked and approved in one press; a finding's 修正する opens the form."""
import pytest

from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.workflow import services as wf

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("form button[type=submit]")


def test_an_approver_approves_three_parts_in_one_press(live_server, edition, browser_page):
    from playwright.sync_api import expect

    yokohama = edition.coauthors.get(authority__slug="yokohama").authority
    drafter = ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role="drafter")
    ensure_user("yokohama-approver", "pw-for-tests-123", authority=yokohama, role="approver")
    drafting.ensure_parts(edition)
    parts = list(Part.objects.filter(edition=edition, authority=yokohama).order_by("section")[:3])
    for part in parts:
        wf.submit_for_review(drafter, part, part.version)
    page = browser_page
    _login(page, live_server, "yokohama-approver", "/my-work/")
    expect(page.locator("h1.page-title")).to_contain_text("わたしの作業（3件）")
    page.get_by_role("link", name="審査キュー（変更を確認してまとめて承認）").click()
    expect(page.locator("h1.page-title")).to_contain_text("審査キュー（3件）")
    first = page.locator(f"#review-{parts[0].pk} details")
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    for part in parts:
        page.locator(f"#review-{part.pk} input[type=checkbox]").check()
    page.get_by_role("button", name="選んだ部分を承認").click()
    expect(page.locator("ul.messages")).to_contain_text("3件を承認しました")
    expect(page.locator("h1.page-title")).to_contain_text("審査キュー（0件）")
    assert set(Part.objects.filter(pk__in=[p.pk for p in parts]).values_list("state", flat=True)) == {"approved"}


def test_a_findings_fix_link_opens_the_items_form(live_server, edition, browser_page, settings, tmp_path,
                                                  monkeypatch):
    from playwright.sync_api import expect

    from zoneeval.assembly import services as assembly_services
    from zoneeval.assembly.render import RenderResult
    from zoneeval.reports import models as m

    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    monkeypatch.setattr(assembly_services, "render_pdf",
                        lambda snapshot, html=None: RenderResult(pdf=b"%PDF-1.7 stub", pages=1, seconds=0.0))
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces
    kanagawa = edition.coauthors.get(authority__slug="kanagawa").authority
    ensure_user("kanagawa-drafter", "pw-for-tests-123", authority=kanagawa, role="drafter")
    drafting.ensure_parts(edition)
    assembly_services.run_synchronously(edition)
    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(1)-①")
    page = browser_page
    _login(page, live_server, "kanagawa-drafter", "/keihin/2019/")
    page.locator(f"a.finding-edit[href*='edit=target-{target.pk}']").click()
    expect(page.locator(f"#item-target-{target.pk} form")).to_be_visible()


def test_after_an_edit_the_last_runs_pdf_and_findings_are_marked_out_of_date(live_server, edition, browser_page,
                                                                             settings, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from zoneeval.assembly import services as assembly_services
    from zoneeval.assembly.render import RenderResult
    from zoneeval.reports import models as m

    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    monkeypatch.setattr(assembly_services, "render_pdf",
                        lambda snapshot, html=None: RenderResult(pdf=b"%PDF-1.7 stub", pages=1, seconds=0.0))
    monkeypatch.setattr(assembly_services, "render_in_pieces", assembly_services.render_pdf)  # drafts render in pieces
    yokohama = edition.coauthors.get(authority__slug="yokohama").authority
    drafter = ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role="drafter")
    drafting.ensure_parts(edition)
    assembly_services.run_synchronously(edition)
    page = browser_page
    _login(page, live_server, "yokohama-drafter", "/keihin/2019/")
    assembly = page.locator("#assembly")
    expect(assembly).not_to_contain_text("前回の実行")  # the run is of the current content
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner=yokohama).order_by("order").first()
    data = {"name": row.name, "related_targets": row.related_targets, "result": "<p>取りまとめ後の修正</p>",
            "self_evaluation": row.self_evaluation, "authorities": [a.authority.slug for a in row.authority_links.all()]}
    drafting.update_item(drafter, row, data, row.version)
    page.reload()
    expect(assembly).to_contain_text("前回の実行")
    expect(assembly).to_contain_text("最新ではありません")
