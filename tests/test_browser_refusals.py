"""Every refusal of an inline (HTMX) form is visible where the user acted, and what they typed stays (issue 9 §1).

In Debian's Chromium (Playwright) against a live server: an invalid value, a stale save (with the other person's
change), no permission, a frozen edition, a server error and a lost connection, each on a 別紙3 row's form."""

import pytest
from django.utils import timezone

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services as drafting
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def page(live_server, browser_page):
    return browser_page


@pytest.fixture
def row(edition):
    return m.FiscalSupportRow.objects.filter(edition=edition).select_related("owner").order_by("order").first()


@pytest.fixture
def drafter(row):
    return ensure_user(f"{row.owner.slug}-drafter", PASSWORD, authority=row.owner, role="drafter")


def _sign_in_and_open(page, live_server, user, row):
    page.goto(f"{live_server.url}/accounts/login/?next=/keihin/2019/draft/annex3/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    item = page.locator(f"#item-fiscal-row-{row.pk}")
    item.get_by_role("button", name="編集").first.click()
    cell = page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")
    cell.wait_for()
    return item, cell


def _screenshot(page, locator, name):
    """For a person to look at (var/screenshots/ is not committed)."""
    from django.conf import settings

    folder = settings.BASE_DIR / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(folder / f"{name}.png"))


def _save(page, row):
    page.locator(f"#item-fiscal-row-{row.pk} form button[type=submit]").first.click()


def test_an_invalid_value_is_refused_beside_the_field_and_kept(page, live_server, row, drafter):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("abc")
    _save(page, row)
    expect(item.locator(".field-error").first).to_be_visible()
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("abc")
    row.refresh_from_db()
    assert row.version == 1


def test_a_stale_save_shows_the_other_persons_change_and_keeps_the_input(page, live_server, row, drafter):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("123,456")
    other = ensure_user(f"{row.owner.slug}-approver", PASSWORD, authority=row.owner, role="approver")
    state = drafting.item_state(row)
    data = {k: v for k, v in state.items() if ":" not in k}
    data.update({f"y{k.split(':')[0]}_{k.split(':')[1]}": ("" if v is None else v) for k, v in state.items()
                 if ":" in k})
    data["reference_number"] = "99"
    drafting.update_item(other, row, data, row.version)  # somebody else saves first
    _save(page, row)
    expect(item.locator(".conflict")).to_contain_text("他の人が更新しました")
    expect(item.locator(".conflict")).to_contain_text(other.username)
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("123,456")


def test_no_permission_is_shown_above_the_form_and_the_input_stays(page, live_server, row, drafter):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("777")
    Membership.objects.filter(user=drafter, authority=row.owner).delete()  # the role is taken away meanwhile
    Membership.objects.create(user=drafter, authority=None, role="viewer")
    _save(page, row)
    expect(item.locator(".refusal-slot")).to_contain_text("権限がありません")
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("777")
    _screenshot(page, item, "refusal-no-permission")


def test_a_frozen_edition_is_shown_above_the_form_and_the_input_stays(page, live_server, row, drafter, edition):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("888")
    m.Edition.objects.filter(pk=edition.pk).update(submitted_at=timezone.now())  # submitted meanwhile
    _save(page, row)
    expect(item.locator(".refusal-slot")).to_contain_text("提出済みの評価書は変更できません")
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("888")


def test_a_server_error_is_shown_above_the_form_and_the_input_stays(page, live_server, row, drafter, monkeypatch):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("999")

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(drafting, "update_item", broken)
    _save(page, row)
    expect(item.locator(".refusal-slot")).to_contain_text("サーバーでエラーが発生しました")
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("999")


def test_a_lost_connection_is_shown_above_the_form_and_the_input_stays(page, live_server, row, drafter):
    from playwright.sync_api import expect

    item, cell = _sign_in_and_open(page, live_server, drafter, row)
    cell.fill("1,000")
    page.route("**/draft/item/**", lambda route: route.abort("internetdisconnected"))
    _save(page, row)
    expect(item.locator(".refusal-slot")).to_contain_text("サーバーに接続できません")
    expect(page.locator(f"#item-fiscal-row-{row.pk} input[name=y2019_national]")).to_have_value("1,000")
    page.unroute("**/draft/item/**")
    row.refresh_from_db()
    assert row.version == 1


def test_a_new_item_form_refuses_in_place_then_adds_the_item(page, live_server, edition):
    from playwright.sync_api import expect

    owner = m.CoAuthor.objects.filter(edition=edition).select_related("authority").first().authority
    user = ensure_user(f"{owner.slug}-drafter", PASSWORD, authority=owner, role="drafter")
    page.goto(f"{live_server.url}/accounts/login/?next=/keihin/2019/draft/annex4/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.locator("button[hx-get*='local-row']").first.click()
    form = page.locator("article.new-item form")
    form.wait_for()
    form.locator("input[name=name]").fill("取組\u202e名")  # a bidi override: refused by the server
    form.locator("button[type=submit]").click()
    expect(page.locator("article.new-item .field-error").first).to_contain_text("使用できない文字")
    expect(page.locator("article.new-item input[name=name]")).to_have_value("取組\u202e名")
    expect(page).to_have_url(f"{live_server.url}/keihin/2019/draft/annex4/")  # still the page where they acted
    page.locator("article.new-item input[name=name]").fill("ブラウザから追加した取組")
    page.locator("article.new-item form button[type=submit]").click()
    expect(page.locator("article.item", has_text="ブラウザから追加した取組").first).to_be_visible()
    assert m.LocalMeasureRow.objects.filter(edition=edition, name="ブラウザから追加した取組").exists()
