"""The assembly pipeline's writes: request a run, then assemble → validate → render, each stage idempotent.

A stage that already happened for a run is skipped, so a run that was interrupted (a killed worker) completes when
it is dispatched again; the same content hash reuses the same snapshot and artefact instead of rendering twice."""
from __future__ import annotations

import hashlib
import json
import logging
import time

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone

from ..reports.interchange.export import edition_snapshot, to_json
from ..reports.models import Edition
from .models import Artefact, AssembledSnapshot, AssemblyRun
from .pieces import Piece, PieceResult, plan, render_in_pieces, render_piece, to_render
from .render import document_html, render_pdf
from .renderer import fingerprint
from .storage import artefact_relative_path, save_artefact
from .validations import ERROR, messages, validate
from .validations.document_budget import over_budget

logger = logging.getLogger(__name__)


def content_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def request_run(edition: Edition, user=None) -> AssemblyRun:
    """Create a run and dispatch the pipeline once the transaction has committed. ``user``: who asked (checked by
    the rules); None for the system (management commands)."""
    from ..authorities.rules import Rules, require

    if user is not None:
        require(Rules(user).run_assembly(edition))

    if edition.is_frozen:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("提出済みの評価書は取りまとめ直せません。")
    with transaction.atomic():
        run = AssemblyRun.objects.create(edition=edition, requested_by=user)
        transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def _dispatch(run_id: int) -> None:
    """Dispatch the pipeline of a run that someone asked for. Whatever goes wrong is the run's failure, shown with
    its reason on the run's page, never the requester's 500: in the demo's in-process mode (eager Celery) a stage
    that fails raises here, after the stage has marked the run failed; with a broker, the dispatch itself may fail
    (broker unreachable)."""
    from .tasks import dispatch_pipeline

    try:
        dispatch_pipeline(run_id)
    except Exception as exc:  # noqa: BLE001 — recorded on the run and logged, not lost
        logger.exception("assembly run %s failed", run_id)
        if not AssemblyRun.objects.filter(pk=run_id, status=AssemblyRun.Status.FAILED).exists():
            fail(run_id, f"実行を開始できませんでした（{type(exc).__name__}: {exc}）")


def _progress(run: AssemblyRun, stage: str, percent: int, **fields) -> None:
    run.stage, run.percent = stage, percent
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["stage", "percent", *fields])


def _timed(run: AssemblyRun, stage: str, started: float) -> None:
    run.timings = {**run.timings, stage: round(time.perf_counter() - started, 4)}
    run.save(update_fields=["timings"])


def assemble(run_id: int) -> AssemblyRun:
    run = AssemblyRun.objects.select_related("edition").get(pk=run_id)
    if run.snapshot_id:
        return run
    started = time.perf_counter()
    _progress(run, AssemblyRun.Stage.ASSEMBLE, 5, status=AssemblyRun.Status.RUNNING,
              started_at=run.started_at or timezone.now(), attempts=run.attempts + 1)
    payload = to_json(edition_snapshot(run.edition))
    snapshot, _ = AssembledSnapshot.objects.get_or_create(
        edition=run.edition, content_hash=content_hash(payload), defaults={"payload": payload}
    )
    _progress(run, AssemblyRun.Stage.ASSEMBLE, 30, snapshot=snapshot)
    _timed(run, "assemble", started)
    return run


def validate_run(run_id: int) -> AssemblyRun:
    run = AssemblyRun.objects.select_related("snapshot").get(pk=run_id)
    if run.percent >= 50 and run.stage in (AssemblyRun.Stage.VALIDATE, AssemblyRun.Stage.RENDER, AssemblyRun.Stage.DONE):
        return run
    started = time.perf_counter()
    _progress(run, AssemblyRun.Stage.VALIDATE, 35)
    findings = [f.as_dict() for f in validate(json.loads(run.snapshot.payload))]
    errors = sum(1 for f in findings if f["severity"] == ERROR)
    _progress(run, AssemblyRun.Stage.VALIDATE, 50, findings=findings, error_count=errors,
              warning_count=len(findings) - errors)
    _timed(run, "validate", started)
    return run


