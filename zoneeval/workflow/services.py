"""The workflow, readable in one place. Each transition is a service: check (permission, state, version), change
state in one transaction, write the audit log, notify after commit.

Part:     draft ──submit──▶ in_review ──approve──▶ approved ──reopen(reason)──▶ draft
                              └──return(comment)──▶ returned ──revise──▶ draft
          Any edit of an approved part voids its approval (back to draft). An approval records the part version.
Edition:  every part approved → the coordinator assembles and validates → with no error, an approver of every
          co-author signs off the assembled version (its content hash) → the coordinator submits: frozen, archived.
          Any change voids the sign-offs.
"""
from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..authorities.models import Membership
from ..drafting.models import Part
from ..reports.models import Edition
from . import notifications
from .models import Approval, AuditEntry, Comment, SignOff, Submission


class TransitionRefused(PermissionDenied):
    """A transition that the rules forbid; the message says why, in Japanese."""


class StaleTransition(TransitionRefused):
    pass


# ---- who is who ----------------------------------------------------------------------------------------------

def _roles(user, authority_id) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, authority_id=authority_id).values_list("role", flat=True))


def is_editor(user, authority_id) -> bool:
    return bool(_roles(user, authority_id) & {"drafter", "approver", "coordinator"})


def is_approver(user, authority_id) -> bool:
    return "approver" in _roles(user, authority_id)


def is_coordinator(user, edition: Edition) -> bool:
    return "coordinator" in _roles(user, edition.coordinator_id)


# ---- helpers -------------------------------------------------------------------------------------------------

def audit(edition, actor, action: str, *, part=None, subject="", before=None, after=None, comment="") -> AuditEntry:
    return AuditEntry.objects.create(edition=edition, part=part, actor=actor, action=action, subject=subject[:500],
                                     before=before or {}, after=after or {}, comment=comment)


def _locked_part(part: Part, version: int) -> Part:
    locked = Part.objects.select_for_update().select_related("edition", "authority").get(pk=part.pk)
    if locked.edition.is_frozen:
        raise TransitionRefused("提出済みの評価書は変更できません。")
    if locked.version != version:
        raise StaleTransition("この部分は画面を開いた後に更新されました。再読み込みしてから操作してください。")
    return locked


def _move(part: Part, actor, action: str, new_state: str, comment: str = "") -> None:
    before = {"state": part.state, "version": part.version}
    part.state = new_state
    part.version += 1
    part.save(update_fields=["state", "version", "updated_at"])
    audit(part.edition, actor, action, part=part, subject=str(part), before=before,
          after={"state": part.state, "version": part.version}, comment=comment)


def _notify(subject, body, authority_ids, roles):
    transaction.on_commit(lambda: notifications.send(subject, body, authority_ids, roles))


def _void_signoffs(edition: Edition, actor, why: str) -> int:
    voided = SignOff.objects.filter(edition=edition, voided_at__isnull=True).update(voided_at=timezone.now())
    if voided:
        audit(edition, actor, "signoffs_voided", subject=str(edition), comment=why, after={"voided": voided})
    return voided


# ---- part transitions ----------------------------------------------------------------------------------------

@transaction.atomic
def submit_for_review(user, part: Part, version: int) -> Part:
    part = _locked_part(part, version)
    if not is_editor(user, part.authority_id):
        raise TransitionRefused("審査依頼は担当自治体の起草者・承認者だけが行えます。")
    if part.state != Part.State.DRAFT:
        raise TransitionRefused(f"「{part.get_state_display()}」の部分は審査依頼できません。")
    _move(part, user, "submit_for_review", Part.State.IN_REVIEW)
    _notify(f"審査依頼：{part}", f"{user.username} が「{part}」の審査を依頼しました。", [part.authority_id],
            notifications.APPROVERS)
    return part


@transaction.atomic
def return_part(user, part: Part, version: int, comment: str) -> Part:
    part = _locked_part(part, version)
    if not is_approver(user, part.authority_id):
        raise TransitionRefused("差戻しは担当自治体の承認者だけが行えます。")
    if part.state != Part.State.IN_REVIEW:
        raise TransitionRefused("審査中の部分だけを差し戻せます。")
    if not comment.strip():
        raise TransitionRefused("差戻しにはコメントが必要です。")
    Comment.objects.create(part=part, author=user, body=comment.strip())
    _move(part, user, "return", Part.State.RETURNED, comment=comment.strip())
    _notify(f"差戻し：{part}", f"{user.username} が「{part}」を差し戻しました。\n\n{comment}", [part.authority_id],
            notifications.EDITORS)
    return part


@transaction.atomic
def start_revision(user, part: Part, version: int) -> Part:
    part = _locked_part(part, version)
    if not is_editor(user, part.authority_id):
        raise TransitionRefused("修正は担当自治体の起草者・承認者だけが行えます。")
    if part.state != Part.State.RETURNED:
        raise TransitionRefused("差戻しされた部分だけを修正に戻せます。")
    _move(part, user, "start_revision", Part.State.DRAFT)
    return part


