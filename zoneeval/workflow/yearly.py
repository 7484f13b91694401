"""The yearly cycle of a zone: the national evaluation (国の評価) of a submitted edition, and next year's edition
made from it (rollover). Services: check the rules, change in one transaction, audit, notify after commit."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import limits
from ..authorities.rules import Rules
from ..reports.copying import copy_edition
from ..reports.era import fiscal_year_label, fiscal_year_range_label
from ..reports.input import NotANumber, parse_amount
from ..reports.interchange.checks import ImportRefused
from ..reports.models import Edition, NationalEvaluation
from ..reports.rollover import PreviousEvaluation, next_year
from ..reports.sanitize import clean_html
from ..reports.selectors import get_edition, national_evaluation_of_year
from . import notifications
from .services import StaleTransition, TransitionRefused, _check, _notify, audit


class EvaluationInvalid(TransitionRefused):
    """The national evaluation's values are refused; ``errors`` maps each field to its Japanese messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("入力内容を確認してください。")


class RolloverRefused(TransitionRefused):
    """Next year's edition cannot be made; the message says why, in Japanese."""


# ---- the national evaluation -----------------------------------------------------------------------------------

SCORE_FIELDS = [name for name, _label in NationalEvaluation.ITEMS]


def _score(value, required: bool) -> tuple[Decimal | None, str | None]:
    try:
        score = parse_amount(str(value if value is not None else ""))
    except NotANumber:
        return None, "数値（例 3.9）で入力してください。"
    if score is None:
        return None, ("入力してください。" if required else None)
    if abs(score) >= 10 ** 6 or score != score.quantize(Decimal("0.1")):
        return None, "評価点は小数第1位まで（例 3.9）で入力してください。"
    return score, None


def _evaluation_values(data: dict) -> dict:
    """The form's values as model values, or EvaluationInvalid with every field's messages."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name in SCORE_FIELDS:
        values[name], error = _score(data.get(name), required=name == "overall_score")
        if error:
            errors[name] = [error]
    values["result"] = (data.get("result") or "").strip()
    values["comments"] = clean_html(data.get("comments") or "")
    candidate = NationalEvaluation(**{k: v for k, v in values.items()})
    try:
        candidate.clean_fields(exclude=["edition", "recorded_by"] + list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise EvaluationInvalid(errors)
    return values


def _as_record(evaluation: NationalEvaluation | None) -> dict:
    if evaluation is None:
        return {}
    return {name: (str(getattr(evaluation, name)) if getattr(evaluation, name) is not None else None)
            for name in SCORE_FIELDS} | {"result": evaluation.result}


@transaction.atomic
def record_national_evaluation(user, edition: Edition, data: dict, version: int = 0) -> NationalEvaluation:
    """Record (or correct) the national evaluation of a submitted edition. ``version`` is the version the form was
    loaded from (0 for a new one): a stale form is refused."""
    # the edition's row lock serialises recordings (a first one of two at once would otherwise both insert); a lock
    # is no write: the freeze triggers do not fire
    edition = Edition.objects.select_for_update().select_related("zone").get(pk=edition.pk)
    _check(Rules(user).record_national_evaluation(edition))
    values = _evaluation_values(data)
    evaluation = NationalEvaluation.objects.select_for_update().filter(edition=edition).first()
    if (evaluation.version if evaluation else 0) != version:
        raise StaleTransition("他の人が先に国の評価を記録しました。ページを読み込み直して確認してください。")
    before = _as_record(evaluation)
    if evaluation is None:
        evaluation = NationalEvaluation(edition=edition)
    else:
        evaluation.version += 1
    for name, value in values.items():
        setattr(evaluation, name, value)
    evaluation.recorded_by = user
    evaluation.save()
    audit(edition, user, "national_evaluation", subject=str(edition), before=before, after=_as_record(evaluation))
    _notify(f"国の評価：{edition}", f"{edition} の国の評価（総合評価 {evaluation.overall_score}点）が記録されました。",
            [c.authority_id for c in edition.coauthors.all()], notifications.EDITORS)
    return evaluation


# ---- next year's edition (rollover) ----------------------------------------------------------------------------

def rollover_refusal(source: Edition | None, *, zone_slug: str = "", from_year: int | None = None,
                     plan_last_year: int | None = None) -> str | None:
    """Why next year's edition cannot be made from ``source`` (None: it can). The one statement of the conditions,
    for the button, the service and the command."""
    if source is None:
        return f"{zone_slug} の{fiscal_year_label(from_year)}の評価書はありません。"
    year = source.fiscal_year + 1
    if not source.is_frozen:
        return (f"{fiscal_year_label(source.fiscal_year)}の評価書はまだ提出されていません。次年度の評価書は提出済みの"
                f"評価書から作成します。先に提出してください。")
    if source.is_superseded:
        return "この版は訂正版に置き換えられています。次年度の評価書は現在の版（最新の訂正版）から作成してください。"
    if get_edition(source.zone.slug, year) is not None:
        return f"{fiscal_year_label(year)}の評価書は既にあります。"
    last = source.plan_last_fiscal_year
    if year > last and not (plan_last_year and plan_last_year >= year):
        return (f"計画期間（{fiscal_year_range_label(source.plan_first_fiscal_year, last)}）は"
                f"{fiscal_year_label(last)}で終わります。{fiscal_year_label(year)}の評価書を作るには新しい計画期間"
                f"（総合特区計画の新たな認定）が必要です。")
    if plan_last_year is not None and not year <= plan_last_year <= limits.FISCAL_YEAR_MAX:
        return f"計画期間の最終年度は{fiscal_year_label(year)}以降にしてください。"
    return None


@transaction.atomic
def roll_over(user, source: Edition, *, plan_last_year: int | None = None) -> Edition:
    """Next year's edition of ``source``'s zone, copied from ``source`` through the interchange format
    (reports/copying.py, reports/rollover.py): a draft, every part 下書き, 2④ quoting the national evaluation.
    ``user`` None: an operator's command (no rules; audited without an actor). ``source`` is never written."""
    # the source's row lock serialises two presses of the button (the second then finds next year's edition)
    source = Edition.objects.select_for_update().select_related("zone", "coordinator").get(pk=source.pk)
    if user is not None:
        _check(Rules(user).roll_over(source))
    reason = rollover_refusal(source, plan_last_year=plan_last_year)
    if reason:
        raise RolloverRefused(reason)
    evaluation = national_evaluation_of_year(source)
    previous = None if evaluation is None else PreviousEvaluation(
        overall_score=evaluation.overall_score, comments=evaluation.comments, result=evaluation.result)
    year = source.fiscal_year + 1
    try:
        edition = copy_edition(source, fiscal_year=year, adapt=lambda document: next_year(
            document, source_year=source.fiscal_year, evaluation=previous, plan_last_year=plan_last_year))
    except ImportRefused as refused:
        raise RolloverRefused("次年度の評価書を作成できませんでした：" + "；".join(str(p) for p in refused.problems)) \
            from refused
    audit(edition, user, "rollover", subject=str(edition),
          after={"from_fiscal_year": source.fiscal_year, "from_edition": source.pk,
                 "national_score": str(evaluation.overall_score) if evaluation else None})
    _notify(f"次年度の評価書：{edition}", f"{source} から {edition} を作成しました。各部分は下書きです。内容を更新してください。",
            [c.authority_id for c in edition.coauthors.all()], notifications.EDITORS)
    return edition
