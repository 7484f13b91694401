"""Reads of the workflow: "my work" for a user, and the sign-off state of an edition."""
from __future__ import annotations

from ..authorities.models import Membership
from ..drafting.models import Part
from ..reports.models import Edition
from .models import Comment, SignOff


def _authority_roles(user) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {}
    for authority_id, role in Membership.objects.filter(user=user, authority__isnull=False).values_list(
            "authority_id", "role"):
        roles.setdefault(authority_id, set()).add(role)
    return roles


def my_work(user) -> dict:
    """What the signed-in user must do, only for the authorities they act for."""
    if not user.is_authenticated:
        return {"to_review": [], "to_revise": [], "to_sign": [], "errors": [], "comments": [], "total": 0}
    roles = _authority_roles(user)
    approving = [a for a, r in roles.items() if "approver" in r]
    editing = [a for a, r in roles.items() if r & {"drafter", "approver", "coordinator"}]
    parts = Part.objects.filter(edition__submitted_at__isnull=True).select_related(
        "edition__zone", "authority", "last_editor")
    to_review = [p for p in parts.filter(state=Part.State.IN_REVIEW, authority_id__in=approving)
                 if p.last_editor_id != user.pk]
    to_revise = list(parts.filter(state=Part.State.RETURNED, authority_id__in=editing))
    to_sign, errors = [], []
    from ..assembly.models import AssemblyRun

    for edition in Edition.objects.filter(coauthors__authority_id__in=approving + editing,
                                          submitted_at__isnull=True).distinct().select_related("zone"):
        run = AssemblyRun.objects.filter(edition=edition, status=AssemblyRun.Status.SUCCEEDED).select_related(
            "snapshot").first()
        if run is None:
            continue
        mine = {c.authority_id: c.authority for c in edition.coauthors.select_related("authority")}
        slugs = {mine[a].slug for a in editing if a in mine}
        errors += [{"edition": edition, "finding": f} for f in run.findings
                   if f["severity"] == "error" and f.get("owner") in slugs]
        all_approved = not Part.objects.filter(edition=edition).exclude(state=Part.State.APPROVED).exists()
        if all_approved and run.error_count == 0:
            signed = set(SignOff.objects.filter(edition=edition, voided_at__isnull=True,
                                                content_hash=run.snapshot.content_hash).values_list(
                "authority_id", flat=True))
            for authority_id in approving:
                if authority_id in mine and authority_id not in signed:
                    to_sign.append({"edition": edition, "authority": mine[authority_id],
                                    "content_hash": run.snapshot.content_hash})
    comments = list(Comment.objects.filter(part__authority_id__in=editing, resolved=False,
                                           part__edition__submitted_at__isnull=True).select_related(
        "part__edition__zone", "part__authority", "author")[:50])
    total = len(to_review) + len(to_revise) + len(to_sign) + len(errors)
    return {"to_review": to_review, "to_revise": to_revise, "to_sign": to_sign, "errors": errors,
            "comments": comments, "total": total}


def signoff_status(edition: Edition, content_hash: str | None) -> list[dict]:
    signed = {}
    if content_hash:
        for s in SignOff.objects.filter(edition=edition, voided_at__isnull=True, content_hash=content_hash
                                        ).select_related("user"):
            signed[s.authority_id] = s
    return [{"authority": c.authority, "signoff": signed.get(c.authority_id)}
            for c in edition.coauthors.select_related("authority")]


def annotate_part_actions(user, parts) -> list:
    """Set on each part what the user may do (the buttons shown; the services check again)."""
    from .services import is_approver, is_coordinator, is_editor

    for part in parts:
        editor, approver = is_editor(user, part.authority_id), is_approver(user, part.authority_id)
        coordinator = is_coordinator(user, part.edition)
        part.can_submit = editor and part.state in ("draft",)
        part.can_revise = editor and part.state == "returned"
        part.can_review = approver and part.state == "in_review" and part.last_editor_id != user.pk
        part.can_reopen = (approver or coordinator) and part.state == "approved"
        part.can_comment = editor or coordinator
    return parts
