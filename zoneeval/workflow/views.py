"""Workflow pages and actions. Thin: every rule lives in services.py."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..authorities.rules import require, rules_for
from ..drafting.models import Part
from ..errors import refusal, safe_next
from ..reports.permissions import viewable_edition_or_refuse
from . import services
from .models import AuditEntry, Comment
from .readable import describe
from .selectors import changes_since_approval, my_work

PART_ACTIONS = {
    "submit": lambda user, part, version, text: services.submit_for_review(user, part, version),
    "return": lambda user, part, version, text: services.return_part(user, part, version, text),
    "revise": lambda user, part, version, text: services.start_revision(user, part, version),
    "approve": lambda user, part, version, text: services.approve(user, part, version),
    "reopen": lambda user, part, version, text: services.reopen(user, part, version, text),
}


def _viewable_part(request, part_id) -> Part:
    part = get_object_or_404(Part.objects.select_related("edition__zone", "authority"), pk=part_id)
    require(rules_for(request.user).view_edition(part.edition))
    return part


def _back(part):
    return reverse("drafting:section", args=[part.edition.zone.slug, part.edition.fiscal_year, part.section]) + \
        f"#part-{part.pk}"


def _return_to(request, part) -> str:
    """Back to where the user came from (a safe ``next`` or Referer), at the part; else the part's section page."""
    url = safe_next(request, _back(part))
    section = reverse("drafting:section", args=[part.edition.zone.slug, part.edition.fiscal_year, part.section])
    if "#" not in url and section in url:
        url += f"#part-{part.pk}"
    return url


PART_DONE = {
    "submit": "「{part}」の審査を依頼しました。",
    "return": "「{part}」を差し戻しました。",
    "revise": "「{part}」を下書きに戻しました。修正できます。",
    "approve": "「{part}」を承認しました。",
    "reopen": "「{part}」を再開しました（下書き）。",
}


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
    messages.success(request, PART_DONE[action].format(part=part))
    return redirect(_return_to(request, part))


@login_required
@require_POST
def add_comment(request, part_id):
    part = _viewable_part(request, part_id)
    parent = Comment.objects.filter(pk=request.POST.get("parent") or 0, part=part).first()
    try:
        services.add_comment(request.user, part, request.POST.get("body", ""), parent)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    messages.success(request, f"「{part}」にコメントしました。")
    return redirect(_return_to(request, part))


@login_required
@require_POST
def resolve_comment(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("part__edition__zone", "part__authority"),
                                pk=comment_id)
    require(rules_for(request.user).view_edition(comment.part.edition))
    try:
        services.resolve_comment(request.user, comment)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    messages.success(request, "コメントを解決済みにしました。")
    return redirect(_return_to(request, comment.part))


def _edition(request, zone_slug, fiscal_year, revision=None):
    return viewable_edition_or_refuse(request.user, zone_slug, fiscal_year, revision)


@login_required
@require_POST
def print_options(request, zone_slug, fiscal_year):
    """The coordinator's options of the edition's PDF: the 別紙1 charts on or off."""
    edition = _edition(request, zone_slug, fiscal_year)
    on = request.POST.get("annex1_charts") == "on"
    try:
        services.set_annex1_charts(request.user, edition, on)
    except services.TransitionRefused as refused:
        return refusal(request, refused)
    messages.success(request, "PDFの別紙1にグラフを印刷します。" if on else "PDFの別紙1にグラフを印刷しません。")
    return redirect(reverse("reports:edition_detail", args=[zone_slug, fiscal_year]) + "#print-options")




@login_required
@require_POST
def sign_off(request, zone_slug, fiscal_year):
    """A co-author's sign-off of the assembled version, bound to the content hash the user saw. (Submission is the
    archive app's: zoneeval/archive/views.py.)"""
    edition = _edition(request, zone_slug, fiscal_year)
    return edition_transition(request, edition, services.sign_off, f"{edition}の取りまとめ版に署名しました。")


def edition_transition(request, edition, transition, done: str):
    """An edition transition that takes the content hash the user saw (sign-off here, submission in archive/): the
    refusal on the page where the user acted (409 for a stale version), else back to the sign-off panel."""
    try:
        transition(request.user, edition, request.POST.get("content_hash", ""))
    except services.TransitionRefused as refused:
        return refusal(request, refused, 409 if isinstance(refused, services.StaleTransition) else 403)
    messages.success(request, done)
    page = reverse("reports:edition_detail", args=[edition.zone.slug, edition.fiscal_year])
    url = safe_next(request, page)
    return redirect(url + "#signoff" if url.split("?")[0].endswith(page) else url)


