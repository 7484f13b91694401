"""The settings the suite runs with: zoneeval's own, imported as the demo imports them (DEBUG=1, so that importing
needs no production secret or host list); pytest-django then runs every test with DEBUG off, as production does.
Subprocesses started by tests (Celery workers, the demo server) inherit DEBUG=1 from here unless they set it."""
import os

os.environ.setdefault("DEBUG", "1")

from zoneeval.settings import *  # noqa: E402,F401,F403

# The my-work count is cached per user until the next write (zoneeval/workflow/work_count.py); the suite's processes
# share Redis, so no time limit is needed, and none may expire between two requests a test compares.
MY_WORK_COUNT_SECONDS = 3600  # noqa: F811
