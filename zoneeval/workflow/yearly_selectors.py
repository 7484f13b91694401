"""Reads of the yearly cycle for the edition page: the national evaluation and whether next year can be made."""
from __future__ import annotations

from ..authorities.rules import Decision, deny
from ..reports.era import fiscal_year_label
from ..reports.presentation import national_score_label
from ..reports.selectors import get_edition, national_evaluation
from .yearly import rollover_refusal


def yearly_panel(rules, edition) -> dict:
    """What the 国の評価・次年度 panel of the edition page shows, each button with its decision (and reason)."""
    evaluation = national_evaluation(edition)
    can_record = rules.record_national_evaluation(edition)
    can_roll = rules.roll_over(edition)
    if can_roll:
        reason = rollover_refusal(edition)
        can_roll = deny(reason) if reason else can_roll
    next_year = edition.fiscal_year + 1
    following = get_edition(edition.zone.slug, next_year)
    return {
        "national_evaluation": evaluation,
        "national_scores": [(label, national_score_label(score)) for label, score in evaluation.scores()]
        if evaluation else [],
        "can_record_evaluation": can_record,
        "can_roll_over": can_roll if isinstance(can_roll, Decision) else Decision(bool(can_roll)),
        "next_year_label": fiscal_year_label(next_year),
        "next_edition": following,
    }
