"""The piece cache is pruned daily (Celery beat: prune-pieces): files under pieces/ written more than PIECES_KEEP_DAYS
ago are deleted, newer ones and everything else in the artefact store kept; a render after the prune lays the
deleted pieces out again."""
import datetime
import json
import os

import pytest
from django.conf import settings
from django.test import override_settings

from zoneeval.assembly import pieces
from zoneeval.assembly.storage import artefact_storage, save_artefact
from zoneeval.assembly.tasks import prune_pieces
from zoneeval.reports.figures import derive

from .conftest import ROOT


@pytest.fixture
def store(tmp_path):
    with override_settings(ARTEFACT_DIR=tmp_path):
        yield tmp_path


def _age(path, days: float) -> None:
    when = (datetime.datetime.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (when, when))


def test_old_pieces_are_deleted_and_laid_out_again_when_needed(store):
    snapshot = json.loads((ROOT / "zoneeval" / "samples" / "keihin-fy2019.json").read_text(encoding="utf-8"))
    snapshot["derived"] = derive(snapshot)
    first = pieces.render_in_pieces(snapshot)
    save_artefact("ab/cdef/run.pdf", first.pdf)  # a run's PDF: not the cache's
    files = sorted(path for path in (store / pieces.PIECES_DIR).rglob("*") if path.is_file())
    assert len(files) >= 20
    old, new = files[::2], files[1::2]
    sizes = sum(path.stat().st_size for path in old)
    for path in old:
        _age(path, 8)
    _age(store / "ab" / "cdef" / "run.pdf", 30)

    deleted = prune_pieces.apply(kwargs={"days": 7}).get()

    assert deleted["files"] == len(old) and deleted["bytes"] == sizes
    assert not any(path.exists() for path in old) and all(path.exists() for path in new)
    assert artefact_storage().exists("ab/cdef/run.pdf")
    again = pieces.render_in_pieces(snapshot)
    assert again.timings["rendered"] and again.pages == first.pages


def test_nothing_is_deleted_within_the_days_kept(store):
    snapshot = json.loads((ROOT / "zoneeval" / "samples" / "keihin-fy2019.json").read_text(encoding="utf-8"))
    snapshot["derived"] = derive(snapshot)
    pieces.render_in_pieces(snapshot)
    for path in (store / pieces.PIECES_DIR).rglob("*"):
        if path.is_file():
            _age(path, 6.9)
    assert pieces.prune(datetime.timedelta(days=7)) == {"files": 0, "bytes": 0}
    assert pieces.prune(datetime.timedelta(days=6))["files"] >= 20


def test_the_beat_schedule_runs_it_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["prune-pieces"]
    assert entry["task"] == prune_pieces.name and settings.PIECES_KEEP_DAYS == 7
