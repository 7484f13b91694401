"""/healthz for a load balancer: database, broker and a worker answering; 503 saying what failed; no sign-in, no
write, any Host, plain HTTP."""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from .conftest import ROOT
from .live_http import free_port
from .test_worker import _database_url, _delete_queue, _stop

pytestmark = pytest.mark.django_db(transaction=True)


def _get(client, **headers):
    response = client.get("/healthz", **headers)
    return response.status_code, json.loads(response.content)


@pytest.fixture
def production_like(settings):
    """What a load balancer meets: DEBUG off, https redirect on, a host list without the probe's Host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["zoneeval.example.go.jp"]
    settings.HEALTHZ_WORKER_TIMEOUT = 1
    return settings


def test_the_demo_without_a_broker_is_healthy_with_eager_tasks(client, production_like):
    production_like.CELERY_TASK_ALWAYS_EAGER = True
    with CaptureQueriesContext(connection) as queries:
        status, body = _get(client, HTTP_HOST="10.0.3.7")  # the load balancer's own Host, over plain HTTP
    assert (status, body) == (200, {"database": "ok", "broker": "eager", "workers": "eager"})
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]  # no session, no write


PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="10.0.3.7")
print(response.status_code, response.content.decode())
"""


def test_503_when_the_broker_does_not_answer():
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = dict(os.environ, DATABASE_URL=_database_url(), CELERY_BROKER_URL=dead, CELERY_RESULT_BACKEND=dead,
               DJANGO_SETTINGS_MODULE="tests.settings")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    body = json.loads(body)
    assert status == "503"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert body["workers"] == "unknown: no broker"


def test_503_when_no_worker_answers(client, production_like):
    status, body = _get(client, HTTP_HOST="10.0.3.7")
    assert status == 503
    assert body == {"database": "ok", "broker": "ok", "workers": "error: no worker answered"}


def test_503_when_the_database_does_not_answer(client, production_like, monkeypatch):
    production_like.CELERY_TASK_ALWAYS_EAGER = True

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = _get(client)
    assert status == 503 and body["database"] == "error: OperationalError"


@pytest.mark.worker
def test_200_with_a_real_worker_and_the_queues_it_serves(client, production_like, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@healthz"
    env = dict(os.environ, DATABASE_URL=_database_url(), ZONEEVAL_ARTEFACT_DIR=str(tmp_path))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zoneeval", "worker", "--pool=solo", "-Q", queue, "-n", name,
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        status, body = _get(client)
        while status != 200 and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker stopped"
            status, body = _get(client)
        assert status == 200, body
        assert body["database"] == "ok" and body["broker"] == "ok"
        assert body["workers"][queue] == 1 and name not in json.dumps(body)  # a count: no host name in public
        # The configured queues (settings) without a worker are named, so that monitoring can tell.
        assert body["workers"]["missing"] == ["default", "render"]
    finally:
        _stop(worker)
        _delete_queue(queue)
