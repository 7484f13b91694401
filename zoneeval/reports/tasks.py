"""Celery tasks of reports. Tasks take ids and load what they need."""
from celery import shared_task

from .models import Edition
from .services import record_export


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def record_export_task(self, edition_id: int) -> dict:
    record = record_export(Edition.objects.get(pk=edition_id))
    return {"export_id": record.pk, "sha256": record.sha256}
