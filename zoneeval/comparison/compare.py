"""What changed between two editions (or two versions of one edition): a pure comparison of two interchange
snapshots (plain dicts, ``reports/interchange/export.py`` ``edition_snapshot`` or an assembled snapshot's payload).

No database: everything it needs (authority names included) is in the two snapshots.

MATCHING RULES — how an item of one snapshot is found in the other (the one place they are stated)
----------------------------------------------------------------------------------------------------
Items are matched by natural keys, never by database ids or list positions alone:

==========================================  ================================================================
item                                        key
==========================================  ================================================================
zone, edition settings                      one each (``zone``, ``edition``)
co-author                                   its slug
passage (2①②⑤, 3②③, 5 なし理由, 7, 別紙1-2 注記,  its slot (``part2.overview`` …)
別紙4 体制強化/民間の取組)
2④ 前年度の評価結果                          one (its label, score and comment passage)
6 地域独自の取組 (passages)                    owner, then order among that owner's passages
indicator                                   its number
numerical target                            its code (``(1)-①``)
target year cell (目標値, 旧様式の進捗度)        target code + fiscal year
実績値 cell                                  target code + fiscal year + the authority whose figure it is
survey finding (別紙1, 別紙2/3/4)              its place (target code or annex), owner, then order
solution (3④)                               its number
initiative                                  solution number + heading, then order
part 4 project / proposal                   list (特定事業/一般事業/提案) + title, then order
part 5 section / group / project            support kind; + group heading; + project title, then order
schedule project / item (別紙1-2)            solution number + project number; + label and text, then order
別紙2 rows                                   table + name, then order
別紙3 rows (fiscal, tax, financial)          table + name, then order; year cells by fiscal year + column
別紙4 rows                                   table + name, then order
==========================================  ================================================================

"then order": items whose key is not found on the other side (a renamed row) are paired, in order, with the
unmatched items of the same table and owner; what is left is added or removed. Two items with the same key are
paired in order. A move within a list is not a change. Lists are compared as their printed text.

YEAR-BOUND DIFFERENCES — what always differs between editions of two fiscal years
---------------------------------------------------------------------------------
Between editions of different fiscal years, the fiscal year itself and 2④ 前年度の評価結果 (by design the previous
year's national evaluation, prefilled when next year's edition is made) are listed apart, as 年度により変わる項目,
and not counted as changes; between two versions of one year they are ordinary changes. Year cells are matched by
their fiscal year (never by a label such as 令和元年度), so a year's label never shows as a change. A cell without a
figure is the same whether it is absent or empty (``null``): next year's empty 実績値 cells are not changes; a figure
typed into one is. Next year's edition starts the years after the older edition's year empty: a figure of such a year
(a forecast, 別紙3's planned amounts) that the newer edition of a later year has empty is listed with the year-bound
differences, not as a change (``_emptied_by_design``). The ``derived`` block (進捗度, sums) is not compared: it
follows from the figures that are.

Ownership (the authority filter): every item belongs to its ``owner``; a 実績値 cell to the authority whose figure it
is (each co-author's figures of a target are their own change, apart from the target's owner's changes); zone,
co-author and edition settings to nobody (shown only without a filter).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from ..drafting.diffs import EMPTY, inline_diff, readable_text
from ..drafting.registry import SECTIONS
from ..reports.era import fiscal_year_label, month_label
from ..reports.input import display_amount

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# YEAR-BOUND: the kinds of item that differ between editions of two fiscal years by design (see above). A rollover
# that by design changes something else adds its kind here, and nowhere else.
YEAR_BOUND = frozenset({"fiscal_year", "previous_evaluation"})
STATUS_LABELS = {ADDED: "追加", REMOVED: "削除", CHANGED: "変更"}
NOTHING = "-"
CONTEXT = 60  # characters of unchanged text kept on each side of a change in a text (the rest is 「…」)

# The groups of the page, in the document's order: the drafting sections (drafting/registry.py SECTIONS) and the
# settings that belong to no section.
SETTINGS = "settings"
PARTS: list[tuple[str, str]] = [(SETTINGS, "評価書の設定（特区・作成主体・計画期間）"), *SECTIONS]
PART_LABELS = dict(PARTS)


# ---- what the comparison returns ------------------------------------------------------------------------------

@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    diff: str  # HTML: <del>/<ins>, escaped


@dataclass
class CellChange:
    fiscal_year: int
    year: str  # 和暦 label
    column: str
    old: str
    new: str


@dataclass
class Change:
    part: str
    kind: str  # what kind of item, for people (数値目標, 別紙3 財政支援 …)
    label: str  # which item
    owner: str | None  # authority slug; None for settings
    status: str
    fields: list[FieldChange] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    year_bound: bool = False
    path: str = ""  # the item's JSON path in the snapshot it is taken from (the new one unless removed)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Comparison:
    changes: list[Change]  # counted changes, in the document's order
    year_bound: list[Change]  # 年度により変わる項目 (different fiscal years only)
    old_year: int
    new_year: int

    def filtered(self, authority: str | None) -> Comparison:
        if not authority:
            return self
        keep = [c for c in self.changes if c.owner == authority]
        bound = [c for c in self.year_bound if c.owner == authority]
        return Comparison(keep, bound, self.old_year, self.new_year)

    def by_part(self) -> list[dict]:
        groups = []
        for key, label in PARTS:
            changes = [c for c in self.changes if c.part == key]
            if changes:
                counts = {s: sum(1 for c in changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)}
                groups.append({"key": key, "label": label, "changes": changes, "count": len(changes),
                               "counts": counts})
        return groups

    @property
    def counts(self) -> dict:
        return {s: sum(1 for c in self.changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)}


# ---- values as people read them ---------------------------------------------------------------------------------

RICH, LINE, AMOUNT, BOOL, LIST, BODIES, BARS, MILESTONES, YEAR, DATE, CODE = (
    "rich", "line", "amount", "bool", "list", "bodies", "bars", "milestones", "year", "date", "code")


def _month(value: str) -> str:
    try:
        year, month = (int(x) for x in value.split("-"))
    except (ValueError, AttributeError):
        return str(value)
    return month_label(year, month)


def text_of(value, kind: str, names: dict, unit: str = "") -> str:
    """One value as text for people (empty → 「（空欄）」)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if kind == BOOL:
        return "有" if value else "無"
    if kind == AMOUNT:
        shown = display_amount(value)
        return f"{shown}{unit}" if unit else shown
    if kind == YEAR:
        return fiscal_year_label(int(value))
    if kind == CODE:
        return names.get(value, str(value))
    if kind == LIST:
        return "、".join(str(v) for v in value)
    if kind == BODIES:
        return "、".join(names.get(v, v) if isinstance(v, str) else v.get("name", "") for v in value)
    if kind == BARS:
        return "、".join(f"{_month(b['start'])}～{_month(b['end'])}" for b in value)
    if kind == MILESTONES:
        return "\n".join(f"{_month(m['month'])} {m['label']}" for m in value)
    if kind == RICH:
        return readable_text(str(value)) or EMPTY
    return str(value)


