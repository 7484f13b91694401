"""Reads of the workflow: "my work" for a user, and the sign-off state of an edition."""
from __future__ import annotations

from django.db.models import Max, Q
from django.utils import timezone

from ..authorities.models import EDITING_ROLES, Membership
from ..authorities.rules import eligible_approver_ids, rules_for
from ..drafting.models import Part, Revision
from ..reports.models import Edition
from .models import Comment, SignOff

EMPTY_WORK = {"to_draft": [], "to_review": [], "to_revise": [], "to_sign": [], "errors": [], "comments": [],
              "steps": [], "total": 0}


def _due(day, today) -> dict:
    """A deadline as shown: the date and whether it has passed."""
    return {"due": day, "overdue": bool(day and day < today)}


def my_work(user, exact: bool = True) -> dict:
    """What the signed-in user must do next, only for the authorities they act for, each with its deadline:

    - drafters: their authority's parts in 下書き or 差戻し (起草期限);
    - approvers: parts in review they may approve (審査期限) and sign-offs pending (最終承認期限);
    - the zone coordinator: the edition's next step (run assembly / fix findings, by whom / wait for sign-offs, whose /
      submit), with where it is done.

    A fixed number of queries whatever the number of editions and parts (the navigation count calls it on every
    page). ``exact``: compare the latest run with the edition's current content hash (builds each coordinated
    edition's snapshot; the page does, the navigation count relies on the approvals being newer than the run)."""
    if not user.is_authenticated:
        return {k: list(v) if isinstance(v, list) else v for k, v in EMPTY_WORK.items()}
    from ..assembly.models import AssemblyRun
    from ..reports.models import CoAuthor
    from .models import Approval

    today = timezone.localdate()
    rules = rules_for(user)
    roles = {a: r for a, r in rules.roles.items() if a is not None}
    approving = {a for a, r in roles.items() if Membership.Role.APPROVER in r}
    editing = {a for a, r in roles.items() if r & EDITING_ROLES}
    drafting = {a for a, r in roles.items() if Membership.Role.DRAFTER in r}
    coordinating = {a for a, r in roles.items() if Membership.Role.COORDINATOR in r}
    if not roles:
        return {k: list(v) if isinstance(v, list) else v for k, v in EMPTY_WORK.items()}
    editions = {e.pk: e for e in Edition.objects.filter(
        Q(coauthors__authority_id__in=roles) | Q(coordinator_id__in=coordinating), submitted_at__isnull=True
    ).distinct().select_related("zone")}
    coauthors: dict[int, list] = {}
    for c in CoAuthor.objects.filter(edition_id__in=editions).select_related("authority").order_by("order"):
        coauthors.setdefault(c.edition_id, []).append(c)
    parts = list(Part.objects.filter(edition_id__in=editions).select_related("authority", "last_editor")
                 .order_by("edition_id", "section", "authority__name"))
    for part in parts:
        part.edition = editions[part.edition_id]
    by_edition: dict[int, list] = {}
    for part in parts:
        by_edition.setdefault(part.edition_id, []).append(part)

    to_draft = [{"part": p, **_due(p.edition.drafting_due, today)} for p in parts
                if p.state == Part.State.DRAFT and p.authority_id in drafting]
    to_revise = [{"part": p, **_due(p.edition.drafting_due, today)} for p in parts
                 if p.state == Part.State.RETURNED and p.authority_id in editing]
    in_review = with_content_authors([p for p in parts if p.state == Part.State.IN_REVIEW and (
        p.authority_id in approving or p.edition.coordinator_id in approving)])
    rules.prefetch_approvers({p.authority_id for p in in_review} | {p.edition.coordinator_id for p in in_review})
    to_review = [{"part": p, **_due(p.edition.review_due, today)} for p in in_review if rules.approve(p)]

    latest = {}
    for run in AssemblyRun.objects.filter(edition_id__in=editions).select_related("snapshot").order_by(
            "edition_id", "-created_at", "-pk").defer("snapshot__payload"):
        latest.setdefault(run.edition_id, {"any": run})
        if run.status == AssemblyRun.Status.SUCCEEDED and run.snapshot_id:  # a run without its snapshot signs nothing
            latest[run.edition_id].setdefault("ok", run)
    last_approval = dict(Approval.objects.filter(part__edition_id__in=editions).values("part__edition_id").annotate(
        at=Max("created_at")).values_list("part__edition_id", "at"))
    signed: dict[int, dict[int, str]] = {}
    for s in SignOff.objects.filter(edition_id__in=editions, voided_at__isnull=True):
        signed.setdefault(s.edition_id, {})[s.authority_id] = s.content_hash

    to_sign, errors, steps = [], [], []
    for edition_id, edition in editions.items():
        edition_parts = by_edition.get(edition_id, [])
        all_approved = bool(edition_parts) and all(p.state == Part.State.APPROVED for p in edition_parts)
        run = latest.get(edition_id, {}).get("ok")
        active = latest.get(edition_id, {}).get("any")
        active = active if active is not None and active.is_active else None
        if run is not None:
            if exact and rules.is_zone_coordinator(edition):
                from ..reports.preview import content_hash

                run.is_current = run.snapshot.content_hash == content_hash(edition)  # cached by content version
            else:
                approved_at = last_approval.get(edition_id)
                run.is_current = all_approved and (approved_at is None or approved_at <= run.created_at)
        names = {c.authority.slug: c.name or c.authority.name for c in coauthors.get(edition_id, [])}
        slugs = {c.authority.slug for c in coauthors.get(edition_id, []) if c.authority_id in editing}
        if run is not None:
            errors += [{"edition": edition, "finding": f, "stale": not run.is_current,
                        "owner_name": names.get(f.get("owner"), f.get("owner") or "")}
                       for f in run.findings if f["severity"] == "error" and f.get("owner") in slugs]
        signable = run is not None and run.is_current and all_approved and run.error_count == 0
        hashes = signed.get(edition_id, {})
        missing = [c for c in coauthors.get(edition_id, [])
                   if not run or hashes.get(c.authority_id) != run.snapshot.content_hash]
        if signable:
            for c in missing:
                if c.authority_id in approving:
                    to_sign.append({"edition": edition, "authority": c.authority, "name": c.name or c.authority.name,
                                    "content_hash": run.snapshot.content_hash,
                                    **_due(edition.signoff_due, today)})
        if rules.is_zone_coordinator(edition):
            steps.append(_coordinator_step(edition, edition_parts, run, active, all_approved, signable, missing,
                                           names, today))
    comments = list(Comment.objects.filter(part__authority_id__in=editing, resolved=False,
                                           part__edition__submitted_at__isnull=True).select_related(
        "part__edition__zone", "part__authority", "author")[:50])
    total = (len(to_draft) + len(to_revise) + len(to_review) + len(to_sign) + len(errors)
             + sum(1 for s in steps if s["actionable"]))
    return {"to_draft": to_draft, "to_review": to_review, "to_revise": to_revise, "to_sign": to_sign,
            "errors": errors, "comments": comments, "steps": steps, "total": total}


