"""The pipeline's Celery tasks. Each takes a run id, is idempotent, has a time limit and retries transient
failures (database or broker connections); a run whose stage fails for good is marked failed.

render_stage and render_final_stage (WeasyPrint) are routed to the ``render`` queue, every other task to
``default`` (settings CELERY_TASK_ROUTES): render workers run with their own concurrency and a memory cap per child."""
import logging
import os

from celery import Task, chain, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class PipelineTask(Task):
    acks_late = True
    reject_on_worker_lost = True  # a killed worker's task goes back to the queue
    autoretry_for = TRANSIENT
    retry_backoff = 2
    retry_backoff_max = 30
    max_retries = 3


def _run_stage(task: Task, stage, run_id: int) -> int:
    try:
        stage(run_id)
    except TRANSIENT as exc:
        if task.request.retries >= task.max_retries:
            services.fail(run_id, f"{type(exc).__name__}: {exc}")
        raise  # autoretry_for retries it
    except SoftTimeLimitExceeded:
        services.fail(run_id, "時間制限を超えました (time limit exceeded)")
        raise
    except Exception as exc:
        services.fail(run_id, f"{type(exc).__name__}: {exc}")
        raise
    return run_id


@shared_task(bind=True, base=PipelineTask, soft_time_limit=60, time_limit=90)
def assemble_stage(self, run_id: int) -> int:
    return _run_stage(self, services.assemble, run_id)


@shared_task(bind=True, base=PipelineTask, soft_time_limit=60, time_limit=90)
def validate_stage(self, run_id: int) -> int:
    return _run_stage(self, services.validate_run, run_id)


@shared_task(bind=True, base=PipelineTask, soft_time_limit=300, time_limit=360)
def render_stage(self, run_id: int) -> int:
    _run_stage(self, services.render, run_id)
    # Which process rendered (a render worker's child is replaced when it outgrows its memory cap).
    logger.info("assembly run %s rendered in process %s", run_id, os.getpid())
    return run_id


def pipeline(run_id: int, **options):
    """assemble → validate → render; ``options`` (e.g. queue) apply to every stage. Without a queue option each
    stage goes where CELERY_TASK_ROUTES sends it (render_stage: ``render``; the others: ``default``)."""
    stages = (assemble_stage, validate_stage, render_stage)
    return chain(*(stage.si(run_id).set(**options) for stage in stages))


def dispatch_pipeline(run_id: int, **options):
    return pipeline(run_id, **options).apply_async()


@shared_task(bind=True, base=PipelineTask, soft_time_limit=300, time_limit=360)
def render_final_stage(self, run_id: int) -> int:
    """The submitted PDF (no 「案」) of a run every co-author has signed, rendered ahead of the submission."""
    return services.render_final_ahead(run_id)