# ---- the items of a snapshot ------------------------------------------------------------------------------------

@dataclass
class _Item:
    part: str
    kind: str
    key: tuple  # natural key (see MATCHING RULES); ``group`` + order pairs the unmatched
    group: tuple  # table and owner: where an unmatched item may be paired by order
    label: str
    owner: str | None
    values: dict  # field label → text
    cells: dict = field(default_factory=dict)  # (fiscal year, column) → text, every cell has a figure
    path: str = ""
    year_bound: bool = False


FIELDS = {  # kind of item → ((snapshot key, label, value kind[, unit]), …)
    "passage": (("text", "本文", RICH),),
    "finding": (("finding", "指摘事項", RICH), ("response", "左記に対する取組状況等", RICH)),
    "indicator": (("title", "評価指標", LINE),),
    "target": (("title", "数値目標", LINE), ("kind", "種類", LINE), ("unit", "単位", LINE),
               ("plan_goal.value", "計画目標値", AMOUNT), ("plan_goal.unit", "計画目標の単位", LINE),
               ("plan_goal.fiscal_year", "目標年度", YEAR), ("baseline.value", "基準値", AMOUNT),
               ("baseline.fiscal_year", "基準年度", YEAR), ("contribution", "寄与度(%)", AMOUNT),
               ("owner", "担当", CODE),
               ("boxes.alternative", "代替指標の考え方または定性的評価", RICH),
               ("boxes.approach", "目標達成の考え方及び目標達成に向けた主な取組、関連事業", RICH),
               ("boxes.basis", "各年度の目標設定の考え方や数値の根拠等", RICH),
               ("boxes.self_evaluation", "進捗状況に係る自己評価及び次年度以降の取組の方向性", RICH),
               ("boxes.external_factors", "外部要因等特記事項", RICH)),
    "solution": (("text", "解決策の概要", RICH), ("related_targets", "関連する数値目標", LIST), ("owner", "担当", CODE)),
    "initiative": (("heading", "見出し", LINE), ("text", "本文", RICH), ("expected", "今後成果が期待される事案", BOOL)),
    "project4": (("title", "名称", LINE), ("text", "本文", RICH)),
    "proposal": (("title", "提案名", LINE), ("consultation_period", "協議時期", LINE),
                 ("proposal", "ア 提案の概要", RICH), ("result", "イ 国と地方の協議結果", RICH)),
    "support": (("stated_count", "記載された件数", LINE),),
    "group": (("heading", "見出し", LINE), ("counts_this_year", "評価対象年度に数える", BOOL)),
    "project5": (("title", "事業名", LINE), ("overview", "ア 事業の概要", RICH),
                 ("usage", "イ 評価対象年度における活用状況と目標達成への寄与", RICH),
                 ("independence", "ウ 将来の自立に向けた考え方", RICH)),
    "schedule": (("title", "事業名", LINE), ("owner", "担当", CODE)),
    "schedule_item": (("label", "小見出し", LINE), ("text", "内容", LINE), ("bars", "実施期間", BARS),
                      ("milestones", "マイルストーン", MILESTONES)),
    "special": (("name", "事業の名称", LINE), ("related_targets", "関連する数値目標", LINE),
                ("ministry", "規制所管府省名", LINE), ("evaluation", "規制所管府省による評価", LINE),
                ("remarks", "特記事項", RICH)),
    "measure": (("name", "事業の名称", LINE), ("related_targets", "関連する数値目標", LINE),
                ("used", "評価対象年度における活用の有無", BOOL), ("remarks", "備考", RICH)),
    "fiscal": (("name", "事業名", LINE), ("related_targets", "関連する数値目標", LINE), ("unit", "単位", LINE),
               ("ministry", "補助制度等所管府省名", LINE), ("reference_number", "対応方針の整理番号", LINE),
               ("adjustment_fund_used", "特区調整費の活用", BOOL), ("remarks", "備考", RICH),
               ("cumulative.includes_prior_years", "累計に計画期間前の年度を含む", BOOL),
               ("cumulative.since_fiscal_year", "累計の起点年度", YEAR),
               ("cumulative.stated_requested", "累計：財政支援要望", AMOUNT, "千円"),
               ("cumulative.stated_national", "累計：国予算(a)", AMOUNT, "千円"),
               ("cumulative.stated_local", "累計：自治体予算(b)", AMOUNT, "千円"),
               ("cumulative.stated_total", "旧様式に記載された累計の総事業費", AMOUNT, "千円")),
    "count": (("name", "事業名", LINE), ("related_targets", "関連する数値目標", LINE), ("remarks", "備考", RICH),
              ("stated_cumulative", "旧様式に記載された累計", LINE)),
    "local": (("name", "事業名・取組", LINE), ("authorities", "自治体名", BODIES),
              ("related_targets", "関連する数値目標", LINE), ("result", "実績・直接効果", RICH),
              ("self_evaluation", "自己評価", RICH)),
    "coauthor": (("name", "名称", LINE), ("kind", "種類", LINE)),
    "zone": (("name", "特区の名称", LINE), ("kind", "種別", LINE), ("designation_date", "指定日", DATE),
             ("first_approval_date", "計画認定日", DATE)),
    "edition": (("coordinator", "取りまとめ自治体", CODE), ("plan_period.first_fiscal_year", "計画期間（初年度）", YEAR),
                ("plan_period.last_fiscal_year", "計画期間（最終年度）", YEAR),
                ("latest_approval_date", "最終認定日", DATE), ("partner_bodies", "別紙4の作成主体以外の団体", LINE)),
    "previous_evaluation": (("label", "評価区分", LINE), ("score", "評価点", AMOUNT),
                            ("comments.text", "コメント", RICH)),
}
KIND_LABELS = {
    "passage": "文章", "finding": "現地調査時の指摘事項", "indicator": "評価指標", "target": "数値目標",
    "solution": "解決策", "initiative": "具体的な取組", "project4": "規制の特例措置を活用した事業", "proposal": "規制の特例措置の提案",
    "support": "支援措置", "group": "支援措置の見出し", "project5": "支援措置を活用した事業",
    "schedule": "スケジュールの事業", "schedule_item": "スケジュールの項目", "special": "規制の特例措置を活用した事業（別紙2）",
    "measure": "協議により実現した措置（別紙2）", "fiscal": "財政支援措置（別紙3）", "count": "税制・金融支援措置（別紙3）",
    "local": "地域独自の取組（別紙4）", "coauthor": "作成主体", "zone": "総合特区", "edition": "評価書",
    "previous_evaluation": "④前年度の評価結果", "year_table": "年度表", "fiscal_year": "評価対象年度",
}
PASSAGE_LABELS = {
    "part2.overview": "①総合特区計画の概要", "part2.goal": "②総合特区計画の目指す目標",
    "part2.considerations": "⑤本年度の評価に際して考慮すべき事項", "part3.contribution_approach": "②寄与度の考え方",
    "part3.pathway": "③目標達成に向けた効果及び道筋", "part7.overall": "総合評価", "annex1_2.notes": "注記",
    "annex4.structure": "体制強化", "annex4.private_sector": "民間の取組等",
}
SUPPORT_LABELS = {"fiscal": "財政支援", "tax": "税制支援", "financial": "金融支援"}
TABLE_LABELS = {
    "specific_projects": "①特定事業", "general_projects": "②一般事業", "special_measures": "規制の特例措置を活用した事業",
    "feasible_measures": "現時点で実現可能なことが明らかになった措置", "nationwide_measures": "全国展開された措置",
    "fiscal": "財政支援措置", "tax": "税制支援措置", "financial": "金融支援措置", "deregulation": "規制緩和",
    "strengthening": "規制強化", "other": "その他",
}
ANNEX4_TABLES = ("fiscal", "financial", "tax", "deregulation", "strengthening", "other")
CELL_COLUMNS = {"target": "目標値", "stated_progress": "旧様式に記載された進捗度(%)", "requested": "財政支援要望（千円）",
                "national": "国予算(a)（千円）", "local": "自治体予算(b)（千円）", "stated_total": "旧様式に記載された総事業費（千円）",
                "count": "件数"}


