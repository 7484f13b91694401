"""Reads of the workflow: "my work" for a user, and the sign-off state of an edition."""
from __future__ import annotations

from django.db.models import Q

from ..authorities.models import EDITING_ROLES, Membership
from ..authorities.rules import eligible_approver_ids, rules_for
from ..drafting.models import Part, Revision
from ..reports.models import Edition
from .models import Comment, SignOff


def my_work(user) -> dict:
    """What the signed-in user must do, only for the authorities they act for."""
    if not user.is_authenticated:
        return {"to_review": [], "to_revise": [], "to_sign": [], "errors": [], "comments": [], "total": 0}
    rules = rules_for(user)
    roles = {a: r for a, r in rules.roles.items() if a is not None}
    approving = [a for a, r in roles.items() if Membership.Role.APPROVER in r]
    editing = [a for a, r in roles.items() if r & EDITING_ROLES]
    parts = Part.objects.filter(edition__submitted_at__isnull=True).select_related(
        "edition__zone", "authority", "last_editor")
    in_review = with_content_authors(list(parts.filter(state=Part.State.IN_REVIEW).filter(
        Q(authority_id__in=approving) | Q(edition__coordinator_id__in=approving))))
    to_review = [p for p in in_review if rules.approve(p)]
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


def with_content_authors(parts: list) -> list:
    """Set ``content_author_ids`` on each part (who changed it since its last approval): two queries in all."""
    from .models import Approval

    last_approval = {}
    for part_id, at in Approval.objects.filter(part__in=parts).values_list("part_id", "created_at"):
        last_approval[part_id] = max(at, last_approval.get(part_id, at))
    authors = {p.pk: set() for p in parts}
    for part_id, user_id, at in Revision.objects.filter(part__in=parts).exclude(user=None).values_list(
            "part_id", "user_id", "created_at"):
        if part_id not in last_approval or at > last_approval[part_id]:
            authors[part_id].add(user_id)
    for part in parts:
        part.content_author_ids = authors[part.pk]
    return parts


def annotate_part_actions(user, parts) -> list:
    """Set on each part what the user may do (the buttons shown), each with the rules' reason when not; and, for a
    part in review that nobody may approve, what to do about it. The services check again."""
    rules = rules_for(user)
    for part in with_content_authors(list(parts)):
        part.can_submit = rules.request_review(part)
        part.can_revise = rules.revise(part)
        part.can_review = rules.approve(part)
        part.can_return = rules.return_part(part)
        part.can_reopen = rules.reopen(part)
        part.can_comment = rules.comment(part)
        part.review_note = _review_note(part) if part.state == Part.State.IN_REVIEW else ""
    return parts


def _review_note(part) -> str:
    """Who can approve a part in review, in words — and what to do when nobody can."""
    eligible, from_coordinator = eligible_approver_ids(part)
    if not eligible:
        return ("この部分を承認できる承認者がいません（前回の承認以降に編集した人は承認できません）。"
                "担当自治体の取りまとめ担当に、編集していない承認者の追加を依頼してください。")
    if from_coordinator:
        return ("担当自治体の承認者は全員この部分を編集しているため、取りまとめ自治体の承認者が審査します"
                "（または担当自治体に編集していない承認者を追加してください）。")
    return "担当自治体の承認者の審査待ちです。"
