"""The pipeline's Celery tasks. Each takes a run id, is idempotent, has a time limit and retries transient
failures (database or broker connections); a run whose stage fails for good is marked failed.

render_piece_stage, merge_pieces_stage and render_final_stage (WeasyPrint) are routed to the ``render`` queue, every
other task to ``default`` (settings CELERY_TASK_ROUTES): render workers run with their own concurrency and a memory
cap per child.

A draft's PDF is rendered in parallel: assemble → validate → plan_render_stage, which sends a chord: one
render_piece_stage per piece not yet in the cache (any render worker, on any host sharing the artefact store), then
merge_pieces_stage (the TOC, the merge, the artefact, the run finished). In eager mode (the demo) the chord runs in
this process."""
import logging
import os
import time

from celery import Task, chain, chord, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from . import services
from .pieces import Piece

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


@shared_task(bind=True, base=PipelineTask, soft_time_limit=60, time_limit=90)
def plan_render_stage(self, run_id: int, options: dict | None = None) -> int:
    """The pieces still to render, each sent as a task, with the merge as the chord's body; nothing when the run
    needs no render, the merge alone when every piece is cached. ``options`` (e.g. queue) apply to those tasks too."""
    pieces = []
    _run_stage(self, lambda run_id: pieces.extend(services.plan_render(run_id)), run_id)
    options = options or {}
    merge = merge_pieces_stage.si(run_id, time.time()).set(**options)
    if pieces:
        header = [render_piece_stage.si(run_id, piece.index, piece.name, piece.html, piece.key,
                                        _cut_of(piece)).set(**options)
                  for piece in pieces]
        chord(header)(merge)
    elif services.needs_merge(run_id):
        merge.apply_async()
    return run_id


def _cut_of(piece: Piece) -> dict:
    """The rest of a piece as JSON: a sub-piece's place in its piece (cuts.py: the piece's name, the first element,
    the lookahead and where it stops), where the piece's cuts are kept."""
    return {"parent": piece.parent, "start": piece.start, "end": piece.end, "stop": piece.stop,
            "continues": piece.continues, "hint": piece.hint, "whole_continues": piece.whole_continues}


@shared_task(bind=True, base=PipelineTask, soft_time_limit=120, time_limit=150)
def render_piece_stage(self, run_id: int, index: int, name: str, html: str, key: str, cut: dict | None = None) -> dict:
    """One piece of a run's PDF (idempotent: a piece rendered before is a cache hit); ``cut``: a sub-piece's place
    in its piece (_cut_of)."""
    result = {}
    cut = cut or {}
    piece = Piece(index, name, html, key, cut.get("continues", 0), cut.get("parent"),
                  *(tuple(cut[field]) if cut.get(field) else None for field in ("start", "end", "stop")),
                  hint=cut.get("hint"), whole_continues=cut.get("whole_continues", 0))
    def render(run_id):
        rendered = services.render_run_piece(run_id, piece)
        result.update(name=rendered.name, pages=rendered.pages, seconds=rendered.seconds, cached=rendered.cached,
                      parts=len(rendered.parts))

    _run_stage(self, render, run_id)
    logger.info("assembly run %s piece %s rendered in process %s in %.2f s%s", run_id, name, os.getpid(),
                result["seconds"], " (cached)" if result["cached"] else "")
    return result


@shared_task(bind=True, base=PipelineTask, soft_time_limit=300, time_limit=360)
def merge_pieces_stage(self, run_id: int, started_at: float | None = None) -> int:
    _run_stage(self, lambda run_id: services.merge_pieces(run_id, started_at), run_id)
    # Which process merged (a render worker's child is replaced when it outgrows its memory cap).
    logger.info("assembly run %s rendered in process %s", run_id, os.getpid())
    return run_id


def pipeline(run_id: int, **options):
    """assemble → validate → plan_render (→ the pieces' chord → merge); ``options`` (e.g. queue) apply to every
    task. Without a queue option each task goes where CELERY_TASK_ROUTES sends it (the pieces and the merge:
    ``render``; the others: ``default``)."""
    stages = (assemble_stage.si(run_id), validate_stage.si(run_id), plan_render_stage.si(run_id, options or None))
    return chain(*(stage.set(**options) for stage in stages))


def dispatch_pipeline(run_id: int, **options):
    return pipeline(run_id, **options).apply_async()


@shared_task(bind=True, base=PipelineTask, soft_time_limit=300, time_limit=360)
def render_final_stage(self, run_id: int) -> int:
    """The submitted PDF (no 「案」) of a run every co-author has signed, rendered ahead of the submission."""
    return services.render_final_ahead(run_id)


@shared_task
def prune_pieces(days: int | None = None) -> dict:
    """Celery beat, daily: the piece cache's files older than PIECES_KEEP_DAYS deleted (pieces.prune)."""
    import datetime

    from django.conf import settings

    from .pieces import prune

    deleted = prune(datetime.timedelta(days=days if days is not None else settings.PIECES_KEEP_DAYS))
    logger.info("piece cache pruned: %(files)s files, %(bytes)s bytes", deleted)
    return deleted
