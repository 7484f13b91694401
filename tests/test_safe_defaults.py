"""Safe defaults: Japanese 403/404/500 pages in the site's layout (a refusal says why and what to do, HTMX gets a
fragment), a Content-Security-Policy with no inline script or style anywhere in the templates or the pages."""
import re

import pytest
from django.urls import reverse

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting.models import Part
from zoneeval.reports import models as m

from .conftest import ROOT

pytestmark = pytest.mark.django_db

LAYOUT = '<header class="site-header">'


@pytest.fixture
def drafter(client, edition):
    yokohama = m.CoAuthor.objects.get(edition=edition, authority__slug="yokohama").authority
    user = ensure_user("yokohama-drafter", "pw-for-tests-123", authority=yokohama, role=Membership.Role.DRAFTER)
    client.force_login(user)
    return user


# ---- refusals --------------------------------------------------------------------------------------------------

def test_a_permission_denied_anywhere_is_a_page_with_the_layout_the_reason_and_what_to_do(client, drafter):
    response = client.post(reverse("assembly:start", args=["keihin", 2019]))
    body = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in body and '<html lang="ja">' in body
    assert "取りまとめ・PDF作成は取りまとめ自治体の取りまとめ担当だけが実行できます。" in body  # the reason
    assert "取りまとめ担当者に役割の付与を依頼" in body and reverse("reports:edition_list") in body  # what to do


def test_a_refused_workflow_action_is_the_same_page_not_a_bare_sentence(client, edition, drafter):
    from zoneeval.drafting.services import ensure_parts

    ensure_parts(edition)
    part = Part.objects.get(edition=edition, authority__slug="yokohama", section="annex4")
    response = client.post(reverse("workflow:part_action", args=[part.pk, "approve"]), {"version": part.version},
                           HTTP_REFERER="http://testserver/keihin/2019/draft/annex4/")
    body = response.content.decode()
    assert response.status_code == 403 and LAYOUT in body and 'class="refusal"' in body
    assert 'href="http://testserver/keihin/2019/draft/annex4/"' in body  # back to where the user was


def test_htmx_gets_the_refusal_as_a_fragment(client, edition, drafter):
    from zoneeval.drafting.services import ensure_parts

    ensure_parts(edition)
    part = Part.objects.get(edition=edition, authority__slug="yokohama", section="annex4")
    response = client.post(reverse("workflow:part_action", args=[part.pk, "approve"]), {"version": part.version},
                           headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 403 and 'class="refusal"' in body and "<html" not in body
    raised = client.post(reverse("assembly:start", args=["keihin", 2019]), headers={"HX-Request": "true"})
    assert raised.status_code == 403 and "<html" not in raised.content.decode()
    assert "取りまとめ自治体の取りまとめ担当だけ" in raised.content.decode()


def test_a_stale_delete_is_a_409_page_and_an_outside_referer_is_no_back_link(client, edition, drafter):
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").first()
    response = client.post(reverse("drafting:item_delete", args=["local-row", row.pk]), {"version": row.version - 1},
                           HTTP_REFERER="https://evil.example/phish")
    body = response.content.decode()
    assert response.status_code == 409 and LAYOUT in body and "他の人が更新しました" in body
    assert "読み込み直して" in body and "evil.example" not in body
    assert m.LocalMeasureRow.objects.filter(pk=row.pk).exists()


# ---- 404 and 500 -----------------------------------------------------------------------------------------------

def test_404_is_a_japanese_page_in_the_layout_without_the_url_routes(client, drafter):
    response = client.get("/no-such-page/at-all/")
    body = response.content.decode()
    assert response.status_code == 404 and LAYOUT in body and "ページが見つかりません" in body
    assert "URLconf" not in body and "admin/" not in body


def test_500_is_a_japanese_page_that_shows_nothing_of_the_settings(client, drafter, monkeypatch):
    from zoneeval.reports import views

    def broken():
        raise RuntimeError("postgres://postgres:hunter2@db.internal/zoneeval")

    monkeypatch.setattr(views, "list_editions", broken)
    client.raise_request_exception = False
    response = client.get(reverse("reports:edition_list"))
    body = response.content.decode()
    assert response.status_code == 500 and "エラーが発生しました" in body and 'class="site-header"' in body
    assert "hunter2" not in body and "DATABASE" not in body and "Traceback" not in body


def test_500_page_needs_no_database(rf, django_assert_num_queries):
    from zoneeval.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500 and "管理者に日時と操作を連絡" in response.content.decode()


# ---- Content-Security-Policy -----------------------------------------------------------------------------------

def test_pages_carry_a_content_security_policy_without_inline_script_or_style(client, drafter):
    response = client.get(reverse("reports:edition_detail", args=["keihin", 2019]))
    policy = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"] and directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in policy


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx inline code": re.compile(r"\shx-on[:-]|\shx-vars=|js:", re.I),
}


def _inline(text):
    return [name for name, pattern in INLINE.items() if pattern.search(text)]


def test_no_template_has_inline_script_handlers_or_styles():
    found = {}
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "zoneeval").rglob("templates/**/*.html")):
        kinds = _inline(path.read_text(encoding="utf-8"))
        if kinds:
            found[str(path.relative_to(ROOT))] = kinds
    assert found == {}


def test_no_rendered_page_has_inline_script_handlers_or_styles(client, edition, drafter):
    """The pages as served (the web preview of the whole report with its Gantt, drafting, forms, refusals)."""
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").first()
    pages = [reverse("reports:edition_list"), reverse("reports:edition_detail", args=["keihin", 2019]),
             reverse("drafting:dashboard", args=["keihin", 2019]),
             reverse("drafting:section", args=["keihin", 2019, "annex4"]),
             reverse("drafting:section", args=["keihin", 2019, "annex1_2"]),
             reverse("drafting:item_edit", args=["local-row", row.pk]), reverse("workflow:my_work"),
             reverse("login"), "/no-such-page/"]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        kinds = _inline(response.content.decode())
        if kinds:
            found[url] = kinds
    assert found == {}
