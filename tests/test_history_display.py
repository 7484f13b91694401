"""History, audit log and numbers for people (issue 9 points 5 and 6): actions in Japanese, readable before/after
(no tag, no dict, states by their labels, year cells as a table), dates in 和暦 with time in Asia/Tokyo, figures as
typed in meaning (5, 1,200), units beside 別紙3 amounts, errors linked to their boxes."""
import re
from datetime import date, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting.diffs import readable_text
from zoneeval.drafting.models import Part, Revision
from zoneeval.reports import models as m
from zoneeval.reports.input import display_amount
from zoneeval.reports.templatetags.report_format import wareki
from zoneeval.workflow.actions import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parent.parent
UTC = dt_timezone.utc


# ---- 和暦 with time ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("moment, label", [
    (datetime(2019, 11, 29, 4, 19, tzinfo=UTC), "令和元年11月29日 13:19"),  # 04:19 UTC is 13:19 in Tokyo
    (datetime(2019, 4, 30, 14, 59, tzinfo=UTC), "平成31年4月30日 23:59"),  # the last minute of Heisei
    (datetime(2019, 4, 30, 15, 0, tzinfo=UTC), "令和元年5月1日 00:00"),  # midnight in Tokyo: Reiwa, year one
    (datetime(2019, 12, 31, 15, 5, tzinfo=UTC), "令和2年1月1日 00:05"),  # the next calendar year in Tokyo only
    (datetime(1989, 1, 7, 12, 0, tzinfo=UTC), "昭和64年1月7日 21:00"),
    (datetime(1989, 1, 7, 15, 0, tzinfo=UTC), "平成元年1月8日 00:00"),
])
def test_wareki_prints_a_moment_in_tokyo_time_with_the_era_in_force(moment, label):
    assert wareki(moment) == label


def test_wareki_dates_seconds_and_blanks():
    assert wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(datetime(2019, 11, 29, 4, 19, 7, tzinfo=UTC), "seconds") == "令和元年11月29日 13:19:07"
    assert wareki(None) == "" and wareki("") == ""
    rendered = Template('{% load report_format %}{{ at|wareki }}').render(
        Context({"at": datetime(2019, 4, 30, 15, 0, tzinfo=UTC)}))
    assert rendered == "令和元年5月1日 00:00"


