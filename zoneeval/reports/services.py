"""Writes of reports (HackSoft style: every change goes through a service)."""
import hashlib

from .interchange.export import edition_snapshot, to_json
from .models import Edition, ExportRecord


def record_export(edition: Edition) -> ExportRecord:
    """Store the edition's current export (with derived figures) and its SHA-256."""
    payload = to_json(edition_snapshot(edition))
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return ExportRecord.objects.create(edition=edition, sha256=digest, payload=payload)