def _get(data: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


class _Collector:
    """Every comparable item of one snapshot, with its natural key."""

    def __init__(self, snapshot: dict, names: dict):
        self.year_bound = False
        self.s = snapshot
        self.names = names
        self.items: list[_Item] = []
        self._seen: dict = defaultdict(int)

    def add(self, part, kind, key, label, owner, data, path, group=None, cells=None, label_kind=None):
        # Two items with the same key are told apart by their order (paired in order with the other side).
        n = self._seen[(kind, key)]
        self._seen[(kind, key)] += 1
        values = {}
        for spec in FIELDS.get(kind, ()):
            name, field_label, value_kind = spec[:3]
            unit = spec[3] if len(spec) > 3 else ""
            values[field_label] = text_of(_get(data, name), value_kind, self.names, unit)
        self.items.append(_Item(part, label_kind or kind, (kind, *key, n), (kind, *(group or ()), owner), label,
                                owner, values, cells or {}, path, self.year_bound and kind in YEAR_BOUND))

    def passage(self, part, slot, data, path, label=None):
        if data is None:
            return
        self.add(part, "passage", (slot,), label or PASSAGE_LABELS.get(slot, slot), data.get("owner"), data, path)

    def findings(self, part, place, place_label, items, path):
        owners: dict = defaultdict(int)
        for i, f in enumerate(items or []):
            owners[f.get("owner")] += 1
            self.add(part, "finding", (place, f.get("owner"), owners[f.get("owner")]),
                     f"{place_label} 指摘事項{owners[f.get('owner')]}", f.get("owner"), f, f"{path}[{i}]")

    def collect(self, year_bound: bool) -> list[_Item]:
        """The items; with ``year_bound`` (editions of two fiscal years) the YEAR_BOUND kinds are marked."""
        self.year_bound = year_bound
        s, parts = self.s, self.s.get("parts", {})
        self.add(SETTINGS, "zone", (), "総合特区", None, s.get("zone", {}), "$.zone")
        for i, a in enumerate(s.get("authorities", [])):
            self.add(SETTINGS, "coauthor", (a["slug"],), a.get("name", a["slug"]), None, a, f"$.authorities[{i}]")
        self.add(SETTINGS, "edition", (), "評価書", None, s.get("edition", {}), "$.edition")
        # the fiscal year: always different between two years (YEAR-BOUND), compared as one item of its own
        fy = s.get("edition", {}).get("fiscal_year")
        self.items.append(_Item(SETTINGS, "fiscal_year", ("fiscal_year",), ("fiscal_year",), "評価対象年度", None,
                                {"評価対象年度": fiscal_year_label(fy) if fy else EMPTY}, {}, "$.edition.fiscal_year",
                                year_bound and "fiscal_year" in YEAR_BOUND))
        p2 = parts.get("part2", {})
        for slot in ("overview", "goal"):
            self.passage("part2", f"part2.{slot}", p2.get(slot), f"$.parts.part2.{slot}")
        prev = p2.get("previous_evaluation") or {}
        self.add("part2", "previous_evaluation", (), "④前年度の評価結果", (prev.get("comments") or {}).get("owner"),
                 prev, "$.parts.part2.previous_evaluation")
        self.passage("part2", "part2.considerations", p2.get("considerations"), "$.parts.part2.considerations")
        self._part3(parts.get("part3", {}))
        self._part4(parts.get("part4", {}))
        self._part5(parts.get("part5", {}))
        owners: dict = defaultdict(int)
        for i, p in enumerate((parts.get("part6") or {}).get("passages", [])):
            owners[p.get("owner")] += 1
            name = self.names.get(p.get("owner"), p.get("owner"))
            self.add("part6", "passage", ("part6", p.get("owner"), owners[p.get("owner")]),
                     f"地域独自の取組の状況（{name}）", p.get("owner"), p, f"$.parts.part6.passages[{i}]")
        self.passage("part7", "part7.overall", (parts.get("part7") or {}).get("overall"), "$.parts.part7.overall")
        self._schedule(parts.get("annex1_2", {}))
        self._annex2(parts.get("annex2", {}))
        self._annex3(parts.get("annex3", {}))
        self._annex4(parts.get("annex4", {}))
        return self.items

    def _part3(self, p3):
        for i, ind in enumerate(p3.get("indicators", [])):
            path = f"$.parts.part3.indicators[{i}]"
            self.add("targets", "indicator", (ind.get("number"),), f"評価指標({ind.get('number')})", None, ind, path)
            for j, t in enumerate(ind.get("targets", [])):
                self._target(t, f"{path}.targets[{j}]")
        self.passage("part3", "part3.contribution_approach", p3.get("contribution_approach"),
                     "$.parts.part3.contribution_approach")
        self.passage("part3", "part3.pathway", p3.get("pathway"), "$.parts.part3.pathway")
        for i, sol in enumerate(p3.get("solutions", [])):
            path = f"$.parts.part3.solutions[{i}]"
            number = sol.get("number")
            self.add("part3", "solution", (number,), f"解決策{number}", sol.get("owner"), sol, path)
            for j, ini in enumerate(sol.get("initiatives", [])):
                self.add("part3", "initiative", (number, ini.get("heading")),
                         f"解決策{number} 具体的な取組「{ini.get('heading') or (readable_text(ini.get('text', ''))[:30])}」",
                         ini.get("owner"), ini, f"{path}.initiatives[{j}]", group=(number,))

    def _target(self, t, path):
        code, owner = t.get("code"), t.get("owner")
        label = f"数値目標{code} {t.get('title', '')}"
        own_cells: dict = {}
        others: dict = defaultdict(dict)
        for y in t.get("years", []):
            fy = y.get("fiscal_year")
            for column in ("target", "stated_progress"):
                if y.get(column) is not None:
                    own_cells[(fy, CELL_COLUMNS[column])] = text_of(y[column], AMOUNT, self.names)
            for a in y.get("actuals", []):
                if a.get("value") is None:
                    continue
                column = f"実績値（{self.names.get(a['authority'], a['authority'])}）"
                cell = text_of(a["value"], AMOUNT, self.names)
                if a["authority"] == owner:
                    own_cells[(fy, column)] = cell
                else:
                    others[a["authority"]][(fy, column)] = cell
        self.add("targets", "target", (code,), label, owner, t, path, cells=own_cells)
        # every co-author's own figures are their own change (the authority filter shows "a co-author's figures")
        for authority in sorted(set(others) | set(self.names)):
            if authority == owner:
                continue
            self.add("targets", "actuals", (code, authority), f"{label} 実績値（{self.names.get(authority, authority)}）",
                     authority, {}, path, cells=others.get(authority, {}), label_kind="year_table")
        self.findings("targets", f"target{code}", f"数値目標{code}", t.get("survey_findings"),
                      f"{path}.survey_findings")

    def _part4(self, p4):
        for table in ("specific_projects", "general_projects"):
            for i, p in enumerate(p4.get(table, [])):
                self.add("part4", "project4", (table, p.get("title")), f"{TABLE_LABELS[table]}「{p.get('title')}」",
                         p.get("owner"), p, f"$.parts.part4.{table}[{i}]", group=(table,))
        for i, p in enumerate(p4.get("proposals", [])):
            self.add("part4", "proposal", (p.get("title"),), f"③提案「{p.get('title')}」", p.get("owner"), p,
                     f"$.parts.part4.proposals[{i}]")

    def _part5(self, p5):
        for kind, section in p5.items():
            path = f"$.parts.part5.{kind}"
            name = SUPPORT_LABELS.get(kind, kind)
            self.add("part5", "support", (kind,), name, None, section, path)
            self.passage("part5", f"part5.{kind}.none_reason", section.get("none_reason"), f"{path}.none_reason",
                         label=f"{name}：該当する事業がない理由")
            for i, g in enumerate(section.get("groups", [])):
                gpath = f"{path}.groups[{i}]"
                self.add("part5", "group", (kind, g.get("heading")), f"{name}「{g.get('heading')}」", None, g, gpath,
                         group=(kind,))
                for j, p in enumerate(g.get("projects", [])):
                    self.add("part5", "project5", (kind, g.get("heading"), p.get("title")),
                             f"{name}「{p.get('title')}」", p.get("owner"), p, f"{gpath}.projects[{j}]",
                             group=(kind, g.get("heading")))

    def _schedule(self, a12):
        for i, p in enumerate(a12.get("projects", [])):
            path = f"$.parts.annex1_2.projects[{i}]"
            key = (p.get("solution"), p.get("number"))
            label = f"解決策{p.get('solution')} 事業{p.get('number')}「{p.get('title')}」"
            self.add("annex1_2", "schedule", key, label, p.get("owner"), p, path)
            for j, item in enumerate(p.get("items", [])):
                text = item.get("label") or item.get("text") or ""
                self.add("annex1_2", "schedule_item", (*key, item.get("label"), item.get("text")),
                         f"{label} の項目「{text[:40]}」", p.get("owner"), item, f"{path}.items[{j}]", group=key)
        if a12.get("notes"):
            self.add("annex1_2", "passage", ("annex1_2.notes",), "注記", None, {"text": a12["notes"]},
                     "$.parts.annex1_2.notes")

    def _rows(self, part, kind, table, rows, path, cells=None):
        for i, r in enumerate(rows or []):
            self.add(part, kind, (table, r.get("name")), f"{TABLE_LABELS.get(table, table)}「{r.get('name')}」",
                     r.get("owner"), r, f"{path}[{i}]", group=(table,), cells=cells(r) if cells else None)

    def _annex2(self, a2):
        self._rows("annex2", "special", "special_measures", a2.get("special_measures"),
                   "$.parts.annex2.special_measures")
        for table in ("feasible_measures", "nationwide_measures"):
            self._rows("annex2", "measure", table, a2.get(table), f"$.parts.annex2.{table}")
        self.findings("annex2", "annex2", "別紙2", a2.get("survey_findings"), "$.parts.annex2.survey_findings")

    def _annex3(self, a3):
        def fiscal_cells(r):
            return {(y["fiscal_year"], CELL_COLUMNS[c]): text_of(y[c], AMOUNT, self.names)
                    for y in r.get("years", []) for c in ("requested", "national", "local", "stated_total")
                    if y.get(c) is not None}

        def count_cells(r):
            return {(y["fiscal_year"], CELL_COLUMNS["count"]): text_of(y["count"], AMOUNT, self.names)
                    for y in r.get("years", []) if y.get("count") is not None}

        self._rows("annex3", "fiscal", "fiscal", a3.get("fiscal"), "$.parts.annex3.fiscal", fiscal_cells)
        for table in ("tax", "financial"):
            self._rows("annex3", "count", table, a3.get(table), f"$.parts.annex3.{table}", count_cells)
        self.findings("annex3", "annex3", "別紙3", a3.get("survey_findings"), "$.parts.annex3.survey_findings")

    def _annex4(self, a4):
        for table in ANNEX4_TABLES:
            self._rows("annex4", "local", table, a4.get(table), f"$.parts.annex4.{table}")
        self.passage("annex4", "annex4.structure", a4.get("structure"), "$.parts.annex4.structure")
        self.passage("annex4", "annex4.private_sector", a4.get("private_sector"), "$.parts.annex4.private_sector")
        self.findings("annex4", "annex4", "別紙4", a4.get("survey_findings"), "$.parts.annex4.survey_findings")


# ---- matching and comparing -------------------------------------------------------------------------------------

def authority_names(*snapshots: dict) -> dict:
    names = {}
    for s in snapshots:
        for a in s.get("authorities", []):
            names.setdefault(a["slug"], a.get("name", a["slug"]))
    return names


def _pairs(old: list[_Item], new: list[_Item]) -> list[tuple[_Item | None, _Item | None]]:
    """Pair items by key; then the unmatched, in order, within the same group (table and owner)."""
    new_by_key = {i.key: i for i in new}
    pairs, used, left_old = [], set(), []
    for item in old:
        match = new_by_key.get(item.key)
        if match is not None:
            pairs.append((item, match))
            used.add(id(match))
        else:
            left_old.append(item)
    left_new = [i for i in new if id(i) not in used]
    by_group: dict = defaultdict(list)
    for item in left_new:
        by_group[item.group].append(item)
    for item in left_old:
        candidates = by_group.get(item.group)
        if candidates:
            match = candidates.pop(0)
            used.add(id(match))
            pairs.append((item, match))
        else:
            pairs.append((item, None))
    pairs += [(None, i) for i in left_new if id(i) not in used]
    return pairs


def _field_changes(old: dict, new: dict) -> list[FieldChange]:
    changes = []
    for label in dict.fromkeys([*old, *new]):
        a, b = old.get(label, EMPTY), new.get(label, EMPTY)
        if a != b:
            diff = inline_diff("" if a == EMPTY else a, "" if b == EMPTY else b, context=CONTEXT)
            changes.append(FieldChange(label, a, b, mark_safe(diff)))  # escaped by inline_diff
    return changes


def _cell_changes(old: dict, new: dict) -> list[CellChange]:
    """A cell without a figure is the same absent or empty; cells are matched by fiscal year and column."""
    changes = []
    for fy, column in sorted(set(old) | set(new), key=lambda k: (k[0], k[1])):
        a, b = old.get((fy, column), NOTHING), new.get((fy, column), NOTHING)
        if a != b:
            changes.append(CellChange(fy, fiscal_year_label(fy), column, a, b))
    return changes


def _emptied_by_design(cell: CellChange, old_year, new_year) -> bool:
    """YEAR-BOUND cells: a figure of a year after the older edition's (a forecast or a plan, e.g. 別紙3's amounts of
    later years) that the newer edition of a later year has empty — next year's edition starts those years empty by
    design. A figure typed into such a cell is a change."""
    return (isinstance(old_year, int) and isinstance(new_year, int) and old_year < new_year
            and cell.fiscal_year > old_year and cell.old != NOTHING and cell.new == NOTHING)


def _present(values: dict) -> dict:
    """The values of an added or removed item worth showing (not its empty fields)."""
    return {k: v for k, v in values.items() if v != EMPTY}


def compare(old: dict, new: dict) -> Comparison:
    """What changed from ``old`` to ``new`` (two interchange snapshots), by the rules above."""
    names = authority_names(new, old)
    old_year = (old.get("edition") or {}).get("fiscal_year")
    new_year = (new.get("edition") or {}).get("fiscal_year")
    year_bound = old_year != new_year
    old_items = _Collector(old, names).collect(year_bound)
    new_items = _Collector(new, names).collect(year_bound)
    order = {item.key: n for n, item in enumerate(new_items)}
    changes, bound = [], []
    for a, b in _pairs(old_items, new_items):
        item = b or a
        if a is None:
            if not _present(b.values) and not b.cells:
                continue  # an empty placeholder (a co-author's 実績値 row without any figure)
            change = Change(item.part, KIND_LABELS.get(item.kind, item.kind), item.label, item.owner, ADDED,
                            _field_changes({}, _present(b.values)), _cell_changes({}, b.cells), path=b.path)
        elif b is None:
            if not _present(a.values) and not a.cells:
                continue
            change = Change(item.part, KIND_LABELS.get(item.kind, item.kind), item.label, item.owner, REMOVED,
                            _field_changes(_present(a.values), {}), _cell_changes(a.cells, {}), path=a.path)
        else:
            fields, cells = _field_changes(a.values, b.values), _cell_changes(a.cells, b.cells)
            emptied = [c for c in cells if _emptied_by_design(c, old_year, new_year)]
            if emptied:
                cells = [c for c in cells if c not in emptied]
                bound.append((order.get(item.key, len(order)), Change(
                    item.part, KIND_LABELS.get(item.kind, item.kind), b.label, b.owner or a.owner, CHANGED, [],
                    emptied, year_bound=True, path=b.path)))
            if not fields and not cells:
                continue
            change = Change(item.part, KIND_LABELS.get(item.kind, item.kind), b.label, b.owner or a.owner, CHANGED,
                            fields, cells, path=b.path)
        change.year_bound = item.year_bound
        (bound if item.year_bound else changes).append((order.get(item.key, len(order)), change))
    part_order = {key: n for n, (key, _) in enumerate(PARTS)}

    def ordered(items):
        return [c for _, c in sorted(items, key=lambda x: (part_order.get(x[1].part, 99), x[0]))]

    return Comparison(ordered(changes), ordered(bound), old_year, new_year)

