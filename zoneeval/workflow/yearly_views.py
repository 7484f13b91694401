"""Pages and actions of the yearly cycle: the national evaluation form, and the button that makes next year's
edition. Thin: rules in authorities/rules.py, writes in yearly.py."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..authorities.rules import require, rules_for
from ..drafting.fields import RichTextField
from ..errors import refusal
from ..reports.era import fiscal_year_label
from ..reports.models import NationalEvaluation
from ..reports.permissions import viewable_edition_or_refuse
from ..reports.presentation import national_score_label
from ..reports.selectors import national_evaluation as get_national_evaluation
from . import yearly


def _initial(evaluation) -> dict:
    if evaluation is None:
        return {}
    values = {name: national_score_label(getattr(evaluation, name)) for name in yearly.SCORE_FIELDS}
    return values | {"result": evaluation.result, "comments": evaluation.comments}


def _fields(values: dict, errors: dict) -> list[dict]:
    return [{"name": name, "label": str(label), "value": values.get(name, ""), "errors": errors.get(name, []),
             "required": name == "overall_score"} for name, label in NationalEvaluation.ITEMS]


def _comments(value: str) -> tuple[str, list[str]]:
    """The comments as the rich-text editor sends them (or plain lines, without JavaScript), cleaned."""
    try:
        return RichTextField().clean(value), []
    except ValidationError as error:
        return value, list(error.messages)


@login_required
def national_evaluation(request, zone_slug, fiscal_year):
    """The coordinator records the national evaluation of a submitted edition (GET shows the form, POST records)."""
    edition = viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)
    require(rules_for(request.user).record_national_evaluation(edition))
    evaluation = get_national_evaluation(edition)
    values, errors, status, problem = _initial(evaluation), {}, 200, ""
    version = evaluation.version if evaluation else 0
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in (*yearly.SCORE_FIELDS, "result", "comments")}
        try:
            posted_version = int(request.POST.get("version", "0"))
        except ValueError:
            posted_version = -1
        comments, comment_errors = _comments(values["comments"])
        try:
            if comment_errors:
                raise yearly.EvaluationInvalid({"comments": comment_errors})
            yearly.record_national_evaluation(request.user, edition, values | {"comments": comments}, posted_version)
        except yearly.EvaluationInvalid as invalid:
            errors, status, problem = invalid.errors, 422, str(invalid)
        except yearly.StaleTransition as stale:
            status, problem = 409, str(stale)
        except yearly.TransitionRefused as refused:
            return refusal(request, refused)
        else:
            messages.success(request, f"{edition}の国の評価を記録しました。")
            return redirect(reverse("reports:edition_detail", args=[zone_slug, fiscal_year]) + "#yearly")
    editor = RichTextField().widget.render("comments", values.get("comments", ""), attrs={
        "id": "id_comments", **({"aria-invalid": "true", "aria-describedby": "id_comments-error"}
                                if errors.get("comments") else {})})
    return render(request, "workflow/national_evaluation.html", {
        "comments_editor": editor,
        "edition": edition, "fields": _fields(values, errors), "values": values, "errors": errors,
        "problem": problem, "version": version, "evaluation": evaluation,
        "year_label": fiscal_year_label(edition.fiscal_year)}, status=status)


@login_required
@require_POST
def roll_over(request, zone_slug, fiscal_year):
    """The coordinator's button: next year's edition from this submitted one. A refusal says why on the edition
    page where the button is."""
    edition = viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)
    page = reverse("reports:edition_detail", args=[zone_slug, fiscal_year])
    try:
        made = yearly.roll_over(request.user, edition)
    except yearly.RolloverRefused as refused:
        messages.error(request, f"次年度の評価書は作成できません：{refused.args[0]}")
        return redirect(page + "#yearly")
    except yearly.TransitionRefused as refused:
        return refusal(request, refused)
    messages.success(request, f"{made}を作成しました。各部分は下書きです。作成主体それぞれが内容を更新してください。")
    return redirect(reverse("reports:edition_detail", args=[zone_slug, made.fiscal_year]))