@login_required
def my_work_page(request):
    work = my_work(request.user)
    # the navigation's count from the same reading (the context processor then computes nothing)
    return render(request, "workflow/my_work.html", {"work": work, "my_work_count": work["total"]})


@login_required
def review_queue(request):
    """The parts the user may approve, each with its changes since its last approval; several approved at once."""
    if request.method == "POST":
        return _approve_several(request)
    parts = changes_since_approval([item["part"] for item in my_work(request.user, exact=False)["to_review"]])
    return render(request, "workflow/review_queue.html", {"parts": parts})


def _approve_several(request):
    """Each checked part goes through the approval service with the version it was shown at: the per-part rules
    apply to each; the message says which were approved and which were refused, and why."""
    ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("part") if v.isdigit()))[:200]
    if not ids:
        messages.warning(request, "承認する部分を選んでください。")
        return redirect("workflow:review_queue")
    approved, refused = [], []
    parts = Part.objects.select_related("edition__zone", "authority").in_bulk(ids)
    for part_id in ids:
        part = parts.get(part_id)
        if part is None or not rules_for(request.user).view_edition(part.edition):
            refused.append((f"#{part_id}", "この部分は見つかりません。"))
            continue
        try:
            version = int(request.POST.get(f"version-{part_id}", "0"))
        except ValueError:
            version = 0
        try:
            services.approve(request.user, part, version)
        except services.TransitionRefused as error:
            refused.append((str(part), str(error.args[0] if error.args else error)))
        else:
            approved.append(str(part))
    if approved:
        messages.success(request, f"{len(approved)}件を承認しました：" + "、".join(approved))
    for name, reason in refused:
        messages.error(request, f"「{name}」は承認できませんでした：{reason}")
    return redirect(safe_next(request, reverse("workflow:review_queue")))


@login_required
def edition_audit(request, zone_slug, fiscal_year, revision=None):
    edition = _edition(request, zone_slug, fiscal_year, revision)
    entries = AuditEntry.objects.filter(edition=edition).select_related("actor", "part__authority")
    return render(request, "workflow/audit.html", {"edition": edition, "entries": describe(entries), "part": None})


@login_required
def part_audit(request, part_id):
    part = _viewable_part(request, part_id)
    entries = AuditEntry.objects.filter(part=part).select_related("actor", "part__authority")
    return render(request, "workflow/audit.html", {"edition": part.edition, "entries": describe(entries), "part": part})


# ---- members of the edition's co-authors ----------------------------------------------------------------------

@login_required
def members(request, zone_slug, fiscal_year):
    """Every co-author's members; each authority's coordinators manage their own authority's members."""
    from ..authorities.forms import MembershipForm
    from ..authorities.models import Authority, Membership
    from ..authorities.services import grant_role

    edition = _edition(request, zone_slug, fiscal_year)
    rules = rules_for(request.user)
    authorities = list(Authority.objects.filter(coauthorships__edition=edition).order_by("coauthorships__order"))
    managed = rules.managed_authority_ids([a.pk for a in authorities])
    if not managed:
        raise PermissionDenied("担当者を管理できるのは、作成主体それぞれの取りまとめ担当だけです。")
    form = MembershipForm(request.POST or None, authorities=Authority.objects.filter(pk__in=managed))
    if request.method == "POST" and form.is_valid():
        try:
            grant_role(request.user, form.cleaned_data["username"], form.cleaned_data["authority"],
                       form.cleaned_data["role"])
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "担当者を追加しました。")
            return redirect(request.path)
    memberships = list(Membership.objects.filter(authority__in=authorities).select_related("user", "authority")
                       .order_by("authority__coauthorships__order", "role", "user__username").distinct())
    for membership in memberships:
        membership.can_remove = rules.revoke_role(membership)
    log = AuditEntry.objects.filter(authority__in=authorities).select_related("actor", "authority").order_by(
        "-created_at", "-pk")[:50]
    return render(request, "workflow/members.html", {
        "edition": edition, "form": form, "memberships": memberships, "log": describe(log),
        "managed": [a for a in authorities if a.pk in managed]}, status=422 if form.errors else 200)


@login_required
@require_POST
def remove_member(request, zone_slug, fiscal_year, membership_id):
    from ..authorities.models import Membership
    from ..authorities.services import revoke_role

    edition = _edition(request, zone_slug, fiscal_year)
    membership = get_object_or_404(Membership.objects.select_related("user", "authority"), pk=membership_id,
                                   authority__coauthorships__edition=edition)
    revoke_role(request.user, membership)
    messages.success(request, f"{membership.user.username} の「{membership.get_role_display()}」を外しました。")
    return redirect("workflow:members", zone_slug=zone_slug, fiscal_year=fiscal_year)