def render(run_id: int) -> AssemblyRun:
    """The render stage in this process (render_report, tests, the benchmark): the pieces one after another."""
    run = AssemblyRun.objects.select_related("snapshot", "artefact").get(pk=run_id)
    if _render_settled(run):
        return run
    started = time.perf_counter()
    _progress(run, AssemblyRun.Stage.RENDER, 55)
    # A draft renders in pieces: only the pieces whose HTML changed are laid out again, merged into the same
    # tagged PDF as one pass (tests/test_pieces.py, test_pdf_tags.py). The submitted PDF stays one pass
    # (render_final): a record, rendered once.
    result = render_in_pieces(json.loads(run.snapshot.payload))
    _progress(run, AssemblyRun.Stage.RENDER, 90)
    return _store_render(run, result, time.perf_counter() - started)


def _render_settled(run: AssemblyRun) -> bool:
    """True when the run needs no render: its PDF is there, the same content's PDF is reused, or the validation
    found the document too large to render (the run fails)."""
    started = time.perf_counter()
    if run.artefact_id and run.artefact.stored():
        _finish(run)
        return True
    existing = Artefact.objects.filter(content_hash=run.snapshot.content_hash, kind=Artefact.Kind.PDF,
                                       renderer=fingerprint()).first()
    if existing is not None and existing.stored():
        _progress(run, AssemblyRun.Stage.RENDER, 95, artefact=existing, rendered_now=False)
        _timed(run, "render", started)
        _finish(run)
        return True
    if over_budget(run.findings):  # never start a render that the validation found too large
        fail(run.pk, messages.RENDER_REFUSED_OVER_BUDGET)
        run.refresh_from_db()
        return True
    return False


def _store_render(run: AssemblyRun, result, seconds: float) -> AssemblyRun:
    digest, renderer = run.snapshot.content_hash, fingerprint()
    relative = artefact_relative_path(digest, f"{renderer[:12]}.pdf")
    relative = save_artefact(relative, result.pdf)
    artefact, _ = Artefact.objects.update_or_create(
        content_hash=digest, kind=Artefact.Kind.PDF, renderer=renderer,
        defaults={"relative_path": relative, "size": len(result.pdf), "pages": result.pages,
                  "sha256": hashlib.sha256(result.pdf).hexdigest(), "render_seconds": result.seconds},
    )
    _progress(run, AssemblyRun.Stage.RENDER, 95, artefact=artefact, rendered_now=True)
    run.timings = {**run.timings, "render": round(seconds, 4)}
    run.save(update_fields=["timings"])
    return _finish(run)


# The render stage in parallel (tasks.py: plan_render_stage → a chord of render_piece_stage → merge_pieces_stage):
# the pieces that are not in the cache are rendered by as many render workers as there are, on any host that shares
# the artefact store; the merge lays out the TOC, merges and stores the PDF. The progress bar counts pieces.

def plan_render(run_id: int) -> list[Piece]:
    """The pieces of a run's PDF that are still to be rendered (none when the run needs no render: see
    _render_settled; nor when every piece is cached: the merge alone follows). Sets the run's piece counters."""
    run = AssemblyRun.objects.select_related("snapshot", "artefact").get(pk=run_id)
    if run.status == AssemblyRun.Status.FAILED or _render_settled(run):
        return []
    missing = to_render(plan(json.loads(run.snapshot.payload)))
    _progress(run, AssemblyRun.Stage.RENDER, _piece_percent(0, len(missing)), pieces_total=len(missing),
              pieces_done=0)
    return missing


def needs_merge(run_id: int) -> bool:
    return AssemblyRun.objects.filter(pk=run_id, artefact__isnull=True).exclude(
        status=AssemblyRun.Status.FAILED).exists()


def _piece_percent(done: int, total: int) -> int:
    return 55 + (40 * done) // max(total, 1)


