"""The assembly pipeline in one process: stages, idempotency by content hash, atomic artefacts, retries, the page."""
import json
import os

import pytest
from django.db import OperationalError
from django.urls import reverse

from zoneeval.assembly import services, storage, tasks
from zoneeval.assembly.models import Artefact, AssemblyRun
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user
from zoneeval.reports.models import Passage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def artefact_dir(settings, tmp_path):
    settings.ARTEFACT_DIR = tmp_path / "artefacts"
    return settings.ARTEFACT_DIR


@pytest.fixture
def eager():
    """Run Celery tasks in-process for this test only (the suite otherwise talks to Redis)."""
    from zoneeval.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(scope="module")
def rendered_once():
    """Render the sample once for the module; later runs reuse it through the artefact table or a stub."""
    return {}


def _fast_render(monkeypatch, calls):
    from zoneeval.assembly.render import RenderResult

    def fake(snapshot, html=None):
        calls.append(snapshot["edition"]["fiscal_year"])
        return RenderResult(pdf=b"%PDF-1.7 stub " + os.urandom(8), pages=3, seconds=0.01)

    monkeypatch.setattr(services, "render_pdf", fake)
    monkeypatch.setattr(services, "render_in_pieces", services.render_pdf)  # drafts render in pieces


def test_run_goes_through_every_stage_and_stores_findings_and_timings(edition, monkeypatch):
    calls = []
    _fast_render(monkeypatch, calls)
    run = services.run_synchronously(edition)
    run.refresh_from_db()
    assert (run.status, run.stage, run.percent) == ("succeeded", "done", 100)
    assert set(run.timings) == {"assemble", "validate", "render"}
    assert run.error_count == 2 and {f["rule"] for f in run.findings} == {"stated_progress_agrees", "annex3_totals_agree"}
    assert run.artefact.read_bytes().startswith(b"%PDF")
    assert len(run.snapshot.content_hash) == 64 and calls == [2019]


def test_same_content_is_not_rendered_twice(edition, monkeypatch):
    calls = []
    _fast_render(monkeypatch, calls)
    first = services.run_synchronously(edition)
    second = services.run_synchronously(edition)
    assert calls == [2019]
    assert second.artefact_id == first.artefact_id and second.rendered_now is False
    assert second.snapshot_id == first.snapshot_id


def test_a_changed_renderer_renders_the_same_content_again(edition, monkeypatch, settings, tmp_path):
    """A deploy that changes a template or stylesheet must not keep serving PDFs laid out by the old code."""
    from zoneeval.assembly import renderer

    calls = []
    _fast_render(monkeypatch, calls)
    first = services.run_synchronously(edition)
    assert services.run_synchronously(edition).artefact_id == first.artefact_id and calls == [2019]

    # The real fingerprint follows the files: a changed stylesheet gives another one.
    base = tmp_path / "code"
    for relative in ("static/css/print.css", "templates/reports/print.html"):
        (base / relative).parent.mkdir(parents=True, exist_ok=True)
        (base / relative).write_text("a")
    settings.BASE_DIR = base
    renderer.fingerprint.cache_clear()
    before = renderer.fingerprint()
    (base / "static/css/print.css").write_text("b")
    renderer.fingerprint.cache_clear()
    after = renderer.fingerprint()
    assert before != after

    monkeypatch.setattr(services, "fingerprint", lambda: after)
    second = services.run_synchronously(edition)
    assert calls == [2019, 2019] and second.rendered_now is True
    assert second.snapshot_id == first.snapshot_id and second.artefact_id != first.artefact_id
    assert first.artefact.stored() and second.artefact.stored()
    renderer.fingerprint.cache_clear()


def test_a_changed_section_gives_a_new_hash_and_a_new_artefact(edition, monkeypatch):
    calls = []
    _fast_render(monkeypatch, calls)
    first = services.run_synchronously(edition)
    passage = Passage.objects.get(edition=edition, slot="part7.overall")
    passage.text = "<p>変更後の総合評価。</p>"
    passage.save()
    second = services.run_synchronously(edition)
    assert calls == [2019, 2019]
    assert second.snapshot.content_hash != first.snapshot.content_hash
    assert second.artefact_id != first.artefact_id and Artefact.objects.count() == 2


