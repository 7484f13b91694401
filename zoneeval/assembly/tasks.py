"""The pipeline's Celery tasks. Each takes a run id, is idempotent, has a time limit and retries transient
failures (database or broker connections); a run whose stage finally fails is marked failed."""
from celery import Task, chain, shared_task
from django.db import InterfaceError, OperationalError

from . import services

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class PipelineTask(Task):
    acks_late = True
    reject_on_worker_lost = True  # a killed worker's task goes back to the queue
    autoretry_for = TRANSIENT
    retry_backoff = 2
    retry_backoff_max = 30
    max_retries = 3

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.fail(args[0], f"{type(exc).__name__}: {exc}")


@shared_task(base=PipelineTask, soft_time_limit=60, time_limit=90)
def assemble_stage(run_id: int) -> int:
    services.assemble(run_id)
    return run_id


@shared_task(base=PipelineTask, soft_time_limit=60, time_limit=90)
def validate_stage(run_id: int) -> int:
    services.validate_run(run_id)
    return run_id


@shared_task(base=PipelineTask, soft_time_limit=300, time_limit=360)
def render_stage(run_id: int) -> int:
    services.render(run_id)
    return run_id


def pipeline(run_id: int):
    return chain(assemble_stage.si(run_id), validate_stage.si(run_id), render_stage.si(run_id))


def dispatch_pipeline(run_id: int, **options):
    return pipeline(run_id).apply_async(**options)