def _coordinator_step(edition, parts, run, active, all_approved, signable, missing, names, today) -> dict:
    """The edition's next step for its zone coordinator, in words, with where it is done."""
    from django.urls import reverse

    page = reverse("reports:edition_detail", args=[edition.zone.slug, edition.fiscal_year])
    step = {"edition": edition, "actionable": False, "who": [], "url": page, **_due(None, today)}
    if active is not None:
        return {**step, "kind": "running", "text": "取りまとめ・検証・PDF作成を実行中です。", "url": page + "#assembly"}
    if not all_approved:
        waiting = [p for p in parts if p.state != Part.State.APPROVED]
        counts = {}
        for p in waiting:
            counts[p.get_state_display()] = counts.get(p.get_state_display(), 0) + 1
        who = sorted({p.authority.name for p in waiting})
        due = edition.review_due or edition.drafting_due
        return {**step, "kind": "parts", "who": who, **_due(due, today),
                "text": f"未承認の部分が{len(waiting)}件あります（" + "、".join(f"{k} {v}件" for k, v in counts.items())
                        + "）。すべて承認されると取りまとめを実行できます。",
                "url": reverse("drafting:dashboard", args=[edition.zone.slug, edition.fiscal_year])}
    if run is None or not run.is_current:
        text = ("すべての部分が承認されました。取りまとめ・検証・PDF作成を実行してください。" if run is None else
                "前回の取りまとめ後に内容が変わりました。取りまとめ・検証・PDF作成をもう一度実行してください。")
        return {**step, "kind": "assemble", "actionable": True, "text": text, "url": page + "#assembly",
                **_due(edition.signoff_due, today)}
    if run.error_count:
        owners = sorted({names.get(f.get("owner"), f.get("owner") or "取りまとめ担当") for f in run.findings
                         if f["severity"] == "error"})
        return {**step, "kind": "fix", "actionable": True, "who": owners, "url": page + "#assembly",
                "text": f"検証でエラーが{run.error_count}件あります。担当の自治体が修正し、承認後にもう一度取りまとめてください。"}
    if missing:
        return {**step, "kind": "signoffs", "who": [c.name or c.authority.name for c in missing],
                **_due(edition.signoff_due, today), "url": page + "#signoff",
                "text": "各作成主体の署名を待っています。"}
    return {**step, "kind": "submit", "actionable": True, "url": page + "#signoff", **_due(edition.signoff_due, today),
            "text": "すべての作成主体が署名しました。提出してください。"}