@transaction.atomic
def approve(user, part: Part, version: int) -> Approval:
    part = _locked_part(part, version)
    if not is_approver(user, part.authority_id):
        raise TransitionRefused("承認は担当自治体の承認者だけが行えます。")
    if part.state != Part.State.IN_REVIEW:
        raise TransitionRefused("審査中の部分だけを承認できます。")
    if part.last_editor_id == user.pk:
        raise TransitionRefused("最後に編集した人は、その部分を承認できません（自己承認の禁止）。")
    approved_version = part.version
    _move(part, user, "approve", Part.State.APPROVED)
    approval = Approval.objects.create(part=part, approver=user, part_version=approved_version)
    _notify(f"承認：{part}", f"{user.username} が「{part}」を承認しました。", [part.authority_id], notifications.EDITORS)
    if not Part.objects.filter(edition=part.edition).exclude(state=Part.State.APPROVED).exists():
        _notify(f"全部分承認：{part.edition}", "すべての部分が承認されました。取りまとめ・検証を実行してください。",
                [part.edition.coordinator_id], notifications.COORDINATORS)
    return approval


@transaction.atomic
def reopen(user, part: Part, version: int, reason: str) -> Part:
    part = _locked_part(part, version)
    if not (is_approver(user, part.authority_id) or is_coordinator(user, part.edition)):
        raise TransitionRefused("承認済みの部分を再開できるのは担当自治体の承認者か取りまとめ担当です。")
    if part.state != Part.State.APPROVED:
        raise TransitionRefused("承認済みの部分だけを再開できます。")
    if not reason.strip():
        raise TransitionRefused("再開には理由が必要です。")
    Approval.objects.filter(part=part, voided_at__isnull=True).update(voided_at=timezone.now(), void_reason="再開")
    _move(part, user, "reopen", Part.State.DRAFT, comment=reason.strip())
    _void_signoffs(part.edition, user, f"「{part}」の再開")
    _notify(f"再開：{part}", f"{user.username} が「{part}」を再開しました。\n\n理由：{reason}", [part.authority_id],
            notifications.EDITORS)
    return part


def part_edited(part: Part, user, revision) -> None:
    """Called by the drafting services inside their transaction, after every edit of an item of ``part``."""
    audit(part.edition, user, f"edit_{revision.action}", part=part, subject=revision.item_label,
          before=revision.before, after=revision.after)
    if part.state == Part.State.APPROVED:
        Approval.objects.filter(part=part, voided_at__isnull=True).update(
            voided_at=timezone.now(), void_reason="承認後の編集")
        Part.objects.filter(pk=part.pk).update(state=Part.State.DRAFT)
        audit(part.edition, user, "approval_voided", part=part, subject=str(part), comment="承認後に編集されました。")
    elif part.state == Part.State.RETURNED:
        Part.objects.filter(pk=part.pk).update(state=Part.State.DRAFT)
    _void_signoffs(part.edition, user, f"「{part}」の編集")


# ---- comments ------------------------------------------------------------------------------------------------

def add_comment(user, part: Part, body: str, parent: Comment | None = None) -> Comment:
    from ..reports.permissions import can_view_edition

    if not can_view_edition(user, part.edition) or not (is_editor(user, part.authority_id)
                                                        or is_coordinator(user, part.edition)):
        raise TransitionRefused("この部分にコメントできるのは担当自治体と取りまとめ担当です。")
    if part.edition.is_frozen:
        raise TransitionRefused("提出済みの評価書にはコメントできません。")
    if not body.strip():
        raise TransitionRefused("コメントを入力してください。")
    if parent is not None and parent.part_id != part.pk:
        raise TransitionRefused("返信先のコメントが正しくありません。")
    with transaction.atomic():
        comment = Comment.objects.create(part=part, author=user, body=body.strip(), parent=parent)
        audit(part.edition, user, "comment", part=part, subject=str(part), comment=body.strip())
    return comment


def resolve_comment(user, comment: Comment) -> Comment:
    part = comment.part
    if not (is_editor(user, part.authority_id) or is_coordinator(user, part.edition)):
        raise TransitionRefused("このコメントを解決済みにする権限がありません。")
    with transaction.atomic():
        comment.resolved, comment.resolved_by, comment.resolved_at = True, user, timezone.now()
        comment.save(update_fields=["resolved", "resolved_by", "resolved_at"])
        audit(part.edition, user, "comment_resolved", part=part, subject=str(part), comment=comment.body[:200])
    return comment


# ---- the edition ---------------------------------------------------------------------------------------------

def current_hash(edition: Edition) -> str:
    from ..assembly.services import content_hash
    from ..reports.interchange.export import edition_snapshot, to_json

    return content_hash(to_json(edition_snapshot(edition)))


