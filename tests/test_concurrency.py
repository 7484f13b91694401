"""Simultaneous saves over HTTP, on the embedded default (SQLite, a real `runserver` in a subprocess) and on
PostgreSQL (the live server) alike: of two saves of one item made from the same version, one is saved and the other
is refused with 409 keeping what was typed; twenty parallel saves of twenty different rows are all saved, and every
part's version counts every save."""
from __future__ import annotations

import re
import sqlite3

import pytest

from zoneeval.authorities.models import Membership
from zoneeval.authorities.services import ensure_user

from .conftest import SAMPLE_PATH
from .live_http import Session, all_at_once, demo_env, form_fields, manage, served

SECTION = "/keihin/2019/draft/annex4/"
DEMO_PASSWORD = "zoneeval-demo"
EDIT_PATH = re.compile(r'hx-get="(/draft/item/local-row/(\d+)/)"')


def _signed_in(base, username) -> Session:
    session = Session(base)
    assert session.sign_in(username, DEMO_PASSWORD).status == 302, f"{username} could not sign in"
    return session


def _own_rows(session) -> list[str]:
    """The edit paths of the 別紙4 rows the signed-in user may edit (those with an 編集 button)."""
    page = session.get(SECTION)
    assert page.status == 200
    return list(dict.fromkeys(m.group(1) for m in EDIT_PATH.finditer(page.body)))


def two_saves_of_one_row(base):
    drafter, approver = _signed_in(base, "yokohama-drafter"), _signed_in(base, "yokohama-approver")
    path = _own_rows(drafter)[0]
    loaded = [form_fields(s.get(path).body, path) for s in (drafter, approver)]
    assert loaded[0]["version"] == loaded[1]["version"]  # both started from the same version
    texts = ["同時保存A：交付実績31件", "同時保存B：交付実績32件"]
    results = all_at_once([(s, lambda conn, s=s, data=data, text=text: s.post(path, {**data, "result": text},
                                                                              conn=conn))
                           for s, data, text in zip((drafter, approver), loaded, texts)])
    assert sorted(r.status for r in results) == [302, 409], [(r.status, r.body[:300]) for r in results]
    winner = texts[[r.status for r in results].index(302)]
    loser, lost_text = next((r, t) for r, t in zip(results, texts) if r.status == 409)
    assert "他の人が更新しました" in loser.body and lost_text in loser.body  # the input is kept
    assert winner in drafter.get(SECTION).body and lost_text not in drafter.get(SECTION).body
    again = form_fields(drafter.get(path).body, path)
    assert int(again["version"]) == int(loaded[0]["version"]) + 1


def twenty_saves_of_twenty_rows(base, count_parts):
    sessions = [_signed_in(base, f"{slug}-drafter") for slug in ("yokohama", "kanagawa", "kawasaki")]
    jobs, markers = [], []
    rows = [(s, path) for s in sessions for path in _own_rows(s)[:7]][:20]
    assert len(rows) == 20
    before = count_parts()
    for i, (session, path) in enumerate(rows):
        data = form_fields(session.get(path).body, path)
        marker = f"並行保存{i:02d}番の行"
        markers.append(marker)
        jobs.append((session, lambda conn, s=session, p=path, d=data, t=marker: s.post(p, {**d, "result": t},
                                                                                        conn=conn)))
    results = all_at_once(jobs)
    assert [r.status for r in results] == [302] * 20, [(r.status, r.body[:200]) for r in results if r.status != 302]
    pages = "".join(s.get(SECTION).body for s in sessions)
    assert [m for m in markers if m not in pages] == []
    after = count_parts()
    # every save is one revision and one step of its part's version (no lost update of the part)
    grown = {pk: (after[pk][0] - before.get(pk, (0, 0))[0], after[pk][1] - before.get(pk, (0, 0))[1])
             for pk in after}
    assert sum(revisions for _, revisions in grown.values()) == 20
    assert all(version == revisions for version, revisions in grown.values()), grown


def _sqlite_parts(db_path):
    def count():
        with sqlite3.connect(db_path, timeout=30) as conn:
            rows = conn.execute("select p.id, p.version, (select count(*) from drafting_revision r "
                                "where r.part_id = p.id) from drafting_part p").fetchall()
        return {pk: (version, revisions) for pk, version, revisions in rows}
    return count


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory):
    """The embedded demo exactly as `make demo` makes it: SQLite, eager tasks, the sample and the demo users."""
    var_dir = tmp_path_factory.mktemp("sqlite-demo")
    env = demo_env(var_dir)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_report", str(SAMPLE_PATH))
    manage(env, "create_demo_users", "--zone", "keihin", "--year", "2019")
    return env, var_dir / "zoneeval.sqlite3"


def test_sqlite_two_simultaneous_saves_of_one_row_give_one_save_and_one_409(sqlite_demo):
    env, _ = sqlite_demo
    with served(env) as base:
        two_saves_of_one_row(base)


def test_sqlite_twenty_parallel_saves_of_different_rows_are_all_saved(sqlite_demo):
    env, db_path = sqlite_demo
    with served(env) as base:
        twenty_saves_of_twenty_rows(base, _sqlite_parts(db_path))


@pytest.fixture
def pg_demo_users(edition):
    for coauthor in edition.coauthors.select_related("authority"):
        for role in ("drafter", "approver"):
            ensure_user(f"{coauthor.authority.slug}-{role}", DEMO_PASSWORD, authority=coauthor.authority, role=role)
    ensure_user("coordinator", DEMO_PASSWORD, authority=edition.coordinator, role=Membership.Role.COORDINATOR)


@pytest.mark.django_db(transaction=True)
def test_postgresql_two_simultaneous_saves_of_one_row_give_one_save_and_one_409(live_server, pg_demo_users):
    two_saves_of_one_row(live_server.url)


@pytest.mark.django_db(transaction=True)
def test_postgresql_twenty_parallel_saves_of_different_rows_are_all_saved(live_server, pg_demo_users):
    from django.db.models import Count

    from zoneeval.drafting.models import Part

    def count():
        return {p.pk: (p.version, p.n) for p in Part.objects.annotate(n=Count("revisions"))}

    twenty_saves_of_twenty_rows(live_server.url, count)
