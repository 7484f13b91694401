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

from zoneeval.assembly.models import AssemblyRun
from zoneeval.assembly.tasks import dispatch_pipeline
from zoneeval.reports.models import ExportRecord
from zoneeval.reports.tasks import record_export_task

from .conftest import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
WORKER_LOG = subprocess.DEVNULL if not os.environ.get("ZONEEVAL_WORKER_LOG") else open(os.environ["ZONEEVAL_WORKER_LOG"], "a")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _start_worker(queue: str, artefact_dir) -> subprocess.Popen:
    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL"):
        pytest.fail("the real-worker test needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (make test)")
    env = dict(os.environ, DATABASE_URL=_database_url(), ZONEEVAL_ARTEFACT_DIR=str(artefact_dir))
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zoneeval", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=WORKER_LOG, stderr=subprocess.STDOUT,
    )


def _delete_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    client.delete(queue)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def artefact_dir(settings, tmp_path):
    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    return settings.ARTEFACT_DIR


@pytest.fixture
def worker(artefact_dir):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = _start_worker(queue, artefact_dir)
    try:
        yield queue
    finally:
        _stop(process)
        _delete_queue(queue)


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


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _run_files(folder):
    """The files outside the piece cache (pieces/: each piece a complete file, written atomically, checked apart)."""
    return [name for name in _files(folder) if not name.startswith("pieces/")]


def _assert_pieces_complete(folder):
    for name in _files(folder):
        if name.startswith("pieces/"):
            data = (folder / name).read_bytes()
            assert name.endswith((".pdf", ".json")), name  # no temporary file
            assert (data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")) if name.endswith(".pdf") else \
                data.endswith(b"}"), name


def test_killed_worker_leaves_no_partial_file_and_the_run_completes_when_run_again(edition, artefact_dir):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    first = _start_worker(queue, artefact_dir)
    try:
        run = AssemblyRun.objects.create(edition=edition)
        dispatch_pipeline(run.pk, queue=queue)

        def rendering():
            run.refresh_from_db()
            assert run.status != "failed", run.failure
            return run.stage == "render" and 55 <= run.percent < 95  # the pieces are being rendered

        _wait_for(rendering, 90, "the worker to start rendering")
        time.sleep(0.5)  # while the pieces are laid out (this worker renders them one after another)
        first.kill()  # SIGKILL: no clean-up code runs
        first.wait(timeout=20)
    finally:
        _stop(first)
    run.refresh_from_db()
    assert run.status == "running" and run.artefact_id is None
    assert _run_files(artefact_dir) == []  # no partial file, not even a temporary one
    _assert_pieces_complete(artefact_dir)

    second = _start_worker(queue, artefact_dir)
    try:
        dispatch_pipeline(run.pk, queue=queue)  # run it again

        def finished():
            run.refresh_from_db()
            return run.status in ("succeeded", "failed")

        _wait_for(finished, 180, "the second worker to finish the run")
    finally:
        _stop(second)
        _delete_queue(queue)
    assert run.status == "succeeded", run.failure
    files = _run_files(artefact_dir)
    assert files == [run.artefact.relative_path]
    _assert_pieces_complete(artefact_dir)
    assert run.artefact.relative_path.startswith(f"{run.snapshot.content_hash[:2]}/{run.snapshot.content_hash}.")
    pdf = (artefact_dir / files[0]).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(pdf).hexdigest() == run.artefact.sha256
