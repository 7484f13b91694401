"""Workflow pages and actions. Thin: every rule lives in services.py."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..drafting.models import Part
from ..errors import refusal
from ..reports.permissions import can_view_edition, viewable_edition_or_refuse
from . import services
from .models import AuditEntry, Comment
from .selectors import my_work

PART_ACTIONS = {
    "submit": lambda user, part, version, text: services.submit_for_review(user, part, version),
    "return": lambda user, part, version, text: services.return_part(user, part, version, text),
    "revise": lambda user, part, version, text: services.start_revision(user, part, version),
    "approve": lambda user, part, version, text: services.approve(user, part, version),
    "reopen": lambda user, part, version, text: services.reopen(user, part, version, text),
}


def _viewable_part(request, part_id) -> Part:
    part = get_object_or_404(Part.objects.select_related("edition__zone", "authority"), pk=part_id)
    if not can_view_edition(request.user, part.edition):
        raise PermissionDenied("この評価書を閲覧する権限がありません。")
    return part


def _back(part):
    return reverse("drafting:section", args=[part.edition.zone.slug, part.edition.fiscal_year, part.section]) + \
        f"#part-{part.pk}"


def _refused(request, error, status=403):
    messages.error(request, str(error.args[0] if error.args else error))
    return status


@login_required
@require_POST
def part_action(request, part_id, action):
    part = _viewable_part(request, part_id)
    if action not in PART_ACTIONS:
        raise Http404
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = 0
    try:
        PART_ACTIONS[action](request.user, part, version, request.POST.get("text", ""))
    except services.StaleTransition as stale:
        messages.error(request, str(stale))
        return redirect(_back(part)) if not request.headers.get("HX-Request") else refusal(request, stale, 409)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    return redirect(_back(part))


@login_required
@require_POST
def add_comment(request, part_id):
    part = _viewable_part(request, part_id)
    parent = Comment.objects.filter(pk=request.POST.get("parent") or 0, part=part).first()
    try:
        services.add_comment(request.user, part, request.POST.get("body", ""), parent)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    return redirect(_back(part))


@login_required
@require_POST
def resolve_comment(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("part__edition__zone", "part__authority"),
                                pk=comment_id)
    if not can_view_edition(request.user, comment.part.edition):
        raise PermissionDenied
    try:
        services.resolve_comment(request.user, comment)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    return redirect(_back(comment.part))


def _edition(request, zone_slug, fiscal_year):
    return viewable_edition_or_refuse(request.user, zone_slug, fiscal_year)


def _edition_transition(transition):
    """A POST view for an edition transition that takes the content hash the user saw."""

    @login_required
    @require_POST
    def view(request, zone_slug, fiscal_year):
        edition = _edition(request, zone_slug, fiscal_year)
        try:
            transition(request.user, edition, request.POST.get("content_hash", ""))
        except services.TransitionRefused as refused:
            return refusal(request, refused, 409 if isinstance(refused, services.StaleTransition) else 403)
        return redirect(reverse("reports:edition_detail", args=[zone_slug, fiscal_year]) + "#signoff")

    return view


sign_off = _edition_transition(services.sign_off)
submit = _edition_transition(services.submit)


@login_required
def submission_file(request, zone_slug, fiscal_year, kind):
    edition = _edition(request, zone_slug, fiscal_year)
    submission = getattr(edition, "submission", None)
    if submission is None:
        raise Http404
    name = f"{edition.zone.slug}-{edition.fiscal_year}-submitted"
    if kind == "pdf":
        return FileResponse(open(submission.pdf.path, "rb"), content_type="application/pdf", filename=f"{name}.pdf")
    response = HttpResponse(submission.export_json, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
def my_work_page(request):
    return render(request, "workflow/my_work.html", {"work": my_work(request.user)})


@login_required
def edition_audit(request, zone_slug, fiscal_year):
    edition = _edition(request, zone_slug, fiscal_year)
    entries = AuditEntry.objects.filter(edition=edition).select_related("actor", "part__authority")
    return render(request, "workflow/audit.html", {"edition": edition, "entries": entries, "part": None})


@login_required
def part_audit(request, part_id):
    part = _viewable_part(request, part_id)
    entries = AuditEntry.objects.filter(part=part).select_related("actor", "part__authority")
    return render(request, "workflow/audit.html", {"edition": part.edition, "entries": entries, "part": part})
