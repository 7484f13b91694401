"""The navigation's my-work count is cached per user under a generation that every write moves
(zoneeval/workflow/work_count.py): a page after nothing changed reads no work; any save or delete, any request that
may write (bulk updates included) and any Celery task make every count be read afresh at once."""
import pytest
from celery import shared_task
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from zoneeval.drafting import services as drafting
from zoneeval.drafting.models import Part
from zoneeval.workflow import services as wf
from zoneeval.workflow.selectors import my_work, my_work_count
from zoneeval.workflow.work_count import BumpAfterUnsafeRequestMiddleware, generation

from .test_pages_under_load import _client, _people

pytestmark = pytest.mark.django_db


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_a_second_page_reads_the_count_from_the_cache_and_a_submission_shows_at_once(edition):
    people = _people(edition)
    drafting.ensure_parts(edition)
    approver, drafter = people["yokohama-approver"], people["yokohama-drafter"]
    before = my_work_count(approver)
    assert _queries(lambda: my_work_count(approver)) == 0 and my_work_count(approver) == before

    part = Part.objects.filter(edition=edition, authority__slug="yokohama").order_by("pk").first()
    wf.submit_for_review(drafter, part, part.version)  # another user's action, through the service

    assert my_work_count(approver) == before + 1 == my_work(approver, exact=False)["total"]
    page = _client(approver).get("/").content.decode()
    assert f'<span class="count-badge">{before + 1}</span>' in page


def test_a_request_that_may_write_moves_the_generation_a_read_does_not():
    middleware = BumpAfterUnsafeRequestMiddleware(lambda request: None)
    factory = RequestFactory()
    start = generation()
    middleware(factory.get("/"))
    middleware(factory.head("/"))
    assert generation() == start
    middleware(factory.post("/"))
    assert generation() == start + 1


def test_a_save_a_delete_and_a_task_move_it_a_session_does_not(edition):
    start = generation()
    SessionStore().create()  # a session written: nobody's work changed
    assert generation() == start
    drafting.ensure_parts(edition)
    start = generation()
    part = Part.objects.filter(edition=edition).first()
    part.save()
    saved = generation()
    assert saved > start

    @shared_task
    def nothing():
        return 1

    nothing.apply()
    assert generation() == saved + 1
