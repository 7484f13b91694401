"""The read-only page of an edition: every part, in Japanese, with its computed figures."""
import re

import pytest
from django.urls import reverse

from zoneeval.reports.templatetags.report_format import rich

pytestmark = pytest.mark.django_db


def _plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"\s+", "", text.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'"))


@pytest.fixture
def viewer(db):
    from zoneeval.authorities.models import Membership
    from zoneeval.authorities.services import ensure_user

    return ensure_user("viewer", "pw-for-tests-123", authority=None, role=Membership.Role.VIEWER)


@pytest.fixture
def page(client, edition, viewer):
    client.force_login(viewer)
    response = client.get(reverse("reports:edition_detail", args=["keihin", 2019]))
    assert response.status_code == 200
    return response.content.decode()


def test_headings_of_every_part_in_order(page):
    headings = ["令和元年度国際戦略総合特別区域評価書", "作成主体の名称：神奈川県、横浜市、川崎市",
                "国際戦略総合特別区域の名称", "総合特区計画の状況", "目標に向けた取組の進捗に関する評価",
                "規制の特例措置を活用した事業等の実績及び自己評価", "財政・税制・金融支援の活用実績及び自己評価",
                "地域独自の取組の状況及び自己評価", "総合評価", "別紙1", "別紙1-2", "別紙2", "別紙3", "別紙4"]
    plain = _plain(page)
    position = 0
    for heading in headings:  # each one after the previous
        found = plain.find(heading, position)
        assert found != -1, f"{heading} missing or out of order"
        position = found + len(heading)


def test_computed_figures_are_shown(page):
    plain = _plain(page)
    for text in ["進捗度103%", "当該年度目標値87億円", "当該年度実績値120億円", "進捗度138%", "寄与度33%",
                 "進捗度68%", "進捗度83%", "進捗度172%", "平成23年12月22日指定", "令和元年7月1日最終認定",
                 "50,666人", "2,554,872", "1,485,549"]:
        assert text in plain, text


def test_disagreements_of_the_reference_are_visible(page):
    plain = _plain(page)
    assert "104" in plain and "19,664,872" in plain
    assert page.count("disagree") >= 2


def test_every_stored_text_is_on_the_page(page, sample):
    plain = _plain(page)
    texts = []

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "overview", "usage", "independence", "proposal", "result", "self_evaluation",
                           "approach", "basis", "remarks", "finding", "response") and isinstance(value, str):
                    texts.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(sample["parts"])
    # As shown: bullets typed as text are drawn by the list (report_format.rich), the words are all there.
    shown = [_plain(rich(t)) for t in texts]
    missing = [t[:40] for t, s in zip(texts, shown) if s and s not in plain]
    assert missing == []


def test_every_authority_name_of_annex4_rows(page, sample):
    names = {a["slug"]: a["name"] for a in sample["authorities"]}
    for table in ("fiscal", "financial", "tax", "other"):
        for row in sample["parts"]["annex4"][table]:
            for slug in row["authorities"]:
                assert names[slug] in page


def test_list_links_to_the_edition(client, edition, viewer):
    client.force_login(viewer)
    response = client.get(reverse("reports:edition_list"))
    assert response.status_code == 200
    assert reverse("reports:edition_detail", args=["keihin", 2019]) in response.content.decode()


def test_missing_edition_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/keihin/2030/").status_code == 404


def test_admin_lists_zones_authorities_and_users(admin_client, edition):
    for url in ("/admin/reports/zone/", "/admin/authorities/authority/", "/admin/auth/user/",
                "/admin/reports/edition/"):
        assert admin_client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_sign_in_and_outsiders_are_refused(client, edition):
    from django.contrib.auth import get_user_model

    url = reverse("reports:edition_detail", args=["keihin", 2019])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(get_user_model().objects.create_user("stranger", password="pw-for-tests-123"))
    assert client.get(url).status_code == 403
    assert "keihin" not in client.get(reverse("reports:edition_list")).content.decode()
