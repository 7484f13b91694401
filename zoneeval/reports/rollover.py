"""Next year's edition as a transformation of this year's interchange document (a pure function of the dict: no
database), used with copying.copy_edition.

What carries over: co-authors, owners, indicators, targets with their yearly targets, every actual figure up to the
source year, texts (as drafts for their owners to update), schedule items, measures and proposals. What is emptied:
the actual cells of the new year and later (目標値 stay), 別紙3 amounts and counts of those years, and the 進捗度
printed for them. Section 2④ (前年度の評価結果) quotes the source year's national evaluation (国の評価), or is left
empty for the coordinator when none is recorded yet."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .figures import fmt

ZONE_KIND_LABELS = {"international": "国際戦略総合特区", "regional": "地域活性化総合特区"}


@dataclass(frozen=True)
class PreviousEvaluation:
    """What 2④ of the new edition quotes: the source year's national evaluation."""

    overall_score: Decimal | None
    comments: str  # sanitised rich text (HTML)
    result: str = ""


def _years(first: int, last: int) -> range:
    return range(first, last + 1)


def _targets(document: dict, source_year: int, plan: range) -> None:
    for indicator in document["parts"]["part3"]["indicators"]:
        for target in indicator["targets"]:
            years = {y["fiscal_year"]: y for y in target["years"]}
            for fy in plan:
                years.setdefault(fy, {"fiscal_year": fy, "target": None, "actuals": [], "stated_progress": None})
            for fy, year in years.items():
                if fy > source_year:
                    year["actuals"] = []
                    year["stated_progress"] = None
            target["years"] = [years[fy] for fy in sorted(years)]


def _annex3(document: dict, source_year: int, new_year: int) -> None:
    annex3 = document["parts"]["annex3"]
    for row in annex3["fiscal"]:  # the columns are the plan years the row has; those after the source year empty
        for year in row["years"]:
            if year["fiscal_year"] > source_year:
                year.update(requested=None, national=None, local=None, stated_total=None)
    for kind in ("tax", "financial"):
        for row in annex3[kind]:
            years = {y["fiscal_year"]: y for y in row["years"]}
            years.setdefault(new_year, {"fiscal_year": new_year, "count": None})  # the columns run to the edition year
            for fy, year in years.items():
                if fy > source_year:
                    year["count"] = None
            row["years"] = [years[fy] for fy in sorted(years)]


def _previous_evaluation(document: dict, evaluation: PreviousEvaluation | None) -> None:
    part = document["parts"]["part2"]["previous_evaluation"]
    coordinator = document["edition"]["coordinator"]
    part["label"] = ZONE_KIND_LABELS[document["zone"]["kind"]]
    if evaluation is None:
        part["score"] = None
        part["comments"] = {"owner": coordinator, "text": ""}
        return
    part["score"] = fmt(evaluation.overall_score) if evaluation.overall_score is not None else None
    text = evaluation.comments or (f"<p>{evaluation.result}</p>" if evaluation.result else "")
    part["comments"] = {"owner": coordinator, "text": text}


def next_year(document: dict, *, source_year: int, evaluation: PreviousEvaluation | None,
              plan_last_year: int | None = None) -> dict:
    """``document`` (already re-targeted to the new year by copy_edition) made into next year's draft."""
    new_year = document["edition"]["fiscal_year"]
    period = document["edition"]["plan_period"]
    if plan_last_year is not None and plan_last_year > period["last_fiscal_year"]:
        period["last_fiscal_year"] = plan_last_year
    plan = _years(period["first_fiscal_year"], period["last_fiscal_year"])
    _targets(document, source_year, plan)
    _annex3(document, source_year, new_year)
    _previous_evaluation(document, evaluation)
    return document
