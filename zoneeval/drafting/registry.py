"""Every kind of editable item, declared once: its model, fields, section, how it is created and whose it is.

Views, forms, permissions checks, history and tests all read this table; adding a kind of item means adding an entry
here (and its object-permission model in reports/models/permissions.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..reports import models as m

SECTIONS: list[tuple[str, str]] = [
    ("part2", "2 総合特区計画の状況"),
    ("targets", "3① 評価指標・数値目標（別紙1）"),
    ("part3", "3②〜④ 寄与度・道筋・解決策と具体的な取組"),
    ("part4", "4 規制の特例措置を活用した事業等"),
    ("part5", "5 財政・税制・金融支援の活用実績"),
    ("part6", "6 地域独自の取組の状況"),
    ("part7", "7 総合評価"),
    ("annex1_2", "別紙1-2 目標達成に向けた実施スケジュール"),
    ("annex2", "別紙2 規制の特例措置等を活用した事業"),
    ("annex3", "別紙3 財政・税制・金融支援（国の支援措置）"),
    ("annex4", "別紙4 地域独自の取組"),
]
SECTION_LABELS = dict(SECTIONS)

SLOT_LABELS = {
    "part2.overview": "①総合特区計画の概要", "part2.goal": "②総合特区計画の目指す目標",
    "part2.previous_evaluation": "④前年度の評価結果（コメント）", "part2.considerations": "⑤本年度の評価に際して考慮すべき事項",
    "part3.contribution_approach": "②寄与度の考え方", "part3.pathway": "③目標達成に向けた効果及び道筋",
    "part5.fiscal.none_reason": "財政支援：該当する事業がない理由", "part5.tax.none_reason": "税制支援：該当する事業がない理由",
    "part5.financial.none_reason": "金融支援：該当する事業がない理由", "part6": "地域独自の取組の状況",
    "part7.overall": "総合評価", "annex1_2.notes": "注記", "annex4.structure": "体制強化",
    "annex4.private_sector": "民間の取組等",
}
SLOT_SECTIONS = {"annex1": "targets"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "line"  # line | rich | amount | count | year | bool | month | choice | authorities | bodies | milestones
    required: bool = False
    choices: tuple = ()
    unit: str = ""  # printed next to the box and in column heads (別紙3 amounts: 千円)


@dataclass(frozen=True)
class YearGrid:
    """Per-fiscal-year child rows edited with their parent (別紙3 amounts and counts)."""

    model: type
    related_name: str
    fields: tuple[Field, ...]
    rows_follow_cells: bool = True  # a year whose cells are all blank has no row (別紙3); else rows are kept


@dataclass(frozen=True)
class Kind:
    key: str
    model: type
    label: str
    fields: tuple[Field, ...]
    edition_path: str
    containers: dict = field(default_factory=dict)  # container key → label; creatable when not empty
    year_grid: YearGrid | None = None
    parent_attr: str | None = None  # the item whose owner and permissions it shares

    def section_of(self, item) -> str:
        if self.model in (m.Passage, m.SurveyFinding):
            slot = item.slot.split(".")[0]
            return SLOT_SECTIONS.get(slot, slot)
        return SECTION_OF_MODEL[self.model]

    def permission_object(self, item):
        return getattr(item, self.parent_attr) if self.parent_attr else item

    def owner_of(self, item):
        target = self.permission_object(item)
        return target.authority if isinstance(target, m.ActualFigure) else target.owner

    def label_of(self, item) -> str:
        if isinstance(item, m.Passage):
            return SLOT_LABELS.get(item.slot, item.slot)
        if isinstance(item, m.NumericalTarget):  # by its code too, as findings name it: 数値目標(1)-① 〈title〉
            return f"数値目標{item.code} {item.title}"
        for name in ("title", "name", "heading", "label", "code"):
            value = getattr(item, name, "")
            if value:
                return str(value)
        return f"{self.label} #{item.pk}"

    @property
    def creatable(self) -> bool:
        return bool(self.containers)


RICH, AMOUNT, COUNT, BOOL, MONTH, YEAR = "rich", "amount", "count", "bool", "month", "year"
THOUSAND_YEN = "千円"  # 別紙3's amounts are in thousands of yen

SECTION_OF_MODEL = {
    m.NumericalTarget: "targets", m.ActualFigure: "targets", m.Solution: "part3", m.Initiative: "part3",
    m.RegulatoryProject: "part4", m.RegulatoryProposal: "part4", m.SupportProject: "part5",
    m.ScheduleProject: "annex1_2", m.ScheduleItem: "annex1_2", m.SpecialMeasureUse: "annex2", m.MeasureRow: "annex2",
    m.FiscalSupportRow: "annex3", m.CountRow: "annex3", m.LocalMeasureRow: "annex4",
}

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("passage", m.Passage, "文章", (Field("text", "本文", RICH),), "edition",
         containers={"part6": "地域独自の取組の状況（自治体ごとの文章）"}),
    Kind("survey-finding", m.SurveyFinding, "現地調査時の指摘事項",
         (Field("finding", "指摘事項", RICH), Field("response", "左記に対する取組状況等", RICH)), "edition",
         containers={"annex2": "別紙2の指摘事項", "annex3": "別紙3の指摘事項", "annex4": "別紙4の指摘事項"}),
    Kind("target", m.NumericalTarget, "数値目標", (
        Field("title", "数値目標", required=True), Field("unit", "単位"),
        Field("plan_goal_value", "計画目標値（累計型は計画期間の累計、水準型は目標年度の水準）", AMOUNT),
        Field("plan_goal_unit", "計画目標の単位"),
        Field("plan_goal_fiscal_year", "目標年度（水準型）", YEAR),
        Field("baseline_value", "基準値（水準型）", AMOUNT), Field("baseline_fiscal_year", "基準年度（水準型）", YEAR),
        Field("contribution", "寄与度(%)", AMOUNT),
        Field("alternative", "代替指標の考え方または定性的評価", RICH),
        Field("approach", "目標達成の考え方及び目標達成に向けた主な取組、関連事業", RICH),
        Field("basis", "各年度の目標設定の考え方や数値の根拠等", RICH),
        Field("self_evaluation", "進捗状況に係る自己評価及び次年度以降の取組の方向性", RICH),
        Field("external_factors", "外部要因等特記事項", RICH)), "indicator__edition",
         year_grid=YearGrid(m.TargetYear, "years", (
             Field("stated_progress", "旧様式に記載された進捗度(%)（照合用・空欄で削除）", COUNT),), rows_follow_cells=False)),
    Kind("solution", m.Solution, "解決策", (Field("text", "解決策の概要", RICH),), "edition"),
    Kind("initiative", m.Initiative, "具体的な取組", (
        Field("heading", "見出し"), Field("text", "本文", RICH),
        Field("expected", "今後成果が期待される事案", BOOL)), "solution__edition", containers={"solution": "解決策"}),
    Kind("regulatory-project", m.RegulatoryProject, "規制の特例措置を活用した事業", (
        Field("title", "名称", required=True), Field("text", "本文", RICH)), "edition",
         containers={"specific": "①特定事業", "general": "②一般事業"}),
    Kind("proposal", m.RegulatoryProposal, "規制の特例措置の提案", (
        Field("title", "提案名", required=True), Field("consultation_period", "協議時期"),
        Field("proposal", "ア 提案の概要", RICH), Field("result", "イ 国と地方の協議結果", RICH)), "edition",
         containers={"proposals": "③規制の特例措置の提案"}),
    Kind("special-measure", m.SpecialMeasureUse, "規制の特例措置を活用した事業（別紙2）", (
        Field("name", "事業の名称", required=True), Field("related_targets", "関連する数値目標"),
        Field("ministry", "規制所管府省名"),
        Field("evaluation", "規制所管府省による評価", "choice", choices=tuple(m.SpecialMeasureUse.Evaluation.choices)),
        Field("remarks", "特記事項", RICH)), "edition", containers={"special": "規制の特例措置を活用した事業"}),
    Kind("measure-row", m.MeasureRow, "協議により実現した措置（別紙2）", (
        Field("name", "事業の名称", required=True), Field("related_targets", "関連する数値目標"),
        Field("used", "評価対象年度における活用の有無（有）", BOOL), Field("remarks", "備考", RICH)), "edition",
         containers={"feasible": "現時点で実現可能なことが明らかになった措置", "nationwide": "全国展開された措置"}),
    Kind("support-project", m.SupportProject, "支援措置を活用した事業（5）", (
        Field("title", "事業名", required=True), Field("overview", "ア 事業の概要", RICH),
        Field("usage", "イ 評価対象年度における活用状況と目標達成への寄与", RICH),
        Field("independence", "ウ 将来の自立に向けた考え方", RICH)), "group__section__edition",
         containers={"group": "見出し"}),
    Kind("fiscal-row", m.FiscalSupportRow, "財政支援措置（別紙3）", (
        Field("name", "事業名", required=True), Field("related_targets", "関連する数値目標"),
        Field("ministry", "補助制度等所管府省名"), Field("reference_number", "対応方針の整理番号"),
        Field("adjustment_fund_used", "特区調整費の活用（有）", BOOL), Field("remarks", "備考", RICH),
        Field("cumulative_includes_prior_years", "累計に計画期間前の年度を含む", BOOL),
        Field("stated_cumulative_requested", "累計：財政支援要望（計画期間前を含む場合）", AMOUNT, unit=THOUSAND_YEN),
        Field("stated_cumulative_national", "累計：国予算(a)（同上）", AMOUNT, unit=THOUSAND_YEN),
        Field("stated_cumulative_local", "累計：自治体予算(b)（同上）", AMOUNT, unit=THOUSAND_YEN),
        Field("stated_cumulative_total", "旧様式に記載された累計の総事業費（照合用・空欄で削除）", AMOUNT, unit=THOUSAND_YEN)), "edition",
         containers={"fiscal": "財政支援措置の状況"},
         year_grid=YearGrid(m.FiscalSupportYear, "years", (
             Field("requested", "財政支援要望", AMOUNT, unit=THOUSAND_YEN),
             Field("national", "国予算(a)", AMOUNT, unit=THOUSAND_YEN),
             Field("local", "自治体予算(b)", AMOUNT, unit=THOUSAND_YEN)))),
    Kind("count-row", m.CountRow, "税制・金融支援措置（別紙3）", (
        Field("name", "事業名", required=True), Field("related_targets", "関連する数値目標"),
        Field("remarks", "備考", RICH)), "edition",
         containers={"tax": "税制支援措置の状況", "financial": "金融支援措置の状況"},
         year_grid=YearGrid(m.CountYear, "years", (Field("count", "件数", COUNT),))),
    Kind("local-row", m.LocalMeasureRow, "地域独自の取組（別紙4）", (
        Field("name", "事業名・取組", required=True), Field("related_targets", "関連する数値目標"),
        Field("result", "実績・直接効果", RICH), Field("self_evaluation", "自己評価", RICH),
        Field("authorities", "自治体名", "authorities", required=True),
        Field("partner_bodies", "作成主体以外の団体名（近隣の市、国の機関など。1行に1つ）", "bodies")), "edition",
         containers=dict(m.LocalMeasureRow.Table.choices)),
    Kind("schedule-project", m.ScheduleProject, "スケジュールの事業（別紙1-2）", (
        Field("title", "事業名", required=True), Field("solution_number", "解決策の番号", COUNT, required=True)),
         "edition", containers={"projects": "事業"}),
    Kind("schedule-item", m.ScheduleItem, "スケジュールの項目（別紙1-2）", (
        Field("label", "小見出し"), Field("text", "内容"), Field("bar_start", "実施期間（開始月）", MONTH),
        Field("bar_end", "実施期間（終了月）", MONTH),
        Field("milestones", "マイルストーン（1行に「2019-04 内容」）", "milestones")), "project__edition",
         containers={"project": "事業"}, parent_attr="project"),
]}

KIND_OF_MODEL = {kind.model: kind for kind in KINDS.values()}


def kind_of(item) -> Kind:
    return KIND_OF_MODEL[type(item)]


# Rows that are edited with an item and belong to its part: model → attribute of the item.
CHILD_OF = {m.TargetYear: "target", m.FiscalSupportYear: "row", m.CountYear: "row", m.LocalMeasureAuthority: "row"}


def part_keys(instance) -> list[tuple[int, str, int]]:
    """The (edition id, section, owner authority id) of every part whose content changes when ``instance`` is saved
    or deleted: its owner's part, and the previous owner's when the owner changed. Empty when it is not content or
    its parent is already gone (a cascade)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        while type(instance) in CHILD_OF:
            instance = getattr(instance, CHILD_OF[type(instance)])
        if isinstance(instance, m.ActualFigure):
            section, owner_id = "targets", instance.authority_id
            edition_id = m.Edition.objects.filter(
                indicators__targets__years__pk=instance.target_year_id).values_list("pk", flat=True).first()
        else:
            kind = KIND_OF_MODEL.get(type(instance))
            if kind is None:
                return []
            section, owner_id = kind.section_of(instance), kind.permission_object(instance).owner_id
            obj = instance
            for attr in kind.edition_path.split("__")[:-1]:
                obj = getattr(obj, attr)
            edition_id = getattr(obj, kind.edition_path.split("__")[-1] + "_id")
    except ObjectDoesNotExist:
        return []
    if edition_id is None:
        return []
    keys = [(edition_id, section, owner_id)]
    previous = getattr(instance, "_previous_owner_id", None)
    if previous and previous != owner_id:
        keys.append((edition_id, section, previous))
    return keys
