"""Checks an interchange document before anything is written: first the JSON Schema, then the rules of the model
that a schema cannot express. Every problem is reported with the JSON path it concerns (``$.parts.part3…``)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema

from ... import limits
from ..target_kinds import actual_figure_refusal

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


class ImportRefused(Exception):
    """The document was refused; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def preview(value, limit: int = 40) -> str:
    """A short repr of a value for a message (never the whole of a 1 MB string)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…（{len(value) if isinstance(value, str) else len(text):,}文字）"


_PATTERNS = {
    limits.SLUG_PATTERN: "識別子（英小文字・数字・ハイフン、63文字以内）",
    limits.AMOUNT_PATTERN: f"負でない数値（整数部{limits.AMOUNT_INTEGER_DIGITS}桁・小数部{limits.AMOUNT_DECIMAL_PLACES}桁まで、例 \"1200.5\"）",
    limits.CONTRIBUTION_PATTERN: "寄与度（整数部4桁・小数部2桁まで）",
    limits.SCORE_PATTERN: "評価点（整数部3桁・小数部1桁まで）",
}


def _message(error) -> str:
    """A Japanese message for a schema error (with a short English gloss), quoting at most a preview of the value."""
    keyword, value, limit = error.validator, error.instance, error.validator_value
    if keyword == "type":
        return f"{preview(value)} の型が違います（{limit} が必要です） (is not of type {limit!r})"
    if keyword == "required":
        missing = [name for name in limit if isinstance(value, dict) and name not in value]
        return f"{', '.join(missing)} がありません ('{', '.join(missing)}' is a required property)"
    if keyword == "additionalProperties":
        extra = [key for key in value if key not in error.schema.get("properties", {})] if isinstance(value, dict) else []
        return f"不明な項目 {', '.join(map(preview, extra))} があります (additional properties are not allowed)"
    if keyword in ("maxLength", "minLength"):
        if keyword == "minLength":
            return "空にはできません (should be non-empty)"
        return f"{limit:,}文字以内にしてください（{len(value):,}文字あります） (is too long: {preview(value)})"
    if keyword == "not":
        found = limits.forbidden_character(value, line="u2028" in str(limit)) if isinstance(value, str) else None
        return (limits.characters_message(found or "?", line="u2028" in str(limit))
                + f" (forbidden character {found} in {preview(value)})")
    if keyword == "pattern":
        wanted = _PATTERNS.get(limit, "決められた形式")
        return f"{preview(value)} は{wanted}ではありません (does not match the required form)"
    if keyword in ("minimum", "maximum"):
        word = "以上" if keyword == "minimum" else "以下"
        return f"{preview(value)} は{limit}{word}にしてください (must be {'>=' if keyword == 'minimum' else '<='} {limit})"
    if keyword in ("enum", "const"):
        allowed = limit if keyword == "enum" else [limit]
        return f"{preview(value)} は使えません（{', '.join(map(repr, allowed))} のいずれか） (is not one of the allowed values)"
    if keyword == "minItems":
        return f"{limit}件以上必要です (should have at least {limit} items)"
    return f"{preview(value)}: {error.validator} に合いません (fails {error.validator})"


def schema_problems(document) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        # For oneOf failures, the most specific sub-error names the real problem.
        best = jsonschema.exceptions.best_match([error]) if error.context else error
        problems.append(Problem(_path(best.absolute_path), _message(best)))
    return problems


def _walk(node, path=()):
    """Yield (path, key, value) for every key of every object in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, path + (index,))


def _month_index(month: str) -> int:
    year, m = month.split("-")
    return int(year) * 12 + int(m) - 1


