import copy
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PATH = ROOT / "zoneeval" / "samples" / "keihin-fy2019.json"
# A copy of ../shared/reference/keihin-fy2019-evaluation-report.txt, so that the suite runs from any checkout.
REFERENCE_PATH = ROOT / "tests" / "fixtures" / "keihin-fy2019-evaluation-report.txt"


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def sample(sample_text) -> dict:
    """The FY2019 sample as a fresh dict each time (tests may mutate it)."""
    return json.loads(sample_text)


@pytest.fixture
def edition(db, sample):
    from zoneeval.reports.interchange.importer import import_document

    return import_document(copy.deepcopy(sample))


SHIOMI_PATH = ROOT / "zoneeval" / "samples" / "shiomi-fy2015.json"  # a FICTIONAL 地域活性化 zone in Heisei years


@pytest.fixture
def shiomi() -> dict:
    """The fictional shiomi FY2015 (平成27年度) zone: level, ratio, flow and qualitative targets, a partner body."""
    return json.loads(SHIOMI_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def shiomi_edition(db, shiomi):
    from zoneeval.reports.interchange.importer import import_document

    return import_document(copy.deepcopy(shiomi))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests sign in many users; a cheap hasher keeps the suite fast (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page():
    """A page of Debian's Chromium driven by Playwright (for tests against ``live_server``)."""
    from .browser_support import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed (scripts/test.sh installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 1000})
        page.set_default_timeout(20000)
        yield page
        browser.close()


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """An S3-compatible object store (moto's server) in its own process, for the whole session: its endpoint URL.
    Each test makes its own bucket (tests/processes.py new_bucket)."""
    from . import processes

    server = processes.start_moto(tmp_path_factory.mktemp("moto"))
    try:
        yield server.extra["endpoint"]
    finally:
        processes.stop(server)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, made after the test database and so stopped before it is dropped. Without the
    dependency the session's teardown could drop the database first, while a request thread of the still-running
    server held a connection to it ("database … is being accessed by other users", the database left behind)."""
    return live_server
