"""A write to a tracked table (portal/pagecache.py ``TRACKED_TABLES``: citizens' messages and comments, the
staff's sign-ins and workflow) ends only the cached pages whose render read that table, found in the SQL
they ran; every other cached page stays. A write to any other table still ends every page (the leak world
of tests/portal/test_pagecache.py).

As there, test transactions never commit: ``commit()`` runs the callbacks a commit would run.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client

from disclosure.core.access import Role
from disclosure.feedback import services as feedback_services
from disclosure.feedback.models import FeedbackKind
from portal import pagecache
from tests.disclosure.publishing import COUNTY
from tests.factories import make_staff
from tests.portal.test_pagecache import NODE, commit, fetch_cached, pending_bumps, rendered, surfaces

FEEDBACK = "disclosure_feedback"


def test_each_write_is_placed_in_its_scope():
    scope = pagecache.bump_scope
    assert scope('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s') == "auth_user"
    assert scope('INSERT INTO "disclosure_feedback" ("kind") VALUES (%s) RETURNING "id"') == FEEDBACK
    assert scope('UPDATE "disclosure_record" SET "status" = %s') == pagecache.GUARDED  # if a public row
    assert scope('DELETE FROM "disclosure_attachment" WHERE "id" = %s') == pagecache.GUARDED
    # The search index and the counts of public records per column (written by triggers) are the records'.
    assert scope('DELETE FROM "disclosure_searchdocument" WHERE "record_id" = %s') == pagecache.RECORDS_SCOPE
    assert scope('UPDATE "disclosure_publiccolumncount" SET "records" = 0') == pagecache.RECORDS_SCOPE
    assert scope('INSERT INTO "catalog_organisation" ("x") VALUES (1)') is None
    assert scope('UPDATE "django_session" SET "expire_date" = 1') is pagecache.NOTHING
    assert scope('SELECT * FROM "disclosure_feedback" FOR UPDATE') is pagecache.NOTHING
    # A statement it cannot place (a CTE may write anywhere) ends every page, even naming a tracked table.
    assert scope("WITH x AS (DELETE FROM disclosure_feedback RETURNING 1) SELECT 1") is None


def test_the_tables_a_statement_reads_are_found_by_their_whole_name():
    named = pagecache.tracked_tables_named
    assert named('SELECT "disclosure_feedback"."id" FROM "disclosure_feedback" WHERE "disclosure_feedback"."id" = 1') == {
        FEEDBACK
    }
    # Raw SQL: unquoted, in capitals, joined.
    assert named("select count(*) from DISCLOSURE_FEEDBACK f join auth_user u on u.id = f.handler_id") == {
        FEEDBACK,
        "auth_user",
    }
    # One name inside another is not that table.
    assert named('SELECT 1 FROM "disclosure_applicationpause"') == {"disclosure_applicationpause"}
    assert named('SELECT 1 FROM "disclosure_application"') == {"disclosure_application"}
    assert named('SELECT "disclosure_record"."id" FROM "disclosure_record" WHERE "x_disclosure_feedback" = 1') == {
        pagecache.RECORDS_SCOPE
    }
    # The records' two tables share one scope; a table whose name starts with theirs is neither.
    assert named('SELECT 1 FROM "disclosure_attachment" WHERE "record_id" = 1') == {pagecache.RECORDS_SCOPE}
    assert named('SELECT "records" FROM "disclosure_publiccolumncount" WHERE "organisation_id" = 1') == {
        pagecache.RECORDS_SCOPE
    }
    assert named('SELECT 1 FROM "disclosure_record_related"') == set()
    assert named('SELECT 1 FROM "disclosure_feedbackarchive"') == set()


def test_a_citizens_message_and_a_staff_sign_in_leave_the_other_pages_cached(client, desk):
    record = desk.publish(NODE, title="关于留言不影响缓存的公告 mktrk", body="<p>mktrk</p>")
    commit()
    urls = [url for url, _shown in surfaces(record, "mktrk", sitemap=False)] + ["/guide/", f"/xxgk/{COUNTY}/"]
    bodies = {url: fetch_cached(client, url) for url in urls}

    feedback_services.feedback_submit(
        organisation=desk.organisation, kind=FeedbackKind.ERROR, subject="附件无法下载", text="附件链接打不开。",
        name="周慧敏", contact="13912345678",
    )
    staff = make_staff(desk.organisation, Role.EDITOR, username="trk-signin")
    Client().force_login(staff)  # a real sign-in: last_login written, a session saved
    update_last_login(None, staff)
    assert pending_bumps(FEEDBACK) >= 1 and pending_bumps("auth_user") >= 1
    assert pending_bumps() == 0  # nothing that ends every page
    commit()

    for url in urls:
        response = client.get(url)
        assert not rendered(response), f"{url} was rendered again after writes it never reads"
        assert response.content == bodies[url], url


def test_the_page_that_reads_a_tracked_table_follows_each_of_its_writes(client, cached, demo_orgs):
    county = demo_orgs[COUNTY]
    editor = make_staff(county, Role.EDITOR, username="trk-editor")
    reviewer = make_staff(county, Role.REVIEWER, username="trk-reviewer")
    feedback = feedback_services.feedback_submit(
        organisation=county, kind=FeedbackKind.QUESTION, subject="公租房申请条件", text="外地户籍能否申请？",
        name="周慧敏", contact="13912345678",
    )
    feedback_services.feedback_reply(user=editor, feedback=feedback, reply="持居住证满一年可以申请。mkreply")
    commit()
    url = f"/org/{COUNTY}/interact/"
    home = fetch_cached(client, "/")
    assert "mkreply" not in fetch_cached(client, url).decode()

    # Published: the 互动交流 page, cached, shows it at once; the home page, which reads no message, stays.
    feedback_services.feedback_publish(user=reviewer, feedback=feedback, public_text="外地户籍能否申请公租房？")
    assert pending_bumps() == 0 and pending_bumps(FEEDBACK) == 1
    commit()
    assert "mkreply" in fetch_cached(client, url).decode()
    response = client.get("/")
    assert not rendered(response) and response.content == home

    # Taken back: gone from the cached page at once.
    feedback_services.feedback_unpublish(user=reviewer, feedback=feedback, comment="内容有误")
    commit()
    assert "mkreply" not in client.get(url).content.decode()
    assert "mkreply" not in fetch_cached(client, url).decode()


def test_a_rolled_back_tracked_write_bumps_nothing(cached, demo_orgs):
    feedback_services.feedback_submit(
        organisation=demo_orgs[COUNTY], kind=FeedbackKind.QUESTION, subject="咨询", text="如何申请？", name="",
        contact="13912345678",
    )
    commit()
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "disclosure_feedback" SET "subject" = "subject" WHERE 1 = 1')
        raise RuntimeError
    assert pending_bumps(FEEDBACK) == 0
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "disclosure_feedback" SET "subject" = "subject" WHERE 1 = 1')
    assert pending_bumps(FEEDBACK) == 1 and pending_bumps() == 0


def test_an_update_or_delete_that_changed_no_row_bumps_nothing(cached):
    """Deleting a draft issues a dozen DELETEs on tables where it has no rows; a compare-and-set move that
    lost its race updates none: they wrote nothing. An INSERT, or a statement without WHERE, still counts."""
    commit()
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "disclosure_interpretation" WHERE "record_id" IN (%s)', [-1])
        cursor.execute('UPDATE "catalog_organisation" SET "name" = "name" WHERE "id" = %s', [-1])
        cursor.execute('UPDATE "disclosure_feedback" SET "subject" = "subject" WHERE 1 = 0')
    assert pending_bumps() == 0 and pending_bumps(FEEDBACK) == 0
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "catalog_organisation" SET "name" = "name" WHERE "code" = %s', [COUNTY])
    assert pending_bumps() == 1


def test_a_tracked_write_moves_the_last_write_but_not_the_generation(cached):
    keys = [pagecache.GENERATION_KEY, pagecache.WRITTEN_KEY, pagecache.TABLE_KEY % FEEDBACK, pagecache.TABLE_KEY % "auth_user"]
    pagecache.bump_generation()
    pagecache.bump(["auth_user"])
    before = pagecache.page_cache().get_many(keys)
    pagecache.bump([FEEDBACK])
    after = pagecache.page_cache().get_many(keys)
    assert after[pagecache.GENERATION_KEY] == before[pagecache.GENERATION_KEY]
    assert after[pagecache.TABLE_KEY % "auth_user"] == before[pagecache.TABLE_KEY % "auth_user"]
    assert after[pagecache.WRITTEN_KEY] != before[pagecache.WRITTEN_KEY]
    assert after[pagecache.TABLE_KEY % FEEDBACK] != before.get(pagecache.TABLE_KEY % FEEDBACK)


def test_a_tracked_write_committed_during_the_render_or_a_lost_token_ends_the_page(rf, cached):
    """The tokens are read before the render: a message committed by another process while the page reads
    the messages leaves the stored page dead at once; so does a token the cache dropped."""
    renders = []

    def view(request):
        renders.append(request.path)
        with connection.cursor() as cursor:
            cursor.execute('SELECT COUNT(*) FROM "disclosure_feedback"')
        if len(renders) == 1:
            pagecache.bump([FEEDBACK])  # committed elsewhere, after this render read the table
        return HttpResponse(f"render {len(renders)}")

    middleware = pagecache.PageCacheMiddleware(view)
    assert [middleware(rf.get("/probe/")).content for _ in range(3)] == [b"render 1", b"render 2", b"render 2"]

    pagecache.page_cache().delete(pagecache.TABLE_KEY % FEEDBACK)  # dropped (culled, or Redis evicted it)
    assert [middleware(rf.get("/probe/")).content for _ in range(2)] == [b"render 3", b"render 3"]

    # A page that reads no tracked table depends on the generation alone.
    quiet = pagecache.PageCacheMiddleware(lambda request: HttpResponse(f"quiet {len(renders)}"))
    assert quiet(rf.get("/quiet/")).content == quiet(rf.get("/quiet/")).content == b"quiet 3"
    pagecache.bump([FEEDBACK])
    assert quiet(rf.get("/quiet/")).content == b"quiet 3"
    pagecache.bump_generation()
    renders.append("-")
    assert quiet(rf.get("/quiet/")).content == b"quiet 4"


def test_no_submission_of_a_citizen_ends_every_page(desk):
    """A message, an application, a comment on a draft and an objection to a 公示: each bumps the tables
    it writes, all tracked; none starts a new generation (which would empty the cache of every page)."""
    from types import SimpleNamespace

    from disclosure.applications import services as application_services
    from disclosure.consultations.services import comment_submit
    from disclosure.records import publicity
    from tests.disclosure.applications.test_applications import PERSON
    from tests.disclosure.consultations.test_consultations import opened
    from tests.disclosure.records.test_publicity import published_list

    county = desk.organisation
    notice = published_list(desk).public_notice
    consultation = opened(SimpleNamespace(county=county, editor=desk.editor, reviewer=desk.reviewer))
    commit()
    submissions = {
        "留言": lambda: feedback_services.feedback_submit(
            organisation=county, kind=FeedbackKind.QUESTION, subject="咨询", text="如何申请？", name="", contact="13912345678"
        ),
        "依申请公开": lambda: application_services.application_submit(organisation=county, **PERSON),
        "征求意见": lambda: comment_submit(consultation=consultation, name="李女士", contact="0371-12345678", text="同意。"),
        "公示异议": lambda: publicity.objection_submit(notice=notice, name="赵六", contact="13803719999", text="异议"),
    }
    for name, submit in submissions.items():
        submit()
        scopes = {func.scope for _sids, func, _robust in connection.run_on_commit if isinstance(func, pagecache.Bump)}
        assert scopes and None not in scopes, f"{name}: {scopes}"
        assert scopes <= pagecache.TRACKED_TABLES, name
        commit()
