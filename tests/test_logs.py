"""One log line per event with its id: the request id (the proxy's X-Request-ID when valid, else a new one, echoed
in the response) and the Celery task id in workers; text or JSON (LOG_FORMAT)."""
import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest

from zoneeval.logs import ContextFilter, JsonFormatter
from zoneeval.reports.tasks import record_export_task

from .conftest import ROOT
from .test_worker import _database_url, _delete_queue, _stop


@pytest.fixture
def log_lines():
    """The handler settings.LOGGING configured (its filter and formatter), writing into a buffer; INFO and up."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, ContextFilter) for f in h.filters))
    buffer = io.StringIO()
    previous_stream, previous_level = handler.setStream(buffer), logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        yield lambda: buffer.getvalue().splitlines()
    finally:
        handler.setStream(previous_stream)
        logging.getLogger().setLevel(previous_level)


@pytest.mark.django_db
def test_a_requests_log_lines_carry_the_id_it_returns_in_the_header(client, log_lines):
    given = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a:01")
    assert given.status_code == 200 and given["X-Request-ID"] == "lb-7f3a:01"  # the proxy's id is kept
    generated = client.get("/no-such-page/")
    assert generated.status_code == 404 and re.fullmatch(r"[0-9a-f]{32}", generated["X-Request-ID"])
    refused = client.get("/accounts/login/", HTTP_X_REQUEST_ID="x" * 129)  # not an id: a new one instead
    assert re.fullmatch(r"[0-9a-f]{32}", refused["X-Request-ID"])

    lines = log_lines()
    assert [line for line in lines if "request=lb-7f3a:01 GET /accounts/login/ 200" in line]
    own = [line for line in lines if f"request={generated['X-Request-ID']}" in line]
    # One line for the request, and Django's own "Not Found" line, written after the middleware returned.
    assert any("zoneeval.request" in line and "GET /no-such-page/ 404" in line for line in own), lines
    assert any("django.request" in line and "Not Found: /no-such-page/" in line for line in own), lines
    assert not any("x" * 129 in line for line in lines)
    # Outside a request, no id is carried over.
    logging.getLogger("zoneeval.test").warning("after the requests")
    assert log_lines()[-1].endswith("zoneeval.test - after the requests")


@pytest.mark.django_db
def test_a_failed_request_shows_its_id_on_the_error_page_and_in_the_error_line(admin_client, log_lines, monkeypatch):
    from zoneeval.reports import views

    def broken():
        raise RuntimeError("something broke")

    monkeypatch.setattr(views, "list_editions", broken)
    admin_client.raise_request_exception = False
    response = admin_client.get("/", HTTP_X_REQUEST_ID="req-500-check")
    assert response.status_code == 500 and response["X-Request-ID"] == "req-500-check"
    assert "<code>req-500-check</code>" in response.content.decode()  # the user can quote it
    error = [line for line in log_lines() if "django.request" in line and "request=req-500-check" in line]
    assert error and "Internal Server Error: /" in error[0]


@pytest.mark.django_db
def test_json_logs_are_one_object_per_line_with_the_request_id(client, log_lines):
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, ContextFilter) for f in h.filters))
    previous = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        response = client.get("/no-such-page/")
    finally:
        handler.setFormatter(previous)
    entries = [json.loads(line) for line in log_lines()]  # every line is one JSON object
    mine = [e for e in entries if e.get("request_id") == response["X-Request-ID"]]
    assert {e["logger"] for e in mine} == {"zoneeval.request", "django.request"}
    request_line = next(e for e in mine if e["logger"] == "zoneeval.request")
    assert (request_line["method"], request_line["path"], request_line["status"]) == ("GET", "/no-such-page/", 404)
    assert request_line["level"] == "INFO" and isinstance(request_line["duration_ms"], int)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_workers_log_lines_carry_the_task_id(edition, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = dict(os.environ, DATABASE_URL=_database_url(), ZONEEVAL_ARTEFACT_DIR=str(tmp_path / "artefacts"),
               LOG_LEVEL="INFO", LOG_FORMAT="json")
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zoneeval", "worker", "--pool=solo", "-Q", queue,
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            result = record_export_task.apply_async(args=[edition.pk], queue=queue)
            result.get(timeout=60)
        finally:
            _stop(worker)
            _delete_queue(queue)
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    tagged = [e for e in entries if e.get("task_id") == result.id]
    # Celery's own "Task … succeeded" line, written inside the task's run, carries the id as a field.
    assert any(e["logger"] == "celery.app.trace" and "succeeded" in e["message"] for e in tagged), entries
    # Lines outside the task (start-up, shutdown) carry none.
    assert any("task_id" not in e for e in entries)
