"""The workflow, readable in one place. Each transition is a service: check (permission, state, version), change
state in one transaction, write the audit log, notify after commit.

Part:     draft ──submit──▶ in_review ──approve──▶ approved ──reopen(reason)──▶ draft
                              └──return(comment)──▶ returned ──revise──▶ draft
          Any edit of an approved part voids its approval (back to draft). An approval records the part version.
Edition:  every part approved → the coordinator assembles and validates → with no error, an approver of every
          co-author signs off the assembled version (its content hash) → the coordinator submits: frozen, archived
          (zoneeval/archive/services.py, which also makes a correction: a new edition superseding a submitted one).
          Any change voids the sign-offs.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import limits
from ..authorities.rules import Refused, Rules
from ..drafting.models import Part
from ..reports.models import Edition
from . import events, notifications
from .models import Approval, AuditEntry, Comment, SignOff


class TransitionRefused(Refused):
    """A transition that the rules forbid; the message says why, in Japanese."""


class StaleTransition(TransitionRefused):
    pass


# ---- the rules (zoneeval/authorities/rules.py answers "may this user do this") ---------------------------------

def _check(decision) -> None:
    if not decision:
        raise TransitionRefused(decision.reason)


def _bounded(text: str, what: str) -> str:
    """A comment or reason: stripped, within the comment limit, no control or bidi-override characters."""
    text = (text or "").strip()
    if len(text) > limits.COMMENT_MAX:
        raise TransitionRefused(f"{what}は{limits.COMMENT_MAX:,}文字以内で入力してください（{len(text):,}文字）。")
    bad = limits.forbidden_character(text, line=False)
    if bad:
        raise TransitionRefused(f"{what}に使えない文字（{bad}）が含まれています。")
    return text


# ---- helpers -------------------------------------------------------------------------------------------------

def audit(edition, actor, action: str, *, part=None, authority=None, subject="", before=None, after=None,
          comment="") -> AuditEntry:
    return AuditEntry.objects.create(edition=edition, part=part, authority=authority, actor=actor, action=action,
                                     subject=subject[:500], before=before or {}, after=after or {}, comment=comment)


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
    _check(Rules(user).request_review(part))
    _move(part, user, "submit_for_review", Part.State.IN_REVIEW)
    _notify(f"審査依頼：{part}", f"{user.username} が「{part}」の審査を依頼しました。", [part.authority_id],
            notifications.APPROVERS)
    return part


@transaction.atomic
def return_part(user, part: Part, version: int, comment: str) -> Part:
    part = _locked_part(part, version)
    _check(Rules(user).return_part(part))
    comment = _bounded(comment, "差戻しのコメント")
    if not comment:
        raise TransitionRefused("差戻しにはコメントが必要です。")
    Comment.objects.create(part=part, author=user, body=comment.strip())
    _move(part, user, "return", Part.State.RETURNED, comment=comment.strip())
    _notify(f"差戻し：{part}", f"{user.username} が「{part}」を差し戻しました。\n\n{comment}", [part.authority_id],
            notifications.EDITORS)
    return part


@transaction.atomic
def start_revision(user, part: Part, version: int) -> Part:
    part = _locked_part(part, version)
    _check(Rules(user).revise(part))
    _move(part, user, "start_revision", Part.State.DRAFT)
    return part


@transaction.atomic
def approve(user, part: Part, version: int) -> Approval:
    part = _locked_part(part, version)
    _check(Rules(user).approve(part))
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
    _check(Rules(user).reopen(part))
    reason = _bounded(reason, "再開の理由")
    if not reason:
        raise TransitionRefused("再開には理由が必要です。")
    Approval.objects.filter(part=part, voided_at__isnull=True).update(voided_at=timezone.now(), void_reason="再開")
    _move(part, user, "reopen", Part.State.DRAFT, comment=reason.strip())
    _void_signoffs(part.edition, user, f"「{part}」の再開")
    _notify(f"再開：{part}", f"{user.username} が「{part}」を再開しました。\n\n理由：{reason}", [part.authority_id],
            notifications.EDITORS)
    return part


def part_edited(part: Part, user, revision) -> None:
    """Called by the drafting services inside their transaction, after every edit of an item of ``part``: the audit
    log. (What a change does to the part's state is ``content_changed``, called for every path.)"""
    audit(part.edition, user, f"edit_{revision.action}", part=part, subject=revision.item_label,
          before=revision.before, after=revision.after)
    content_changed(part, user)


def content_changed(part: Part, actor) -> None:
    """The content of ``part`` changed — by whoever, by whatever path (services, admin, shell; see signals.py).

    An approval is voided, a review in progress is withdrawn (the reviewers are told), a returned part is a draft
    again, and the edition's sign-offs are voided. Idempotent within one change."""
    # The part first, then the sign-offs: every writer of a part locks in this order (no deadlock).
    state = Part.objects.select_for_update().filter(pk=part.pk).values_list("state", flat=True).first()
    if state == Part.State.APPROVED:
        Approval.objects.filter(part=part, voided_at__isnull=True).update(
            voided_at=timezone.now(), void_reason="承認後の編集")
        Part.objects.filter(pk=part.pk).update(state=Part.State.DRAFT)
        audit(part.edition, actor, "approval_voided", part=part, subject=str(part), comment="承認後に編集されました。",
              before={"state": state}, after={"state": Part.State.DRAFT})
    elif state == Part.State.IN_REVIEW:
        Part.objects.filter(pk=part.pk).update(state=Part.State.DRAFT)
        audit(part.edition, actor, "review_withdrawn", part=part, subject=str(part),
              comment="審査中に編集されたため下書きに戻りました。", before={"state": state},
              after={"state": Part.State.DRAFT})
        who = getattr(actor, "username", "管理者")
        _notify(f"審査の取り下げ：{part}",
                f"審査中の「{part}」を {who} が編集したため、下書きに戻りました。改めて審査依頼があるまでお待ちください。",
                [part.authority_id], notifications.APPROVERS)
    elif state == Part.State.RETURNED:
        Part.objects.filter(pk=part.pk).update(state=Part.State.DRAFT)
    _void_signoffs(part.edition, actor, f"「{part}」の編集")


# ---- comments ------------------------------------------------------------------------------------------------

def add_comment(user, part: Part, body: str, parent: Comment | None = None) -> Comment:
    _check(Rules(user).view_edition(part.edition))
    _check(Rules(user).comment(part))
    body = _bounded(body, "コメント")
    if not body:
        raise TransitionRefused("コメントを入力してください。")
    if parent is not None and parent.part_id != part.pk:
        raise TransitionRefused("返信先のコメントが正しくありません。")
    with transaction.atomic():
        comment = Comment.objects.create(part=part, author=user, body=body.strip(), parent=parent)
        audit(part.edition, user, "comment", part=part, subject=str(part), comment=body.strip())
    return comment


def resolve_comment(user, comment: Comment) -> Comment:
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("part__edition").get(pk=comment.pk)
        _check(Rules(user).resolve_comment(comment))
        part = comment.part
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

    if Part.objects.filter(edition=edition).exclude(state=Part.State.APPROVED).exists():
        return None, "すべての部分が承認されていません。"
    run = AssemblyRun.objects.filter(edition=edition, status=AssemblyRun.Status.SUCCEEDED,
                                     snapshot__isnull=False).select_related(
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
    rules = Rules(user)
    _check(rules.sign_off(edition))
    authorities = rules.signing_authority_ids(edition)
    run, why = signable_run(edition)
    if run is None:
        raise TransitionRefused(why)
    if content_hash != run.snapshot.content_hash:
        raise StaleTransition("署名しようとした版は最新の取りまとめ版ではありません。再読み込みしてください。")
    signed = set(SignOff.objects.filter(edition=edition, authority_id__in=authorities, voided_at__isnull=True)
                 .values_list("authority_id", flat=True))
    unsigned = [a for a in authorities if a not in signed]
    if not unsigned:
        raise TransitionRefused("この自治体は既に署名しています。")
    authority_id = unsigned[0]
    signoff = SignOff.objects.create(edition=edition, authority_id=authority_id, user=user, content_hash=content_hash)
    audit(edition, user, "sign_off", subject=str(edition), after={"content_hash": content_hash,
                                                                  "authority_id": authority_id})
    _notify(f"最終承認：{edition}", f"{user.username} が取りまとめ版（{content_hash[:12]}）に署名しました。",
            [edition.coordinator_id], notifications.COORDINATORS)
    if not missing_signoffs(edition, content_hash):
        run_id = run.pk
        transaction.on_commit(lambda: events.signed_by_all.send(sender=SignOff, edition=edition, run_id=run_id,
                                                                content_hash=content_hash))
    return signoff


def missing_signoffs(edition: Edition, content_hash: str) -> list:
    signed = set(SignOff.objects.filter(edition=edition, voided_at__isnull=True, content_hash=content_hash)
                 .values_list("authority_id", flat=True))
    return [c.authority for c in edition.coauthors.select_related("authority") if c.authority_id not in signed]


@transaction.atomic
def set_annex1_charts(user, edition: Edition, on: bool) -> Edition:
    """Whether the edition's PDF prints the charts of its numerical targets on the 別紙1 sheets (an option of the
    document: it is in the snapshot, so the content hash changes and sign-offs on the former version lapse)."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    _check(Rules(user).set_print_options(edition))
    if edition.annex1_charts != on:
        audit(edition, user, "set_print_options", subject=str(edition),
              before={"annex1_charts": edition.annex1_charts}, after={"annex1_charts": on})
        edition.annex1_charts = on
        edition.save(update_fields=["annex1_charts", "updated_at"])
    return edition


# Submission (the archived files, the freeze that follows) is the archive app's: zoneeval/archive/services.py.