def signable_run(edition: Edition, content_hash_now: str | None = None):
    """The latest assembly run if it can be signed off: all parts approved, succeeded, no error, current content.
    ``content_hash_now``: the edition's current hash when the caller has already built its snapshot."""
    from ..assembly.models import AssemblyRun
    from ..drafting.services import ensure_parts

    ensure_parts(edition)
    if Part.objects.filter(edition=edition).exclude(state=Part.State.APPROVED).exists():
        return None, "すべての部分が承認されていません。"
    run = AssemblyRun.objects.filter(edition=edition, status=AssemblyRun.Status.SUCCEEDED).select_related(
        "snapshot", "artefact").first()
    if run is None:
        return None, "取りまとめ・検証がまだ実行されていません。"
    if run.error_count:
        return None, f"検証でエラーが{run.error_count}件あります。"
    if run.snapshot.content_hash != (content_hash_now or current_hash(edition)):
        return None, "取りまとめ後に内容が変更されました。もう一度取りまとめ・検証を実行してください。"
    return run, ""


@transaction.atomic
def sign_off(user, edition: Edition, content_hash: str) -> SignOff:
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition.is_frozen:
        raise TransitionRefused("提出済みの評価書です。")
    authorities = [c.authority_id for c in edition.coauthors.all() if is_approver(user, c.authority_id)]
    if not authorities:
        raise TransitionRefused("最終承認（署名）は作成主体の承認者だけが行えます。")
    run, why = signable_run(edition)
    if run is None:
        raise TransitionRefused(why)
    if content_hash != run.snapshot.content_hash:
        raise StaleTransition("署名しようとした版は最新の取りまとめ版ではありません。再読み込みしてください。")
    authority_id = authorities[0]
    if SignOff.objects.filter(edition=edition, authority_id=authority_id, voided_at__isnull=True).exists():
        raise TransitionRefused("この自治体は既に署名しています。")
    signoff = SignOff.objects.create(edition=edition, authority_id=authority_id, user=user, content_hash=content_hash)
    audit(edition, user, "sign_off", subject=str(edition), after={"content_hash": content_hash,
                                                                  "authority_id": authority_id})
    _notify(f"最終承認：{edition}", f"{user.username} が取りまとめ版（{content_hash[:12]}）に署名しました。",
            [edition.coordinator_id], notifications.COORDINATORS)
    return signoff


def missing_signoffs(edition: Edition, content_hash: str) -> list:
    signed = set(SignOff.objects.filter(edition=edition, voided_at__isnull=True, content_hash=content_hash)
                 .values_list("authority_id", flat=True))
    return [c.authority for c in edition.coauthors.select_related("authority") if c.authority_id not in signed]


@transaction.atomic
def submit(user, edition: Edition, content_hash: str) -> Submission:
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition.is_frozen:
        raise TransitionRefused("この評価書は既に提出されています。")
    if not is_coordinator(user, edition):
        raise TransitionRefused("提出は取りまとめ自治体の取りまとめ担当だけが行えます。")
    run, why = signable_run(edition)
    if run is None:
        raise TransitionRefused(why)
    if content_hash != run.snapshot.content_hash:
        raise StaleTransition("提出しようとした版は最新の取りまとめ版ではありません。")
    missing = missing_signoffs(edition, content_hash)
    if missing:
        raise TransitionRefused("署名が済んでいない作成主体があります：" + "、".join(a.name for a in missing))
    audit(edition, user, "submit", subject=str(edition), after={"content_hash": content_hash})
    export = submission_export(edition, run.snapshot.payload)
    pdf_bytes = run.artefact.path.read_bytes()
    submission = Submission.objects.create(
        edition=edition, submitted_by=user, content_hash=content_hash, pdf=run.artefact,
        pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(), export_json=export,
        export_sha256=hashlib.sha256(export.encode("utf-8")).hexdigest())
    edition.submitted_at = timezone.now()
    edition.save(update_fields=["submitted_at", "updated_at"])
    _notify(f"提出：{edition}", f"{edition} を提出しました（{content_hash[:12]}）。",
            [c.authority_id for c in edition.coauthors.all()], notifications.EDITORS)
    return submission


def submission_export(edition: Edition, snapshot_payload: str) -> str:
    """The archived JSON: the validated snapshot (interchange format, with derived figures) and the audit log."""
    document = json.loads(snapshot_payload)
    document["audit"] = audit_log(edition)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def audit_log(edition: Edition) -> list[dict]:
    return [
        {"at": e.created_at.isoformat(), "actor": e.actor.username if e.actor else None, "action": e.action,
         "part": str(e.part) if e.part else None, "subject": e.subject, "before": e.before, "after": e.after,
         "comment": e.comment}
        for e in AuditEntry.objects.filter(edition=edition).select_related("actor", "part__authority")
    ]
