"""Submission, the archived files and corrections after submission (訂正版). Each is a service: check (the rules,
the state), change in one transaction, write the audit log, notify after commit.

Edition:  … all co-authors signed the assembled version → the coordinator submits: the final PDF and the JSON export
          (with the audit log) are archived with their SHA-256, then the edition is frozen (archive/freeze.py).
          submitted ──correct(reason)──▶ a new edition of the same year (revision + 1) that supersedes it, copied
          through the interchange format (reports/copying.py), every part in 下書き, going through the same review,
          sign-off and submission. The superseded edition stays as submitted, readable and downloadable.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..authorities.rules import Rules
from ..reports.copying import copy_edition
from ..reports.interchange.checks import ImportRefused
from ..reports.models import Edition
from ..workflow import notifications
from ..workflow.models import AuditEntry, Submission
from ..workflow.services import StaleTransition, TransitionRefused, _bounded, audit, missing_signoffs, signable_run

__all__ = ["StaleTransition", "TransitionRefused", "correct_edition", "submit", "verify_submission"]


def _check(decision) -> None:
    if not decision:
        raise TransitionRefused(decision.reason)


def _notify(subject, body, authority_ids, roles):
    transaction.on_commit(lambda: notifications.send(subject, body, authority_ids, roles))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- submission ----------------------------------------------------------------------------------------------

@transaction.atomic
def submit(user, edition: Edition, content_hash: str) -> Submission:
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    _check(Rules(user).submit(edition))
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
    from ..assembly.services import render_final

    # The run's PDF is a draft (案 on every page); the submitted one is not. It was rendered on the render queue
    # when the last co-author signed (assembly.services.dispatch_final_render); rendered here only if not yet done.
    final = render_final(run)
    submission = Submission.objects.create(
        edition=edition, submitted_by=user, content_hash=content_hash, pdf=final,
        pdf_sha256=sha256(final.read_bytes()), export_json=export, export_sha256=sha256(export.encode("utf-8")))
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


# ---- the archived files: 検証 ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileCheck:
    """One archived file, its hash as recorded at submission and as recomputed now."""

    kind: str  # "pdf" | "json"
    recorded: str
    actual: str | None  # None: the file is gone

    @property
    def matches(self) -> bool:
        return self.actual == self.recorded

    @property
    def text(self) -> str:
        what = "提出版PDF" if self.kind == "pdf" else "提出版データ（JSON）"
        if self.actual is None:
            return f"{what}：保存ファイルが見つかりません。"
        if self.matches:
            return f"{what}：SHA-256が提出時と一致しました。"
        return f"{what}：SHA-256が提出時と一致しません。保存ファイルが変更されています。"


def file_checks(submission: Submission) -> list[FileCheck]:
    """Recompute the SHA-256 of the stored files of ``submission`` (reads only)."""
    try:
        pdf = sha256(submission.pdf.read_bytes()) if submission.pdf.stored() else None
    except OSError:
        pdf = None
    return [FileCheck("pdf", submission.pdf_sha256, pdf),
            FileCheck("json", submission.export_sha256, sha256(submission.export_json.encode("utf-8")))]


def verify_submission(user, edition: Edition) -> list[FileCheck]:
    """検証: recompute the hashes of the edition's archived files and record the outcome in its audit log (an
    audit entry is the only thing appended to a submitted edition)."""
    _check(Rules(user).view_archive(edition.zone))
    _check(Rules(user).view_edition(edition))
    submission = Submission.objects.filter(edition=edition).select_related("pdf").first()
    if submission is None:
        raise TransitionRefused("この版はまだ提出されていないため、検証する保存ファイルがありません。")
    checks = file_checks(submission)
    audit(edition, user, "verify", subject=str(edition),
          after={c.kind: ("一致" if c.matches else "不一致") for c in checks})
    return checks


# ---- corrections after submission (訂正版) ---------------------------------------------------------------------

@transaction.atomic
def correct_edition(user, edition: Edition, reason: str) -> Edition:
    """A correction of the submitted ``edition``: a new edition of the same year that supersedes it, copied from
    it through the interchange format; every part starts in 下書き and goes through review, sign-off and submission
    again. The superseded edition is not written to (only its audit log is appended to)."""
    edition = Edition.objects.select_for_update().select_related("zone").get(pk=edition.pk)
    _check(Rules(user).correct_edition(edition))
    reason = _bounded(reason, "訂正の理由")
    if not reason:
        raise TransitionRefused("訂正版の作成には理由が必要です。")
    try:
        correction = copy_edition(edition, supersedes=edition)
    except ImportRefused as refused:
        raise TransitionRefused("訂正版を作成できませんでした：" + "；".join(p.message for p in refused.problems)) \
            from refused
    audit(edition, user, "superseded", subject=str(edition), comment=reason,
          after={"revision": correction.revision, "edition": correction.pk})
    audit(correction, user, "correct", subject=str(correction), comment=reason,
          before={"revision": edition.revision, "edition": edition.pk}, after={"revision": correction.revision})
    _notify(f"訂正版の作成：{correction}",
            f"{user.username} が提出済みの{edition}（{edition.revision_label}）の訂正版"
            f"（{correction.revision_label}）を作成しました。各部分は下書きです。\n\n理由：{reason}",
            [c.authority_id for c in correction.coauthors.all()], notifications.EDITORS)
    return correction
