"""Accessibility in the markup the server sends (the browser checks are in tests/test_browser_a11y.py): every year-table
cell has a name, the Gantt rows have a text alternative, a run's status opened as a page is a whole page, row buttons
name their row, 外す asks first, and the layout has a skip link, landmarks and no template text shown."""
import re

import pytest
from django.urls import reverse

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.reports import models as m

pytestmark = pytest.mark.django_db


def _login(client, edition, username, authority_slug, role):
    authority = (m.CoAuthor.objects.get(edition=edition, authority__slug=authority_slug).authority
                 if authority_slug else (edition.coordinator if role == Membership.Role.COORDINATOR else None))
    user = ensure_user(username, "pw-for-tests-123", authority=authority, role=role)
    client.force_login(user)
    return user


def _inputs_without_a_name(html: str) -> list[str]:
    labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
    missing = []
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit)"', tag) or "aria-label=" in tag:
            continue
        match = re.search(r'id="([^"]+)"', tag)
        if not match or match.group(1) not in labelled:
            missing.append(tag)
    return missing


def test_every_cell_of_the_year_table_and_the_annex3_grid_has_an_accessible_name(client, edition):
    _login(client, edition, "coord", None, Membership.Role.COORDINATOR)
    target = m.NumericalTarget.objects.filter(indicator__edition=edition, owner=edition.coordinator).first()
    html = client.get(reverse("drafting:target_years", args=[target.pk])).content.decode()
    assert 'name="target_2019"' in html and 'name="actual_2019"' in html
    assert not _inputs_without_a_name(html)
    assert 'aria-label="令和元年度 目標値"' in html
    row = m.FiscalSupportRow.objects.filter(edition=edition, owner=edition.coordinator).first()
    html = client.get(reverse("drafting:item_edit", args=["fiscal-row", row.pk]), headers={"HX-Request": "true"}
                      ).content.decode()
    assert 'name="y2019_national"' in html
    assert not _inputs_without_a_name(html)
    assert 'aria-label="令和元年度 国予算(a)（千円）"' in html  # the unit is part of the name


def test_every_gantt_row_has_a_text_alternative():
    from zoneeval.reports.gantt import _text_alternative

    assert _text_alternative([], []) == "実施期間・マイルストーンの記載なし"
    said = _text_alternative([{"start": "2019-04", "end": "2020-03"}], [{"month": "2019-09", "label": "開所"}])
    assert said == "実施期間 平成31年4月～令和2年3月、マイルストーン 令和元年9月 開所"


def test_the_edition_page_has_no_unnamed_svg_image(client, edition):
    _login(client, edition, "viewer-x", None, Membership.Role.VIEWER)
    html = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert svgs and all(re.search(r'aria-label="[^"]+"', svg) for svg in svgs if 'role="img"' in svg)


def test_a_run_status_opened_as_a_page_is_a_whole_page_and_a_fragment_under_htmx(client, edition):
    from zoneeval.assembly.models import AssemblyRun

    _login(client, edition, "viewer-x", None, Membership.Role.VIEWER)
    run = AssemblyRun.objects.create(edition=edition, status="succeeded", stage="done", percent=100,
                                     findings=[{"severity": "error", "anchor": "annex-3", "message": "不一致",
                                                "owner": ""}], error_count=1)
    url = reverse("assembly:status", args=["keihin", 2019, run.pk])
    page = client.get(url).content.decode()
    assert '<html lang="ja">' in page and re.search(r"<title>[^<]*取りまとめ実行 #%d" % run.pk, page)
    assert "<h1" in page and 'href="/keihin/2019/#annex-3"' in page  # findings lead into the document
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="run-status"' in fragment and 'href="#annex-3"' in fragment


def test_row_buttons_name_their_row_and_destructive_buttons_ask_first(client, edition):
    _login(client, edition, "yokohama-drafter", "yokohama", Membership.Role.DRAFTER)
    html = client.get(reverse("drafting:section", args=["keihin", 2019, "annex4"])).content.decode()
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").order_by("order").first()
    assert re.search(r'aria-label="編集：[^"]+"', html) and re.search(r'aria-label="削除：[^"]+"', html)
    edit_buttons = re.findall(r"<button[^>]*>編集</button>", html)
    assert edit_buttons and all('aria-label="編集：' in b for b in edit_buttons)
    assert f'id="item-local-row-{row.pk}"' in html and 'hx-confirm="「' in html
    client.logout()
    coordinator = _login(client, edition, "coord", None, Membership.Role.COORDINATOR)
    ensure_user("helper", "pw-for-tests-123", authority=edition.coordinator, role=Membership.Role.DRAFTER)
    html = client.get(reverse("workflow:members", args=["keihin", 2019])).content.decode()
    buttons = re.findall(r"<button[^>]*>外す</button>", html)
    assert buttons and all('data-confirm="' in b and "aria-label=" in b for b in buttons), coordinator


def test_the_layout_has_a_skip_link_landmarks_a_collapsible_menu_and_no_template_text(client, edition):
    _login(client, edition, "viewer-x", None, Membership.Role.VIEWER)
    html = client.get(reverse("reports:edition_list")).content.decode()
    body = html[html.index("<body"):]
    assert re.search(r'<a class="skip-link" href="#main">本文へ移動</a>', body)
    assert body.index("skip-link") < body.index("<header") and '<main class="site-main" id="main"' in body
    assert '<details class="site-menu">' in body and '<nav class="user-nav" aria-label="利用者メニュー">' in body
    head = html[:html.index("<body")]
    assert "{#" not in html and "#}" not in html and "htmx: refusals" not in head  # no comment leaks as text
    assert "js/a11y.js" in head
