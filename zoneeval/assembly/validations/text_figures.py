"""Figures that a target's text quotes (当該年度の目標値・実績値・進捗度, 累計) agree with its table."""
import re
from decimal import Decimal

from ...reports.anchors import target_anchor
from ...reports.era import fiscal_year_label
from ...reports.figures import dec, fmt
from ...reports.input import normalise_digits
from ...reports.text import sentences
from ...reports.units import UNITS, convert
from . import messages
from .finding import ERROR, Finding

ABOVE = re.compile(r"^\s*(を|と)?(大きく|大幅に)?(上回|超え|超)")
PROGRESS = re.compile(r"進捗(?:度|率)(?:は|が|も)?\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]")


def _quantities(sentence: str, unit: str):
    """(position, value in ``unit``, quoted text, rest of the sentence) for every amount written in a unit of the
    same kind as ``unit`` (87億円, 1,290人, 24.5万人)."""
    dimension = UNITS.get(unit, (unit, None))[0]
    names = sorted((u for u, (d, _) in UNITS.items() if d == dimension), key=len, reverse=True) or [unit]
    pattern = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(" + "|".join(map(re.escape, names)) + ")")
    for match in pattern.finditer(sentence):
        value = convert(Decimal(match.group(1).replace(",", "")), match.group(2), unit)
        if value is not None:
            yield match.start(), value, match.group(0), sentence[match.end():]


def _mentions_other_year(sentence: str, fiscal_year: int, first: int, last: int) -> bool:
    current = fiscal_year_label(fiscal_year)
    if current in sentence or "今年度" in sentence or "当該年度" in sentence:
        return False
    return any(fiscal_year_label(fy) in sentence for fy in range(first, last + 1) if fy != fiscal_year)


def text_figures_agree(snapshot: dict) -> list[Finding]:
    edition = snapshot["edition"]
    fiscal_year = edition["fiscal_year"]
    first, last = edition["plan_period"]["first_fiscal_year"], edition["plan_period"]["last_fiscal_year"]
    findings = []
    for i_index, indicator in enumerate(snapshot["parts"]["part3"]["indicators"]):
        for t_index, target in enumerate(indicator["targets"]):
            figures = snapshot["derived"]["targets"][target["code"]]
            current = figures["current"] or {}
            unit = target["unit"]
            path = f"$.parts.part3.indicators[{i_index}].targets[{t_index}].boxes.self_evaluation"

            def add(message):
                findings.append(Finding("text_figures_agree", ERROR, message, "annex1", path,
                                        target_anchor(target["code"]), target["owner"]))

            for sentence in sentences(normalise_digits(target["boxes"]["self_evaluation"])):
                if _mentions_other_year(sentence, fiscal_year, first, last):
                    continue
                quantities = list(_quantities(sentence, unit))
                if "累計" in sentence:
                    allowed = {dec(figures["plan_goal_in_unit"]), dec(figures["cumulative_actual"])}
                    for _, value, quoted, _ in quantities:
                        if value not in allowed:
                            add(messages.TEXT_CUMULATIVE.format(
                                code=target["code"], quoted=quoted, goal=f"{fmt(dec(figures['plan_goal_in_unit']))}{unit}",
                                year=fiscal_year_label(fiscal_year), cumulative=f"{figures['cumulative_actual']}{unit}"))
                    continue
                if "目標" in sentence and "実績" in sentence:
                    table_target, table_actual = dec(current.get("target")), dec(current.get("actual"))
                    goal_at, actual_at = sentence.find("目標"), sentence.find("実績")
                    after_goal = [q for q in quantities if q[0] > goal_at]
                    if after_goal and table_target is not None and after_goal[0][1] != table_target:
                        add(messages.TEXT_TARGET.format(code=target["code"], quoted=after_goal[0][2],
                                                        actual=f"{fmt(table_target)}{unit}"))
                    for _, value, quoted, rest in quantities:
                        if ABOVE.match(rest) and table_actual is not None and not table_actual > value:
                            add(messages.TEXT_ACTUAL_ABOVE.format(code=target["code"], quoted=quoted,
                                                                  actual=f"{fmt(table_actual)}{unit}"))
                    after_actual = [q for q in quantities if q[0] > actual_at and not ABOVE.match(q[3])]
                    if after_actual and table_actual is not None and after_actual[0][1] != table_actual:
                        add(messages.TEXT_ACTUAL.format(code=target["code"], quoted=after_actual[0][2],
                                                        actual=f"{fmt(table_actual)}{unit}"))
                for match in PROGRESS.finditer(sentence):
                    quoted = int(Decimal(match.group(1)))
                    if current.get("progress") is not None and quoted != current["progress"]:
                        add(messages.TEXT_PROGRESS.format(code=target["code"], quoted=match.group(1),
                                                          computed=current["progress"]))
    return findings
