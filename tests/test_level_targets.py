"""Level targets (a level, a ratio, a per-capita figure to reach): a baseline and a goal with their years, printed as
a level and never as 累計; one zone figure a year, entered once by the target's owner on every way in; progress is
the year's actual ÷ the same year's target.

Checked on the fictional shiomi FY2015 zone (zoneeval/samples/shiomi-fy2015.json) and on the keihin sample, whose
cumulative (flow) targets keep their behaviour."""
import copy
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pdfplumber
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zoneeval.assembly.render import render_pdf
from zoneeval.authorities.models import Authority, Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.drafting import services
from zoneeval.reports import models as m
from zoneeval.reports.figures import derive
from zoneeval.reports.interchange.export import edition_snapshot
from zoneeval.reports.interchange.importer import ImportRefused, import_document

LEVEL, RATIO, FLOW = "(1)-①", "(1)-②", "(2)"


def _target(doc, code):
    return next(t for i in doc["parts"]["part3"]["indicators"] for t in i["targets"] if t["code"] == code)


def _percent(actual: str, target: str) -> int:
    """进捗度 worked out here, independently of figures.py: actual ÷ target × 100, rounded half up."""
    return int((Decimal(actual) / Decimal(target) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---- figures ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [LEVEL, RATIO])
def test_level_progress_is_each_years_actual_over_its_own_target_and_nothing_is_cumulative(shiomi, code):
    target = _target(shiomi, code)
    figures = derive(shiomi)["targets"][code]
    measured = 0
    for year, computed in zip(sorted(target["years"], key=lambda y: y["fiscal_year"]), figures["years"]):
        if not year["actuals"]:
            assert computed["progress"] is None
            continue
        (actual,) = year["actuals"]
        assert computed["progress"] == _percent(actual["value"], year["target"])
        measured += 1
    assert measured == 4  # 平成24～27年度
    assert figures["cumulative_target"] is None and figures["cumulative_actual"] is None
    assert figures["cumulative_progress"] is None
    assert figures["current"]["fiscal_year"] == 2015


def test_a_level_figure_is_the_owners_never_a_sum_while_a_flow_figure_sums_the_authorities(shiomi):
    doc = copy.deepcopy(shiomi)
    level = _target(doc, LEVEL)
    year = next(y for y in level["years"] if y["fiscal_year"] == 2015)
    year["actuals"].append({"authority": "aoura", "value": "50"})  # not importable; the figures must not add it
    figures = derive(doc)["targets"][LEVEL]
    assert figures["current"]["actual"] == year["actuals"][0]["value"]
    assert figures["current"]["progress"] == _percent(year["actuals"][0]["value"], year["target"])

    flow = _target(doc, FLOW)
    flow_year = next(y for y in flow["years"] if y["fiscal_year"] == 2015)
    assert len(flow_year["actuals"]) == 3
    total = sum(Decimal(a["value"]) for a in flow_year["actuals"])
    flow_figures = derive(doc)["targets"][FLOW]
    assert Decimal(flow_figures["current"]["actual"]) == total
    assert Decimal(flow_figures["cumulative_target"]) == sum(Decimal(y["target"]) for y in flow["years"])


# ---- entered once, by the owner: every way in ---------------------------------------------------------------------

def test_loader_refuses_a_level_figure_from_a_non_owner_with_its_path(db, shiomi):
    doc = copy.deepcopy(shiomi)
    year = _target(doc, LEVEL)["years"][3]
    year["actuals"].append({"authority": "minatogawa", "value": "1"})
    with pytest.raises(ImportRefused) as refused:
        import_document(doc)
    messages = [str(p) for p in refused.value.problems]
    assert any(".targets[0].years[3].actuals[1].authority" in text and "特区全体で一つ" in text and "汐見県" in text
               for text in messages), messages
    assert not m.Edition.objects.exists()


def test_loader_refuses_a_level_figure_given_only_by_a_non_owner(db, shiomi):
    doc = copy.deepcopy(shiomi)
    year = _target(doc, RATIO)["years"][0]
    year["actuals"] = [{"authority": "shiomi-pref", "value": "4.8"}]  # the owner is minatogawa
    with pytest.raises(ImportRefused):
        import_document(doc)


def test_a_level_target_needs_its_goal_year(db, shiomi):
    doc = copy.deepcopy(shiomi)
    del _target(doc, LEVEL)["plan_goal"]["fiscal_year"]
    with pytest.raises(ImportRefused) as refused:
        import_document(doc)
    assert any(p.path.endswith("targets[0].plan_goal") and "目標年度" in p.message for p in refused.value.problems)


def test_model_validation_refuses_a_non_owners_level_figure(shiomi_edition):
    year = m.TargetYear.objects.get(target__indicator__edition=shiomi_edition, target__code=LEVEL, fiscal_year=2015)
    with pytest.raises(ValidationError) as refused:
        m.ActualFigure(target_year=year, authority=Authority.objects.get(slug="aoura"), value=1).full_clean()
    assert "特区全体で一つ" in str(refused.value)
    flow_year = m.TargetYear.objects.get(target__indicator__edition=shiomi_edition, target__code=FLOW, fiscal_year=2016)
    m.ActualFigure(target_year=flow_year, authority=Authority.objects.get(slug="aoura"), value=1).full_clean()


@pytest.fixture
def users(shiomi_edition):
    made = {}
    for coauthor in shiomi_edition.coauthors.select_related("authority"):
        a = coauthor.authority
        made[a.slug] = ensure_user(f"{a.slug}-drafter", "pw-for-tests-123", authority=a, role=Membership.Role.DRAFTER)
    return made


def _figures(target):
    return sorted((a.target_year.fiscal_year, a.authority.slug, a.value)
                  for a in m.ActualFigure.objects.filter(target_year__target=target).select_related("authority",
                                                                                                    "target_year"))


def test_service_refuses_a_non_owner_and_takes_the_owners_zone_figure(shiomi_edition, users):
    target = m.NumericalTarget.objects.get(indicator__edition=shiomi_edition, code=LEVEL)
    before = _figures(target)
    aoura = Authority.objects.get(slug="aoura")
    with pytest.raises(PermissionDenied) as refused:
        services.save_year_table(users["aoura"], target, {}, {2015: Decimal("99")}, aoura, target.version)
    assert "特区全体で一つ" in str(refused.value)
    assert _figures(target) == before

    owner = Authority.objects.get(slug="shiomi-pref")
    services.save_year_table(users["shiomi-pref"], target, {}, {2015: Decimal("14.6")}, owner, target.version)
    after = _figures(target)
    assert (2015, "shiomi-pref", Decimal("14.6")) in after and len(after) == len(before)


def test_year_table_over_http_offers_one_zone_figure_to_the_owner_only(client, shiomi_edition, users):
    target = m.NumericalTarget.objects.get(indicator__edition=shiomi_edition, code=LEVEL)
    url = reverse("drafting:target_years", args=[target.pk])
    before = _figures(target)

    client.force_login(users["aoura"])  # a co-author, not the owner
    page = client.get(url).content.decode()
    assert 'name="actual_2015"' not in page and "特区全体" in page
    forged = client.post(url, {"version": target.version, "authority": "aoura", "actual_2015": "99"})
    assert forged.status_code == 403
    assert _figures(target) == before

    client.force_login(users["shiomi-pref"])
    page = client.get(url).content.decode()
    assert page.count('name="actual_2015"') == 1 and "実績値（特区全体）" in page
    assert "作成主体別の実績値" not in page and "<th>累計</th>" not in page
    targets = {f"target_{y.fiscal_year}": str(y.target_value) for y in target.years.all()}  # the page sends them
    response = client.post(url, {"version": target.version, "authority": "shiomi-pref", "actual_2015": "１５",
                                 **targets})
    assert response.status_code == 302
    assert (2015, "shiomi-pref", Decimal("15")) in _figures(target)
    preview = client.post(reverse("drafting:target_years_preview", args=[target.pk]),
                          {"authority": "shiomi-pref", "actual_2015": "12", **targets}).content.decode()
    assert f"{_percent('12', targets['target_2015'])}%" in preview


def test_flow_year_table_still_sums_each_authoritys_own_figure(client, shiomi_edition, users):
    target = m.NumericalTarget.objects.get(indicator__edition=shiomi_edition, code=FLOW)
    client.force_login(users["aoura"])
    url = reverse("drafting:target_years", args=[target.pk])
    page = client.get(url).content.decode()
    assert 'name="actual_2015"' in page and "作成主体別の実績値" in page and "<th>累計</th>" in page
    assert client.post(url, {"version": target.version, "authority": "aoura", "actual_2015": "14"}).status_code == 302
    assert (2015, "aoura", Decimal("14")) in _figures(target)


# ---- the document -------------------------------------------------------------------------------------------------

def _flat(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _goal_cell(page) -> str:
    """The text of a 別紙1 sheet's 数値目標 column alone (from 「基準値」 to the 目標値/実績値 row labels)."""
    words = page.extract_words()
    left = next(w for w in words if w["text"].startswith("基準値"))
    right = min(w["x0"] for w in words if w["text"] in ("目標値", "実績値") and w["x0"] > left["x0"])
    return _flat(page.crop((left["x0"] - 1, left["top"] - 1, right - 1, page.height)).extract_text())


def _pages(edition) -> tuple[list[str], dict]:
    """Each page's text without white space, and the 数値目標 cell of each level sheet by its page number."""
    pdf = render_pdf(edition_snapshot(edition)).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        texts = [_flat(page.extract_text()) for page in document.pages]
        cells = {n: _goal_cell(page) for n, page in enumerate(document.pages)
                 if "別紙1" in texts[n] and "基準値" in texts[n] and "代替指標" in texts[n]}
    return texts, cells


def test_pdf_prints_the_level_goal_with_its_baseline_and_years_in_wareki_and_no_cumulative(shiomi_edition):
    pages, cells = _pages(shiomi_edition)
    text = "".join(pages)
    # 本文3①: the goal line of each level target, never as 「5年間（…）累計」
    assert "数値目標（1）－①：特区内の島しょ部におけるエネルギー自給率基準値7%（平成22年度）→目標17%（平成28年度）" in text
    assert "基準値3.2%（平成22年度）→目標12%（平成28年度）" in text
    part3 = text[text.index("①評価指標"):text.index("②寄与度の考え方")]
    level_block = part3[part3.index("数値目標（1）－①"):part3.index("評価指標（2）")]
    assert "累計" not in level_block
    assert "5年間（平成24～平成28年度）累計：250万人" in part3  # the flow target keeps its cumulative goal
    # 別紙1: the level sheets say the same and nothing cumulative; the flow sheet does say （累計）. Sheets follow one
    # another without a forced page break, so each sheet's text runs from its title to the next sheet's title.
    annex1 = text[text.index("別紙1■"):]
    annex1 = annex1[:annex1.index("別紙1-2")]
    starts = sorted((annex1.index(f"数値目標{code}"), code) for code in (LEVEL, RATIO, FLOW))
    sheets = {code: annex1[start:(starts[i + 1][0] if i + 1 < len(starts) else None)]
              for i, (start, code) in enumerate(starts)}
    for code in (LEVEL, RATIO):
        assert "基準値" in sheets[code] and "（平成22年度）" in sheets[code] and "（平成28年度）" in sheets[code]
        assert "累計" not in sheets[code]
    assert any(cell.startswith("基準値7%（平成22年度）→目標17%（平成28年度）") for cell in cells.values())
    assert any(cell.startswith("基準値3.2%（平成22年度）→目標12%（平成28年度）") for cell in cells.values())
    assert "250万人（累計）" in sheets[FLOW]
    assert "東岬市" in next(p for p in pages if "別紙4" in p and "その他" in p)  # a partner body, by its name