def my_work_count(user) -> int:
    """The navigation's count: the same entries, without building any snapshot (a fixed number of queries), cached
    per user until the next write (work_count.py)."""
    from .work_count import cached_count

    return cached_count(user, lambda user: my_work(user, exact=False)["total"])


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
    parts = with_content_authors(list(parts))
    rules.prefetch_approvers({p.authority_id for p in parts} | {p.edition.coordinator_id for p in parts})
    for part in parts:
        part.can_submit = rules.request_review(part)
        part.can_revise = rules.revise(part)
        part.can_review = rules.approve(part)
        part.can_return = rules.return_part(part)
        part.can_reopen = rules.reopen(part)
        part.can_comment = rules.comment(part)
        part.review_note = _review_note(part, rules) if part.state == Part.State.IN_REVIEW else ""
    return parts


def _review_note(part, rules) -> str:
    """Who can approve a part in review, in words — and what to do when nobody can."""
    eligible, from_coordinator = eligible_approver_ids(part, rules.approvers_of)
    if not eligible:
        return ("この部分を承認できる承認者がいません（前回の承認以降に編集した人は承認できません）。"
                "担当自治体の取りまとめ担当に、編集していない承認者の追加を依頼してください。")
    if from_coordinator:
        return ("担当自治体の承認者は全員この部分を編集しているため、取りまとめ自治体の承認者が審査します"
                "（または担当自治体に編集していない承認者を追加してください）。")
    return "担当自治体の承認者の審査待ちです。"


def changes_since_approval(parts: list) -> list:
    """Set ``changes`` on each part: its revisions after its last approval (all of them if never approved), each as
    the history's readable diff. Two queries in all."""
    from ..drafting.diffs import revision_diff
    from .models import Approval

    last_approval = {}
    for part_id, at in Approval.objects.filter(part__in=parts).values_list("part_id", "created_at"):
        last_approval[part_id] = max(at, last_approval.get(part_id, at))
    changes = {p.pk: [] for p in parts}
    for revision in Revision.objects.filter(part__in=parts).select_related("user").order_by("created_at", "pk"):
        at = last_approval.get(revision.part_id)
        if at is None or revision.created_at > at:
            changes[revision.part_id].append(revision_diff(revision))
    for part in parts:
        part.changes = changes[part.pk]
        part.last_approved_at = last_approval.get(part.pk)
    return parts


def lost_signoffs(edition: Edition) -> list[dict]:
    """Sign-offs that were voided and not given again: whose, why (the ``signoffs_voided`` audit entry's comment,
    e.g. 「〈部分〉」の編集) and when. Two queries."""
    from .models import AuditEntry

    latest = {}
    for s in SignOff.objects.filter(edition=edition).select_related("authority").order_by("created_at", "pk"):
        latest[s.authority_id] = s
    voided = [s for s in latest.values() if s.voided_at is not None]
    if not voided:
        return []
    entries = list(AuditEntry.objects.filter(edition=edition, action="signoffs_voided").order_by("created_at", "pk")
                   .values_list("created_at", "comment"))
    names = {c.authority_id: c.name or c.authority.name for c in edition.coauthors.select_related("authority")}
    lost = []
    for s in voided:
        # the entry written in the transaction that voided it: the first at or after the voiding
        why = next((comment for at, comment in entries if at >= s.voided_at), "") or "内容の変更"
        lost.append({"authority": s.authority, "name": names.get(s.authority_id, s.authority.name), "why": why,
                     "at": s.voided_at, "user": s.user,
                     "text": f"{names.get(s.authority_id, s.authority.name)}の署名は{why}により無効になりました"})
    return lost


def mark_current(run, edition, hash_now: str | None):
    """Set ``run.is_current``: whether the run's snapshot is the edition's content now (a submitted edition's runs
    are as they were). Its PDF and findings are marked 前回の実行 when not."""
    if run is not None:
        run.is_current = edition.is_frozen or run.snapshot is None or run.snapshot.content_hash == hash_now
    return run


def edition_buttons(rules, edition, run, state_reason: str, status: list[dict]) -> dict:
    """Whether each edition button can be used now and, when not, why: the rules' reason first, then the state's
    (``signable_run``, the missing sign-offs). The services check again."""
    may_sign, may_submit = rules.sign_off(edition), rules.submit(edition)
    sign_reason = "" if may_sign else may_sign.reason
    if not sign_reason:
        if run is None:
            sign_reason = state_reason
        elif not any(rules.approves_for(s["authority"].pk) and not s["signoff"] for s in status):
            sign_reason = "あなたの自治体は既にこの版に署名しています。"
    submit_reason = "" if may_submit else may_submit.reason
    if not submit_reason:
        if run is None:
            submit_reason = state_reason
        else:
            missing = [s["authority"] for s in status if not s["signoff"]]
            names = {c.authority_id: c.name or c.authority.name for c in edition.coauthors.select_related("authority")}
            if missing:
                submit_reason = ("提出には全作成主体の署名が必要です（未署名: "
                                 + "、".join(names.get(a.pk, a.name) for a in missing) + "）")
    return {"can_sign": not sign_reason, "sign_reason": sign_reason,
            "can_submit": not submit_reason, "submit_reason": submit_reason}