def model_problems(document: dict) -> list[Problem]:
    """Rules beyond the schema. Assumes the document passed the schema."""
    problems: list[Problem] = []

    def add(path, message):
        problems.append(Problem(_path(path), message))

    slugs = [a["slug"] for a in document["authorities"]]
    for index, slug in enumerate(slugs):
        if slugs.index(slug) != index:
            add(("authorities", index, "slug"), f"作成主体 '{slug}' が重複しています (duplicate co-author)")
    known = set(slugs)
    names = {a["slug"]: a["name"] for a in document["authorities"]}
    edition = document["edition"]
    if edition["coordinator"] not in known:
        add(("edition", "coordinator"), f"取りまとめ自治体 '{edition['coordinator']}' が作成主体にありません "
                                        f"(the coordinator is not a co-author)")

    for path, key, value in _walk(document["parts"], ("parts",)):
        if key in ("owner", "authority") and isinstance(value, str) and value not in known:
            add(path + (key,), f"'{value}' は作成主体ではありません (unknown authority)")
        if key == "authorities" and isinstance(value, list):  # a 別紙4 row: co-authors' slugs and partner bodies
            for index, body in enumerate(value):
                if isinstance(body, str) and body not in known:
                    add(path + (key, index), f"'{body}' は作成主体ではありません。作成主体以外の団体は "
                                             f"{{\"name\": \"（団体名）\"}} の形で名前を書いてください "
                                             f"(unknown authority; name a partner body as {{\"name\": …}})")
            bodies = [body if isinstance(body, str) else ("name", body["name"]) for body in value]
            if len(set(bodies)) != len(bodies):
                add(path + (key,), "自治体名が重複しています (duplicate authority)")

    first = edition["plan_period"]["first_fiscal_year"]
    last = edition["plan_period"]["last_fiscal_year"]
    if first > last:
        add(("edition", "plan_period"), f"計画期間の初年度 {first} が最終年度 {last} より後です")
        return problems
    if not first <= edition["fiscal_year"] <= last:
        add(("edition", "fiscal_year"), f"{edition['fiscal_year']} is outside the plan period {first}–{last} "
                                        f"(評価対象年度が計画期間外です)")

    for path, key, value in _walk(document["parts"], ("parts",)):
        if key == "fiscal_year" and isinstance(value, int) and "baseline" not in path and "cumulative" not in path:
            if not first <= value <= last:
                add(path + (key,), f"{value} is outside the plan period {first}–{last} (年度が計画期間外です)")

    first_month, last_month = first * 12 + 3, (last + 1) * 12 + 2  # April of first … March after last
    for p_index, project in enumerate(document["parts"]["annex1_2"]["projects"]):
        for i_index, item in enumerate(project["items"]):
            base = ("parts", "annex1_2", "projects", p_index, "items", i_index)
            for b_index, bar in enumerate(item["bars"]):
                start, end = _month_index(bar["start"]), _month_index(bar["end"])
                if start > end:
                    add(base + ("bars", b_index), f"開始月 {bar['start']} が終了月 {bar['end']} より後です")
                for key in ("start", "end"):
                    if not first_month <= _month_index(bar[key]) <= last_month:
                        add(base + ("bars", b_index, key), f"{bar[key]} is outside the plan months (計画期間外の月です)")
            for m_index, milestone in enumerate(item["milestones"]):
                if not first_month <= _month_index(milestone["month"]) <= last_month:
                    add(base + ("milestones", m_index, "month"),
                        f"{milestone['month']} is outside the plan months (計画期間外の月です)")

    part3 = document["parts"]["part3"]
    codes: dict[str, tuple] = {}
    numbers = set()
    for i_index, indicator in enumerate(part3["indicators"]):
        ipath = ("parts", "part3", "indicators", i_index)
        if indicator["number"] in numbers:
            add(ipath + ("number",), f"評価指標({indicator['number']}) が重複しています")
        numbers.add(indicator["number"])
        for t_index, target in enumerate(indicator["targets"]):
            tpath = ipath + ("targets", t_index)
            if target["code"] in codes:
                add(tpath + ("code",), f"数値目標{target['code']} が重複しています (duplicate target)")
            codes[target["code"]] = tpath
            years = [y["fiscal_year"] for y in target["years"]]
            for y_index, year in enumerate(years):
                if years.index(year) != y_index:
                    add(tpath + ("years", y_index, "fiscal_year"), f"{year} が重複しています (duplicate year)")
            for y_index, year in enumerate(target["years"]):
                owners = [a["authority"] for a in year["actuals"]]
                for a_index, owner in enumerate(owners):
                    apath = tpath + ("years", y_index, "actuals", a_index, "authority")
                    if owners.index(owner) != a_index:
                        add(apath, f"'{owner}' の実績値が重複しています (one figure per authority)")
                    refusal = actual_figure_refusal(target["kind"], target["owner"], owner,
                                                    owner_name=names.get(target["owner"], ""))
                    if refusal:
                        add(apath, f"{refusal} (a level target's actual is one zone figure, by the target's owner "
                                   f"'{target['owner']}')")
            if target["kind"] == "level":
                if not target.get("baseline"):
                    add(tpath + ("baseline",), "水準型の数値目標には基準値が必要です (a level target needs a baseline)")
                goal = target.get("plan_goal")
                if not goal or goal.get("fiscal_year") is None:
                    add(tpath + ("plan_goal",), "水準型の数値目標には目標値と目標年度が必要です "
                                                "(a level target needs a goal with its fiscal year)")
    solution_numbers = set()
    for s_index, solution in enumerate(part3["solutions"]):
        spath = ("parts", "part3", "solutions", s_index)
        if solution["number"] in solution_numbers:
            add(spath + ("number",), f"解決策{solution['number']} が重複しています")
        solution_numbers.add(solution["number"])
        for r_index, ref in enumerate(solution["related_targets"]):
            if ref not in codes:
                add(spath + ("related_targets", r_index), f"数値目標{ref} はありません (no such target)")

    project_numbers = set()
    for p_index, project in enumerate(document["parts"]["annex1_2"]["projects"]):
        ppath = ("parts", "annex1_2", "projects", p_index)
        if project["number"] in project_numbers:
            add(ppath + ("number",), f"事業{project['number']} が重複しています")
        project_numbers.add(project["number"])
        if solution_numbers and project["solution"] not in solution_numbers:
            add(ppath + ("solution",), f"解決策{project['solution']} はありません (no such solution)")

    for r_index, row in enumerate(document["parts"]["annex3"]["fiscal"]):
        years = [y["fiscal_year"] for y in row["years"]]
        for y_index, year in enumerate(years):
            if years.index(year) != y_index:
                add(("parts", "annex3", "fiscal", r_index, "years", y_index, "fiscal_year"), f"{year} が重複しています")
    return problems


def problems_in(document) -> list[Problem]:
    found = schema_problems(document)
    if found:
        return found
    return model_problems(document)
