"""Archive pages and actions: submission, the zone's archive (every year's editions), the archived files and their
検証, corrections (訂正版). Thin: the rules are asked in services.py and rules.py."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..authorities.rules import require, rules_for
from ..errors import refusal
from ..reports.permissions import viewable_edition_or_refuse
from ..workflow.views import edition_transition
from . import services
from .selectors import zone_archive, zone_or_none


def _edition(request, zone_slug, fiscal_year, revision=None):
    return viewable_edition_or_refuse(request.user, zone_slug, fiscal_year, revision)


def _zone(request, zone_slug):
    zone = zone_or_none(zone_slug)
    if zone is None:
        raise Http404("特区がありません")
    require(rules_for(request.user).view_archive(zone))
    return zone


def _archive_page(request, zone, checks=None, status=200):
    years = zone_archive(zone)
    rules = rules_for(request.user)
    for year in years:
        for item in year.editions:
            if checks and item.edition.pk == checks[0]:
                item.checks = checks[1]
            item.can_correct = rules.correct_edition(item.edition)
    return render(request, "archive/zone.html", {"zone": zone, "years": years}, status=status)


@login_required
@require_GET
def zone_page(request, zone_slug):
    """Every year's editions of a zone: state, submission, archived files with their SHA-256, 検証, corrections."""
    return _archive_page(request, _zone(request, zone_slug))


@login_required
@require_POST
def verify(request, zone_slug, fiscal_year, revision):
    """検証: recompute the SHA-256 of the edition's archived files; the page says whether they still match."""
    zone = _zone(request, zone_slug)
    edition = _edition(request, zone_slug, fiscal_year, revision)
    try:
        checks = services.verify_submission(request.user, edition)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    return _archive_page(request, zone, checks=(edition.pk, checks))


@login_required
@require_POST
def correct(request, zone_slug, fiscal_year, revision):
    """A correction (訂正版) of a submitted edition, by the zone's coordinator; then its page (the current one)."""
    edition = _edition(request, zone_slug, fiscal_year, revision)
    try:
        correction = services.correct_edition(request.user, edition, request.POST.get("reason", ""))
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    messages.success(request, f"{edition}の訂正版（{correction.revision_label}）を作成しました。各部分は下書きです。"
                              "審査・署名・提出を経て、この版が現在の版になります。")
    return redirect("reports:edition_detail", zone_slug=zone_slug, fiscal_year=fiscal_year)


@login_required
@require_POST
def submit(request, zone_slug, fiscal_year):
    edition = _edition(request, zone_slug, fiscal_year)
    return edition_transition(request, edition, services.submit,
                              f"{edition}を提出しました。評価書は凍結され、提出版PDFとデータを保存しました。")


@login_required
@require_GET
def submission_file(request, zone_slug, fiscal_year, kind, revision=None):
    """The archived PDF or JSON of an edition: the current one of (zone, year), or the given revision."""
    from ..workflow.models import Submission

    edition = _edition(request, zone_slug, fiscal_year, revision)
    submission = Submission.objects.filter(edition=edition).select_related("pdf").first()
    if submission is None or kind not in ("pdf", "json"):
        raise Http404("提出版のファイルがありません")
    suffix = f"-r{edition.revision}" if edition.revision else ""
    name = f"{edition.zone.slug}-{edition.fiscal_year}{suffix}-submitted"
    if kind == "pdf":
        return FileResponse(submission.pdf.open(), content_type="application/pdf", filename=f"{name}.pdf")
    response = HttpResponse(submission.export_json, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response
