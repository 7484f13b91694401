"""A real Celery worker consumes a task from Redis and writes to PostgreSQL."""
import hashlib
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from zoneeval.reports.models import ExportRecord
from zoneeval.reports.tasks import record_export_task

from .conftest import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL"):
        pytest.fail("the real-worker test needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (make test)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=_database_url())
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zoneeval", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_worker_consumes_task_from_redis_and_writes_to_postgresql(edition, worker):
    assert not ExportRecord.objects.exists()
    result = record_export_task.apply_async(args=[edition.pk], queue=worker)
    outcome = result.get(timeout=60)
    record = ExportRecord.objects.get(pk=outcome["export_id"])
    assert record.edition_id == edition.pk
    assert hashlib.sha256(record.payload.encode()).hexdigest() == record.sha256 == outcome["sha256"]
    # The worker process, not this one, did the write: the row was committed by another connection.
    assert result.state == "SUCCESS"
    assert '"progress": 138' in record.payload