def render_run_piece(run_id: int, piece: Piece) -> PieceResult:
    """One piece of a run's PDF (cached by its key: rendering it again is a cache hit), then one more piece done:
    counted atomically (several workers finish pieces at once), never beyond the total, the percent from 55 to 95."""
    result = render_piece(piece)
    done = Least(F("pieces_done") + 1, F("pieces_total"))
    AssemblyRun.objects.filter(pk=run_id, pieces_total__gt=0).update(
        pieces_done=done, percent=Value(55) + Value(40) * done / F("pieces_total"))
    return result


def merge_pieces(run_id: int, started_at: float | None = None) -> AssemblyRun:
    """The end of a parallel render: every piece is in the cache now, so ``render_in_pieces`` only lays out the TOC
    and merges (a piece that went missing meanwhile is rendered here); the PDF stored and the run finished as
    ``render`` does. ``started_at``: when the render was planned (time.time()), for the run's render timing."""
    run = AssemblyRun.objects.select_related("snapshot", "artefact").get(pk=run_id)
    if run.status == AssemblyRun.Status.FAILED or _render_settled(run):
        return run
    started = time.perf_counter()
    result = render_in_pieces(json.loads(run.snapshot.payload))
    seconds = time.time() - started_at if started_at else time.perf_counter() - started
    run.timings = {**run.timings, "merge": round(time.perf_counter() - started, 4)}
    return _store_render(run, result, seconds)


def render_final(run: AssemblyRun) -> Artefact:
    """The submitted PDF of a run's snapshot: the same document without the 「案」 mark that every run's PDF carries.
    Rendered when the edition is submitted (reused if that content was rendered final before, by whatever renderer:
    the submitted file is a record, not a cache)."""
    digest = run.snapshot.content_hash
    existing = Artefact.objects.filter(content_hash=digest, kind=Artefact.Kind.FINAL_PDF).first()
    if existing is not None and existing.stored():
        return existing
    snapshot = json.loads(run.snapshot.payload)
    result = render_pdf(snapshot, document_html(snapshot, final=True))
    relative = artefact_relative_path(digest, "final.pdf")
    relative = save_artefact(relative, result.pdf)
    artefact, _ = Artefact.objects.update_or_create(
        content_hash=digest, kind=Artefact.Kind.FINAL_PDF,
        defaults={"renderer": fingerprint(), "relative_path": relative, "size": len(result.pdf), "pages": result.pages,
                  "sha256": hashlib.sha256(result.pdf).hexdigest(), "render_seconds": result.seconds},
    )
    return artefact


def render_final_ahead(run_id: int) -> int:
    """Render the submitted PDF of a signed run before anyone presses 提出 (the render queue's work, not the web's).
    A run that is gone (a test database, an edition deleted) is nothing to do."""
    run = AssemblyRun.objects.select_related("snapshot").filter(pk=run_id, snapshot__isnull=False).first()
    if run is not None:
        render_final(run)
    return run_id


def dispatch_final_render(sender, edition, run_id: int, content_hash: str, **kwargs) -> None:
    """Every co-author has signed (workflow.events.signed_by_all): queue the submitted PDF's render. If the broker
    cannot take it (or, in the demo's in-process mode, the render fails), submitting renders it instead
    (render_final): the signer never sees an error for it and nothing is lost."""
    from .tasks import render_final_stage

    try:
        render_final_stage.delay(run_id)
    except Exception:  # noqa: BLE001 — logged; the submission renders it
        logger.warning("final render of run %s not queued; it will be rendered on submission", run_id, exc_info=True)


def _finish(run: AssemblyRun) -> AssemblyRun:
    _progress(run, AssemblyRun.Stage.DONE, 100, status=AssemblyRun.Status.SUCCEEDED, finished_at=timezone.now(),
              failure="")
    return run


def fail(run_id: int, reason: str) -> None:
    AssemblyRun.objects.filter(pk=run_id).update(
        status=AssemblyRun.Status.FAILED, failure=reason[:2000], finished_at=timezone.now()
    )


def run_synchronously(edition: Edition, user=None) -> AssemblyRun:
    """The same pipeline in this process (render_report, tests, the benchmark)."""
    run = AssemblyRun.objects.create(edition=edition, requested_by=user)
    assemble(run.pk)
    validate_run(run.pk)
    return render(run.pk)