def test_no_template_prints_a_date_in_the_western_calendar():
    """Every date or time in the UI goes through |wareki (or |wareki_date): no |date filter is left."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if re.search(r"\|\s*date\b", p.read_text(encoding="utf-8"))]
    assert offenders == []


# ---- action labels --------------------------------------------------------------------------------------------

def _action_codes_in_the_code() -> set[str]:
    """Every action code the code writes into the audit log, found in the source: literal actions of audit() and
    _move() calls, the actions chosen in a dict (signals), and edit_<Revision.Action>."""
    codes, calls = set(), 0
    for path in (ROOT / "zoneeval").rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(?<!def )\b(?:audit|_move)\(([^()]*(?:\([^()]*\)[^()]*)*)\)", src, re.S):
            args = [a.strip() for a in match.group(1).split(",")]
            if len(args) < 3:
                continue
            calls += 1
            action = args[2]
            if re.fullmatch(r'"\w+"', action):
                codes.add(action.strip('"'))
            elif action.startswith('f"edit_{'):
                codes |= {f"edit_{value}" for value in Revision.Action.values}
            elif action == "action":
                pass  # a parameter: its callers' literals are found above, a dict's below
            else:
                raise AssertionError(f"{path.name}: an action the test cannot read: {action}")
        for block in re.findall(r"\baction\s*=\s*\{([^{}]*)\}", src):
            codes |= set(re.findall(r':\s*"(\w+)"', block))
    assert calls >= 10
    return codes


def test_every_action_code_written_by_the_code_has_a_japanese_label():
    codes = _action_codes_in_the_code()
    assert {"approve", "return", "edit_update", "role_granted", "sign_off", "comment_resolved"} <= codes
    assert sorted(codes - set(ACTION_LABELS)) == []
    for code, label in ACTION_LABELS.items():
        assert not re.search(r"[A-Za-z_]", label), (code, label)
    assert action_label("approve") == "承認" and action_label("return") == "差戻し"
    assert action_label("edit_update") == "編集（更新）" and action_label("role_granted") == "役割の付与"


# ---- readable text --------------------------------------------------------------------------------------------

def test_rich_text_reads_as_paragraphs_and_list_items():
    assert readable_text("<p>一つ目</p><p>二つ目&amp;三</p>") == "一つ目\n二つ目&三"
    assert readable_text("<ul><li>項目A</li><li>項目B</li></ul>") == "・項目A\n・項目B"
    assert readable_text("<ol><li>甲</li><li>乙</li></ol><p>行1<br>行2</p>") == "1. 甲\n2. 乙\n行1\n行2"
    assert readable_text("ただの文") == "ただの文"


@pytest.mark.parametrize("value, shown", [
    (Decimal("5.0000"), "5"), (Decimal("1200.0000"), "1,200"), ("1234.5000", "1,234.5"), ("５", "5"),
    (Decimal("-0.5000"), "-0.5"), (1200, "1,200"), ("-", "-"), ("abc", "abc"), (None, ""),
])
def test_a_figure_reads_back_as_typed_in_meaning(value, shown):
    assert display_amount(value) == shown


# ---- pages ----------------------------------------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "title")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


@pytest.fixture
def users(edition):
    made = {}
    for coauthor in edition.coauthors.select_related("authority"):
        a = coauthor.authority
        for role in ("drafter", "approver"):
            made[f"{a.slug}-{role}"] = ensure_user(f"{a.slug}-{role}", "pw-for-tests-123", authority=a, role=role)
    made["coordinator"] = ensure_user("coordinator", "pw-for-tests-123", authority=edition.coordinator,
                                      role=Membership.Role.COORDINATOR)
    return made


def _fiscal_row(edition):
    return m.FiscalSupportRow.objects.filter(edition=edition).order_by("order").last()


def _fiscal_post(row, **cells):
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets,
            "ministry": row.ministry, "reference_number": row.reference_number, "remarks": row.remarks,
            "adjustment_fund_used": "on" if row.adjustment_fund_used else "",
            "cumulative_includes_prior_years": "on" if row.cumulative_includes_prior_years else ""}
    for name in ("requested", "national", "local", "total"):
        value = getattr(row, f"stated_cumulative_{name}")
        data[f"stated_cumulative_{name}"] = "" if value is None else str(value)
    for year in row.years.all():
        for name in ("requested", "national", "local"):
            value = getattr(year, name)
            data[f"y{year.fiscal_year}_{name}"] = "-" if value is None else str(value)
    data.update(cells)
    return data


@pytest.mark.django_db
def test_history_and_audit_log_read_as_text_for_people(client, edition, users):
    from zoneeval.workflow import services as wf

    client.force_login(users["yokohama-drafter"])
    row = m.LocalMeasureRow.objects.filter(edition=edition, owner__slug="yokohama").order_by("order").first()
    data = {"version": row.version, "name": row.name, "related_targets": row.related_targets,
            "result": "<p>交付実績21件</p><ul><li>新しい項目</li></ul>", "self_evaluation": row.self_evaluation,
            "authorities": [link.authority.slug for link in row.authority_links.all()]}
    assert client.post(reverse("drafting:item_edit", args=["local-row", row.pk]), data).status_code == 302
    part = Part.objects.get(edition=edition, section="annex4", authority__slug="yokohama")
    wf.submit_for_review(users["yokohama-drafter"], part, part.version)

    client.force_login(users["kanagawa-drafter"])
    fiscal = _fiscal_row(edition)
    assert client.post(reverse("drafting:item_edit", args=["fiscal-row", fiscal.pk]),
                       _fiscal_post(fiscal, y2019_national="１２３，４５６")).status_code == 302

    history = page_text(client.get(reverse("drafting:part_history", args=[part.pk])).content.decode())
    audit = page_text(client.get(reverse("workflow:edition_audit", args=["keihin", 2019])).content.decode())
    fiscal_part = Revision.objects.filter(item_id=fiscal.pk, item_label=fiscal.name).latest("pk").part
    fiscal_history = page_text(client.get(reverse("drafting:part_history", args=[fiscal_part.pk])).content.decode())
    for text in (history, audit, fiscal_history):
        assert "<p>" not in text and "<li>" not in text and "{'" not in text and "'}" not in text
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # no western dates
        assert re.search(r"令和\S+年\d+月\d+日 \d\d:\d\d", text)
    assert "・新しい項目" in history and "交付実績2" in history
    # the audit log: Japanese actions, states by their labels, no code
    assert "編集（更新）" in audit and "審査依頼" in audit and "下書き → 審査中" in audit
    for code in ("edit_update", "submit_for_review", "in_review", "draft"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", audit), code
    # year cells as a small table with the unit: 令和元年度, 国予算(a)（千円）, old → new with separators
    assert "国予算(a)（千円）" in fiscal_history and "令和元年度" in fiscal_history
    assert "123,456" in fiscal_history and "2019:" not in fiscal_history and "national" not in fiscal_history


@pytest.mark.django_db
def test_members_log_names_the_action_in_japanese(client, edition, users):
    client.force_login(users["coordinator"])
    text = page_text(client.get(reverse("workflow:members", args=["keihin", 2019])).content.decode())
    assert "役割の付与" in text and "role_granted" not in text


# ---- numbers --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_full_width_five_reads_back_as_5_not_5_0000(client, edition, users):
    target = m.NumericalTarget.objects.get(indicator__edition=edition, code="(3)")
    client.force_login(users["yokohama-drafter"])
    url = reverse("drafting:target_years", args=[target.pk])
    assert client.post(url, {"version": target.version, "authority": "yokohama",
                             "actual_2019": "５"}).status_code == 302
    page = client.get(url).content.decode()
    box = re.search(r'<input[^>]*name="actual_2019"[^>]*>', page).group(0)
    assert 'value="5"' in box and "5.0000" not in page


@pytest.mark.django_db
def test_annex3_amounts_show_separators_and_the_unit(client, edition, users):
    client.force_login(users["kanagawa-drafter"])
    row = _fiscal_row(edition)
    row.years.update_or_create(fiscal_year=2019, defaults={"requested": Decimal("1200.0000"),
                                                           "national": Decimal("1200"), "local": None})
    row.stated_cumulative_total = Decimal("19664872.0000")
    row.save()
    row.refresh_from_db()
    page = client.get(reverse("drafting:item_edit", args=["fiscal-row", row.pk])).content.decode()
    box = re.search(r'<input[^>]*name="y2019_requested"[^>]*>', page).group(0)
    assert 'value="1,200"' in box
    assert 'value="-"' in re.search(r'<input[^>]*name="y2019_local"[^>]*>', page).group(0)
    assert 'value="19,664,872"' in re.search(r'<input[^>]*name="stated_cumulative_total"[^>]*>', page).group(0)
    assert "1200.0000" not in page and ".0000" not in page
    text = page_text(page)
    assert "財政支援要望（千円）" in text and "国予算(a)（千円）" in text and "自治体予算(b)（千円）" in text
    assert text.count("千円") >= 3 * len(list(edition.plan_years)) + 3  # beside every amount box and in the heads
    # what was saved with separators reads back the same
    response = client.post(reverse("drafting:item_edit", args=["fiscal-row", row.pk]),
                           _fiscal_post(row, y2019_requested="1,200", y2019_national="１，２００"))
    assert response.status_code == 302
    page = client.get(reverse("drafting:item_edit", args=["fiscal-row", row.pk])).content.decode()
    assert 'value="1,200"' in re.search(r'<input[^>]*name="y2019_national"[^>]*>', page).group(0)


@pytest.mark.django_db
def test_an_error_is_linked_to_its_box_and_the_typed_text_kept(client, edition, users):
    client.force_login(users["kanagawa-drafter"])
    row = _fiscal_row(edition)
    response = client.post(reverse("drafting:item_edit", args=["fiscal-row", row.pk]),
                           _fiscal_post(row, y2019_national="百万", y2019_requested="１，２００"))
    body = response.content.decode()
    assert response.status_code == 422
    box = re.search(r'<input[^>]*name="y2019_national"[^>]*>', body).group(0)
    assert 'aria-describedby="id_y2019_national-error"' in box and 'aria-invalid="true"' in box
    assert 'id="id_y2019_national-error"' in body and 'value="百万"' in box
    # what was typed in another box is kept as typed, not reformatted
    assert 'value="１，２００"' in re.search(r'<input[^>]*name="y2019_requested"[^>]*>', body).group(0)
    ok = re.search(r'<input[^>]*name="y2019_requested"[^>]*>', body).group(0)
    assert "aria-invalid" not in ok


def test_no_template_comment_spans_lines():
    """Django's {# … #} is one line only: a comment spread over lines is printed into the page (base.html printed
    its htmx note at the top of every page)."""
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "templates").rglob("*.html")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
                 if "{#" in line and "#}" not in line[line.index("{#"):]]
    assert offenders == []