def test_interrupted_run_completes_when_dispatched_again(edition, monkeypatch):
    calls = []
    _fast_render(monkeypatch, calls)
    run = AssemblyRun.objects.create(edition=edition)
    services.assemble(run.pk)
    services.validate_run(run.pk)  # … the worker dies here
    services.assemble(run.pk)  # dispatched again: finished stages are skipped
    services.validate_run(run.pk)
    run = services.render(run.pk)
    assert run.status == "succeeded" and calls == [2019]


def test_run_is_dispatched_only_after_commit(edition, django_capture_on_commit_callbacks, monkeypatch):
    dispatched = []
    monkeypatch.setattr(tasks, "dispatch_pipeline", lambda run_id, **kw: dispatched.append(run_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.request_run(edition)
    assert dispatched == [] and len(callbacks) == 1
    callbacks[0]()
    assert dispatched == [run.pk]


def test_transient_database_failure_is_retried(edition, monkeypatch):
    calls = []
    _fast_render(monkeypatch, calls)
    original = services.assemble
    failures = []

    def flaky(run_id):
        if not failures:
            failures.append(1)
            raise OperationalError("connection reset")
        return original(run_id)

    monkeypatch.setattr(services, "assemble", flaky)
    run = AssemblyRun.objects.create(edition=edition)
    result = tasks.assemble_stage.apply(args=[run.pk], throw=False)  # apply() carries out retries in-process
    assert result.successful() and failures == [1]
    run.refresh_from_db()
    assert run.snapshot_id is not None and run.attempts == 1


def test_failure_marks_the_run_failed(edition, eager, monkeypatch):
    def broken(snapshot, html=None):
        raise ValueError("layout exploded")

    monkeypatch.setattr(services, "render_pdf", broken)
    monkeypatch.setattr(services, "render_in_pieces", services.render_pdf)  # drafts render in pieces
    run = AssemblyRun.objects.create(edition=edition)
    with pytest.raises(ValueError):
        tasks.dispatch_pipeline(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "layout exploded" in run.failure


def test_artefact_write_is_all_or_nothing(tmp_path, settings, monkeypatch):
    settings.ARTEFACT_DIR = tmp_path
    final = storage.write_atomically("ab/abc.pdf", b"%PDF complete")
    assert final.read_bytes() == b"%PDF complete"

    def crash(*args, **kwargs):
        raise OSError(5, "I/O error while writing")

    monkeypatch.setattr(storage.os, "write", crash)
    monkeypatch.setattr(storage, "_write_all", crash)
    with pytest.raises(OSError):
        storage.write_atomically("cd/cde.pdf", b"%PDF never")
    assert not (tmp_path / "cd" / "cde.pdf").exists()
    assert [p.name for p in (tmp_path / "cd").iterdir() if not p.name.endswith(".partial")] == []


def test_temporaries_of_dead_writers_are_removed(tmp_path, settings):
    settings.ARTEFACT_DIR = tmp_path
    (tmp_path / "ef").mkdir()
    orphan = tmp_path / "ef" / ".x.pdf.999999999.partial"
    orphan.write_bytes(b"%PDF half")
    storage._remove_stale_temporaries(tmp_path / "ef")
    assert not orphan.exists()


def _login(client, username, authority, role):
    user = ensure_user(username, "pw-for-tests-123", authority=authority, role=role)
    client.force_login(user)
    return user


def test_coordinator_starts_a_run_and_the_page_shows_progress_and_findings(
        client, edition, eager, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    _fast_render(monkeypatch, calls)
    _login(client, "coord", edition.coordinator, Membership.Role.COORDINATOR)
    url = reverse("assembly:start", args=["keihin", 2019])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    run = AssemblyRun.objects.get()
    page = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    assert "<progress" in page and f"実行 #{run.pk}" in page
    assert "エラー 2 件" in page and 'href="#target-1-1"' in page and 'href="#annex3-fiscal-1"' in page
    assert 'id="target-1-1"' in page and 'id="annex3-fiscal-1"' in page
    pdf = client.get(reverse("assembly:pdf", args=["keihin", 2019, run.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_active_run_polls_itself(client, edition):
    _login(client, "viewer-x", None, Membership.Role.VIEWER)
    run = AssemblyRun.objects.create(edition=edition, status="running", stage="render", percent=55)
    html = client.get(reverse("assembly:status", args=["keihin", 2019, run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="55"' in html
    run.status, run.percent, run.stage = "succeeded", 100, "done"
    run.save()
    html = client.get(reverse("assembly:status", args=["keihin", 2019, run.pk])).content.decode()
    assert "hx-trigger" not in html


def test_only_the_coordinator_may_start_a_run(client, edition):
    url = reverse("assembly:start", args=["keihin", 2019])
    assert client.post(url).status_code == 302  # to the login page
    yokohama = edition.coauthors.get(order=1).authority
    _login(client, "yokohama-approver-x", yokohama, Membership.Role.APPROVER)
    assert client.post(url).status_code == 403
    assert AssemblyRun.objects.count() == 0


def test_every_finding_links_to_a_place_that_exists(client, edition, sample):
    import copy

    from tests.test_validations import BREAKERS
    from zoneeval.assembly.validations import validate

    _login(client, "viewer-y", None, Membership.Role.VIEWER)
    page = client.get(reverse("reports:edition_detail", args=["keihin", 2019])).content.decode()
    anchors = set()
    for breakers in BREAKERS.values():
        for breaker in breakers:
            doc = copy.deepcopy(sample)
            breaker(doc)
            doc.pop("derived")
            anchors |= {f.anchor for f in validate(doc)}
    missing = sorted(a for a in anchors if f'id="{a}"' not in page)
    assert missing == []


def test_a_failed_render_in_process_shows_the_run_with_the_reason(
        client, edition, eager, monkeypatch, django_capture_on_commit_callbacks):
    """The demo runs tasks in-process (eager Celery, exceptions propagate): a render that fails must give the
    coordinator the run's page with the reason, not a 500."""
    def broken(snapshot, html=None):
        raise RuntimeError("フォントが見つかりません")

    monkeypatch.setattr(services, "render_pdf", broken)
    monkeypatch.setattr(services, "render_in_pieces", services.render_pdf)  # drafts render in pieces
    _login(client, "coord", edition.coordinator, Membership.Role.COORDINATOR)
    url = reverse("assembly:start", args=["keihin", 2019])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#assembly")
    run = AssemblyRun.objects.get()
    assert run.status == "failed" and "フォントが見つかりません" in run.failure
    page = client.get(response["Location"]).content.decode()
    assert f"実行 #{run.pk}" in page and "失敗しました" in page and "フォントが見つかりません" in page


def test_a_broker_that_cannot_be_reached_is_the_runs_failure(edition, monkeypatch, django_capture_on_commit_callbacks):
    def unreachable(run_id, **options):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks, "dispatch_pipeline", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_run(edition)
    run.refresh_from_db()
    assert run.status == "failed" and "実行を開始できませんでした" in run.failure and "6379" in run.failure


def test_artefacts_go_through_the_configured_storage(tmp_path, settings):
    """Every artefact is written and read through settings.STORAGES["artefacts"], whatever backend it names."""
    from django.core.files.storage import InMemoryStorage, storages

    settings.STORAGES = {**settings.STORAGES, "artefacts": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert isinstance(storages["artefacts"], InMemoryStorage)
    name = storage.save_artefact("ab/abc.pdf", b"%PDF in memory")
    artefact = Artefact.objects.create(content_hash="abc", relative_path=name, size=14, sha256="x")
    assert artefact.stored() and artefact.read_bytes() == b"%PDF in memory"
    assert not (settings.ARTEFACT_DIR / "ab" / "abc.pdf").exists()  # nothing on the local folder
    assert storage.save_artefact("ab/abc.pdf", b"%PDF in memory") == name  # content-addressed: not written twice


def test_the_status_counts_the_pieces_while_they_render(client, edition):
    _login(client, "viewer-y", None, Membership.Role.VIEWER)
    run = AssemblyRun.objects.create(edition=edition, status="running", stage="render", percent=65, pieces_total=12,
                                     pieces_done=3)
    html = client.get(reverse("assembly:status", args=["keihin", 2019, run.pk])).content.decode()
    assert "（<span class=\"run-stage\">PDF作成中：3/12</span>）" in html and 'value="65"' in html


def test_a_piece_done_is_counted_once_and_never_beyond_the_total(edition, monkeypatch):
    monkeypatch.setattr(services, "render_piece", lambda piece: piece)
    run = AssemblyRun.objects.create(edition=edition, status="running", stage="render", percent=55, pieces_total=4)
    percents = []
    for _ in range(5):  # a fifth (a task delivered again) is not a fifth piece
        services.render_run_piece(run.pk, None)
        run.refresh_from_db()
        percents.append((run.pieces_done, run.percent))
    assert percents == [(1, 65), (2, 75), (3, 85), (4, 95), (4, 95)]


def test_the_pipeline_renders_the_pieces_as_a_chord_and_only_the_changed_ones_again(edition, eager, monkeypatch):
    """In-process (eager, as the demo): one task per piece that is not in the cache, then the merge; after an
    edit, one task for the sub-piece that holds it (pieces cut where their first render broke the page)."""
    from zoneeval.assembly import pieces

    sent, seen = [], []
    real = tasks.render_piece_stage.run

    def spy(run_id, index, name, html, key, cut=None):
        run = AssemblyRun.objects.get(pk=run_id)
        seen.append((run.pieces_done, run.pieces_total, run.percent))
        sent.append(name)
        return real(run_id, index, name, html, key, cut)

    monkeypatch.setattr(tasks.render_piece_stage, "run", spy)
    first = AssemblyRun.objects.create(edition=edition)
    tasks.dispatch_pipeline(first.pk)
    first.refresh_from_db()
    planned = pieces.plan(json.loads(first.snapshot.payload))
    names = list(dict.fromkeys(piece.parent or piece.name for piece in planned))  # the first render: whole pieces
    assert len(planned) > len(names)  # since then cut
    assert first.status == "succeeded", first.failure
    assert sent == names and first.pieces_done == first.pieces_total == len(names)
    assert [done for done, _, _ in seen] == list(range(len(names)))  # the progress bar counts pieces
    assert [percent for _, _, percent in seen] == [55 + 40 * done // len(names) for done in range(len(names))]
    assert set(first.timings) == {"assemble", "validate", "render", "merge"}
    one_pass_pages = first.artefact.pages
    assert first.artefact.read_bytes().startswith(b"%PDF") and one_pass_pages > 20

    passage = Passage.objects.get(edition=edition, slot="part7.overall")
    passage.text = "<p>並列で作り直す総合評価。</p>"
    passage.save()
    sent.clear()
    second = AssemblyRun.objects.create(edition=edition)
    tasks.dispatch_pipeline(second.pk)
    second.refresh_from_db()
    assert second.status == "succeeded", second.failure
    assert len(sent) == 1 and sent[0].startswith("body.")  # the rest was cached: not sent as tasks
    assert second.pieces_done == second.pieces_total == 1
    assert second.artefact_id != first.artefact_id and second.artefact.pages == one_pass_pages

    sent.clear()
    third = AssemblyRun.objects.create(edition=edition)  # the same content: the same PDF, no piece sent
    tasks.dispatch_pipeline(third.pk)
    third.refresh_from_db()
    assert third.status == "succeeded" and third.artefact_id == second.artefact_id and sent == []


def test_the_status_line_says_the_stage_only_while_it_matters(client, edition):
    """「完了」 alone once done (not 「完了（完了）」); the failed stage for a failed run; the stage while under way."""
    _login(client, "viewer-z", None, Membership.Role.VIEWER)
    cases = {("succeeded", "done"): "<strong>完了</strong>\n", ("failed", "render"): "（<span class=\"run-stage\">PDF作成</span>）",
             ("running", "validate"): "（<span class=\"run-stage\">検証</span>）"}
    for (status, stage), expected in cases.items():
        run = AssemblyRun.objects.create(edition=edition, status=status, stage=stage)
        html = client.get(reverse("assembly:status", args=["keihin", 2019, run.pk])).content.decode()
        assert expected in html, (status, stage)
        assert "（完了）" not in html
    run = AssemblyRun.objects.create(edition=edition, status="succeeded", stage="done",
                                     timings={"assemble": 0.05, "render": 7.5, "merge": 0.2})
    html = client.get(reverse("assembly:status", args=["keihin", 2019, run.pk])).content.decode()
    assert "所要時間：取りまとめ 0.05秒、PDF作成 7.50秒、うち結合 0.20秒" in html
