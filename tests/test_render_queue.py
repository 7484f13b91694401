"""Renders go to their own queue; a render worker's child is replaced when it outgrows its memory cap, without
losing work."""
import os
import re

import pytest
from celery import current_app
from django.conf import settings

from zoneeval.assembly import services
from zoneeval.assembly.models import AssemblyRun
from zoneeval.assembly.tasks import (
    assemble_stage,
    merge_pieces_stage,
    pipeline,
    plan_render_stage,
    render_final_stage,
    render_piece_stage,
    validate_stage,
)
from zoneeval.reports.tasks import record_export_task
from zoneeval.workflow.tasks import send_overdue_reminders

from . import processes
from .test_worker import _database_url


def _queue(task, **options) -> str:
    return current_app.amqp.router.route(options, task.name)["queue"].name


def test_render_goes_to_the_render_queue_and_everything_else_to_default():
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    for task in (render_piece_stage, merge_pieces_stage, render_final_stage):  # every WeasyPrint render
        assert _queue(task) == "render", task.name
    for task in (assemble_stage, validate_stage, plan_render_stage, record_export_task, send_overdue_reminders):
        assert _queue(task) == "default", task.name
    assert _queue(render_piece_stage, queue="isolated") == "isolated"  # an explicit queue wins (tests isolate so)
    stages = pipeline(1).tasks
    assert [s.task.rsplit(".", 1)[-1] for s in stages] == ["assemble_stage", "validate_stage", "plan_render_stage"]
    assert all(s.options.get("queue") is None for s in stages)  # routed by settings, not pinned
    isolated = pipeline(1, queue="isolated").tasks  # a queue given reaches the pieces and the merge too
    assert all(s.options["queue"] == "isolated" for s in isolated) and isolated[-1].args[1] == {"queue": "isolated"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_render_worker_over_its_memory_cap_replaces_its_child_and_loses_no_work(edition, shiomi_edition, tmp_path,
                                                                                     settings):
    settings.ARTEFACT_DIR = tmp_path / "artefacts"  # the worker's folder (one host here)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("the real-worker test needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (make test)")
    runs = []
    for one in (edition, shiomi_edition):  # two different documents: two real renders
        run = AssemblyRun.objects.create(edition=one)
        services.assemble(run.pk)
        services.validate_run(run.pk)
        runs.append(run)
    env = dict(os.environ, DATABASE_URL=_database_url(), ZONEEVAL_ARTEFACT_DIR=str(settings.ARTEFACT_DIR),
               ZONEEVAL_VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    processes.delete_queues(broker, "render")
    # 1 KiB: every child is over the cap once it has run a task
    worker = processes.celery_worker("render", "render", env, tmp_path, "--pool=prefork", "--concurrency=1",
                                     "--max-memory-per-child=1")
    watched = [worker]
    try:
        processes.wait_for(lambda: " ready." in worker.log.read_text(), 60, "the worker to be ready", watched)
        rendered_by = []
        for run in runs:
            # planned here; no queue given: the routes send the pieces and the merge to "render"
            plan_render_stage.apply(args=[run.pk], throw=True)

            def finished(run=run):
                run.refresh_from_db()
                return run.status in ("succeeded", "failed")

            processes.wait_for(finished, 180, f"run {run.pk} to be rendered", watched)
            assert run.status == "succeeded", run.failure
            pid = processes.wait_for(lambda run=run: re.findall(rf"assembly run {run.pk} rendered in process (\d+)",
                                                                worker.log.read_text()), 20, "the render log line",
                                     watched)
            rendered_by.append(int(pid[0]))
            # the child that rendered leaves once its task is done, and a new one takes its place
            processes.wait_for(lambda p=int(pid[0]): (c := processes.children(worker.pid)) and p not in c, 60,
                               "the child to be replaced", watched)
        assert rendered_by[0] != rendered_by[1]
        for run in runs:
            assert run.artefact.read_bytes().startswith(b"%PDF")
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n{processes.tail(worker)}") from None
    finally:
        processes.stop(worker)
        processes.delete_queues(broker, "render")
