"""Artefacts on an S3-compatible object store (django-storages against moto's S3 server), configured from the
environment exactly as settings.py reads it: a render is stored there, read back byte for byte, downloaded through
Django, and nothing is written to the local artefact folder."""
import hashlib
import importlib.util

import pytest
from django.urls import reverse

from zoneeval.assembly import services
from zoneeval.assembly.storage import artefact_storage
from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user

from .conftest import ROOT
from .processes import new_bucket, s3_env, s3_objects

pytestmark = pytest.mark.django_db


def _settings_module(monkeypatch, **env):
    """zoneeval/settings.py executed afresh with ``env`` (the demo's DEBUG=1, so that nothing else is needed)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DEBUG", "1")
    spec = importlib.util.spec_from_file_location("zoneeval._settings_probe", ROOT / "zoneeval" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_bucket_artefacts_stay_in_the_local_folder(monkeypatch):
    monkeypatch.delenv("ARTEFACT_S3_BUCKET", raising=False)
    probe = _settings_module(monkeypatch)
    assert probe.STORAGES["artefacts"]["BACKEND"] == "zoneeval.assembly.storage.ArtefactFileSystemStorage"


def test_the_environment_configures_the_object_store(monkeypatch):
    probe = _settings_module(monkeypatch, **s3_env("http://s3.example.invalid:9000", "reports", prefix="/zoneeval/"))
    store = probe.STORAGES["artefacts"]
    assert store["BACKEND"] == "storages.backends.s3.S3Storage"
    assert store["OPTIONS"] | {"access_key": "-", "secret_key": "-"} == {
        "bucket_name": "reports", "endpoint_url": "http://s3.example.invalid:9000", "region_name": "us-east-1",
        "access_key": "-", "secret_key": "-", "location": "zoneeval", "file_overwrite": True,
        "querystring_auth": False, "default_acl": None}
    assert store["OPTIONS"]["access_key"] and store["OPTIONS"]["secret_key"]


@pytest.fixture
def s3_artefacts(monkeypatch, settings, tmp_path, moto_s3):
    bucket = new_bucket(moto_s3)
    probe = _settings_module(monkeypatch, **s3_env(moto_s3, bucket, prefix="reports/artefacts"))
    settings.STORAGES = {**settings.STORAGES, "artefacts": probe.STORAGES["artefacts"]}
    settings.ARTEFACT_DIR = tmp_path / "local-artefacts"  # must stay empty
    return {"endpoint": moto_s3, "bucket": bucket, "local": settings.ARTEFACT_DIR}


def test_a_render_is_stored_on_s3_read_back_identical_and_downloaded_through_django(edition, s3_artefacts, client):
    assert type(artefact_storage()).__name__ == "S3Storage"
    run = services.run_synchronously(edition)
    assert run.status == "succeeded", run.failure
    artefact = run.artefact
    objects = s3_objects(s3_artefacts["endpoint"], s3_artefacts["bucket"])
    # the PDF, and the pieces it was merged from (zoneeval/assembly/pieces.py), in the same store
    assert [name for name in objects if not name.startswith("reports/artefacts/pieces/")] == [
        f"reports/artefacts/{artefact.relative_path}"]
    assert any(name.endswith(".pdf") for name in objects if name.startswith("reports/artefacts/pieces/"))
    stored = objects[f"reports/artefacts/{artefact.relative_path}"]
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == artefact.sha256
    assert artefact.stored() and artefact.read_bytes() == stored
    assert not s3_artefacts["local"].exists() or not any(s3_artefacts["local"].rglob("*"))

    # the web streams it from the store
    user = ensure_user("s3-coordinator", "pw-for-tests-123", authority=edition.coordinator,
                       role=Membership.Role.COORDINATOR)
    client.force_login(user)
    response = client.get(reverse("assembly:pdf", args=[edition.zone.slug, edition.fiscal_year, run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored

    # the same content is not rendered again: the stored object is found and reused
    again = services.run_synchronously(edition)
    assert again.status == "succeeded" and again.artefact_id == artefact.pk and not again.rendered_now
    assert list(s3_objects(s3_artefacts["endpoint"], s3_artefacts["bucket"])) == list(objects)
