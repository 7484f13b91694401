"""A draft's PDF rendered in parallel by two real render workers (separate processes sharing the artefact store):
the chord of piece tasks and the merge, compared with the same pieces rendered and merged in one process."""
import json
import os
import re
import uuid

import pytest
from django.test import override_settings

from zoneeval.assembly.models import AssemblyRun
from zoneeval.assembly.pieces import render_in_pieces
from zoneeval.assembly.tasks import dispatch_pipeline

from . import processes
from .print_pieces import page_texts
from .test_worker import _database_url

PIECE_LINE = re.compile(r"assembly run (\d+) piece (\S+) rendered in process (\d+) in [\d.]+ s(?! \(cached\))")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_render_workers_share_the_pieces_and_the_pdf_is_the_one_rendered_in_one_process(edition, tmp_path,
                                                                                              settings):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("the real-worker test needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (make test)")
    settings.ARTEFACT_DIR = tmp_path / "artefacts"  # the store both workers share (one host here)
    queue = f"test-parallel-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=_database_url(), ZONEEVAL_ARTEFACT_DIR=str(settings.ARTEFACT_DIR),
               ZONEEVAL_VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    workers = [processes.celery_worker(f"render-{n}", queue, env, tmp_path, "--pool=solo") for n in (1, 2)]
    try:
        for worker in workers:
            processes.wait_for(lambda w=worker: " ready." in w.log.read_text(), 60, f"{worker.name} to be ready",
                               workers)
        run = AssemblyRun.objects.create(edition=edition)
        dispatch_pipeline(run.pk, queue=queue)  # every task (the plan, the pieces, the merge) to these two workers

        def finished():
            run.refresh_from_db()
            return run.status in ("succeeded", "failed")

        processes.wait_for(finished, 240, f"run {run.pk} to be rendered", workers)
        assert run.status == "succeeded", run.failure
        logs = [worker.log.read_text(errors="replace") for worker in workers]
        by_worker = [[name for run_id, name, _ in PIECE_LINE.findall(log) if int(run_id) == run.pk] for log in logs]
        assert all(by_worker), f"pieces rendered by each worker: {by_worker}"  # both took part
        assert sorted(by_worker[0] + by_worker[1]) == sorted(set(by_worker[0] + by_worker[1]))  # each piece once
        assert len(by_worker[0]) + len(by_worker[1]) == run.pieces_total == run.pieces_done
        assert sum(f"assembly run {run.pk} rendered in process" in log for log in logs) == 1  # one merge
        parallel = run.artefact.read_bytes()
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n" + "\n".join(processes.tail(w) for w in workers)) from None
    finally:
        for worker in workers:
            processes.stop(worker)
        processes.delete_queues(broker, queue)

    with override_settings(ARTEFACT_DIR=tmp_path / "in-process"):  # a cold cache: every piece rendered here
        here = render_in_pieces(json.loads(run.snapshot.payload))
    assert here.timings["rendered"] and len(here.timings["rendered"]) == run.pieces_total
    assert run.artefact.pages == here.pages
    assert page_texts(parallel) == page_texts(here.pdf)
    assert AssemblyRun.objects.get(pk=run.pk).percent == 100
