"""The daily reminder of overdue work (Celery beat)."""
from celery import shared_task
from django.utils import timezone

from ..drafting.models import Part
from ..reports.models import Edition
from . import notifications
from .models import SignOff


def overdue_reminders(today=None) -> list[tuple[str, int]]:
    """Mail each authority whose work is overdue; returns (subject, authority id) of what was sent."""
    today = today or timezone.localdate()
    sent = []
    for edition in Edition.objects.filter(submitted_at__isnull=True).select_related("zone"):
        parts = Part.objects.filter(edition=edition).select_related("authority")
        if edition.drafting_due and edition.drafting_due < today:
            for part in parts.filter(state__in=[Part.State.DRAFT, Part.State.RETURNED]):
                subject = f"起草期限超過：{part}（期限 {edition.drafting_due}）"
                notifications.send(subject, f"{edition} の「{part}」が起草期限を過ぎています。", [part.authority_id],
                                   notifications.EDITORS)
                sent.append((subject, part.authority_id))
        if edition.review_due and edition.review_due < today:
            for part in parts.filter(state=Part.State.IN_REVIEW):
                subject = f"審査期限超過：{part}（期限 {edition.review_due}）"
                notifications.send(subject, f"{edition} の「{part}」が審査期限を過ぎています。", [part.authority_id],
                                   notifications.APPROVERS)
                sent.append((subject, part.authority_id))
        if edition.signoff_due and edition.signoff_due < today:
            signed = set(SignOff.objects.filter(edition=edition, voided_at__isnull=True).values_list(
                "authority_id", flat=True))
            for coauthor in edition.coauthors.select_related("authority"):
                if coauthor.authority_id not in signed:
                    subject = f"最終承認期限超過：{edition}（期限 {edition.signoff_due}）"
                    notifications.send(subject, f"{coauthor.authority.name} の最終承認（署名）が済んでいません。",
                                       [coauthor.authority_id], notifications.APPROVERS)
                    sent.append((subject, coauthor.authority_id))
    return sent


@shared_task
def send_overdue_reminders() -> int:
    return len(overdue_reminders())
