"""Running as a cluster: which reads go to the replica, and who sends attachment bytes.

The router's decisions are tested here with the replica's health set by hand; a real streaming replica
(a second PostgreSQL cluster) is what deploy/ documents for production and is not started by the test
suite."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from disclosure.records import services
from disclosure.records.models import Record
from portal import dbrouter
from tests.disclosure.publishing import COUNTY, Desk

router = dbrouter.ReplicaRouter()


def route(request, *, write=False, replica_up=True, monkeypatch) -> list[str]:
    """The databases the router picks for a read, (a write,) and a read, inside ``request``."""
    monkeypatch.setattr(dbrouter, "replica_ok", lambda: replica_up)
    picked = []

    def view(request):
        picked.append(router.db_for_read(Record))
        if write:
            picked.append(router.db_for_write(Record))
        picked.append(router.db_for_read(Record))
        return HttpResponse()

    dbrouter.ReadRoutingMiddleware(view)(request)
    return picked


@pytest.fixture
def rf():
    return RequestFactory()


def test_anonymous_public_reads_go_to_the_replica(rf, monkeypatch):
    assert route(rf.get("/org/419901/"), monkeypatch=monkeypatch) == ["replica", "replica"]
    assert route(rf.head("/search/?q=x"), monkeypatch=monkeypatch) == ["replica", "replica"]


def test_after_a_write_the_same_request_reads_the_primary(rf, monkeypatch):
    assert route(rf.get("/search/?q=x"), write=True, monkeypatch=monkeypatch) == ["replica", "default", "default"]


@pytest.mark.parametrize("make", [
    lambda rf: rf.post("/apply/"),
    lambda rf: rf.get("/admin/"),
    lambda rf: rf.get("/org/419901/", HTTP_COOKIE="sessionid=abc"),  # staff: read their own writes
    lambda rf: rf.get("/apply/receipt/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}=1"),  # just submitted
])
def test_staff_writes_and_what_follows_a_post_read_the_primary(rf, monkeypatch, make):
    assert set(route(make(rf), monkeypatch=monkeypatch)) == {"default"}


def test_a_replica_that_is_down_or_behind_is_skipped(rf, monkeypatch):
    assert route(rf.get("/org/419901/"), replica_up=False, monkeypatch=monkeypatch) == ["default", "default"]


def test_outside_a_request_everything_reads_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_ok", lambda: True)
    assert router.db_for_read(Record) == "default"
    assert router.allow_migrate("replica", "disclosure") is False


def test_a_post_pins_the_browser_to_the_primary_when_a_replica_is_configured(rf, settings, monkeypatch):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    response = dbrouter.ReadRoutingMiddleware(lambda request: HttpResponse())(rf.post("/apply/"))
    cookie = response.cookies[dbrouter.PIN_COOKIE]
    assert cookie["max-age"] == dbrouter.PIN_SECONDS and cookie["httponly"]


def test_the_replica_health_check_is_cached(monkeypatch):
    calls = []

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql):
            calls.append(sql)

        def fetchone(self):
            return (30.0,)  # 30 s behind

    class Connection:
        def cursor(self):
            return Cursor()

    monkeypatch.setattr(dbrouter, "connections", {dbrouter.REPLICA: Connection()})
    monkeypatch.setitem(dbrouter._health, "checked", 0.0)
    assert dbrouter.replica_ok(now=1000.0) is False  # beyond DATABASE_REPLICA_MAX_LAG (10 s)
    assert dbrouter.replica_ok(now=1002.0) is False and len(calls) == 1  # cached for CHECK_SECONDS
    dbrouter.replica_ok(now=1006.0)
    assert len(calls) == 2


@pytest.mark.django_db
def test_nginx_offload_hands_the_file_to_an_internal_location(client, standard_catalog, demo_orgs, settings):
    """DOWNLOAD_OFFLOAD=nginx: after the public rule, X-Accel-Redirect names the stored file under the
    internal prefix and the body is empty (nginx sends the bytes); a non-public file is still a 404
    with no such header."""
    settings.DOWNLOAD_OFFLOAD = "nginx"
    desk = Desk(demo_orgs[COUNTY])
    record = desk.draft("020503", title="配租结果")
    attachment = services.attachment_add(
        user=desk.editor, record=record,
        upload=SimpleUploadedFile("配租名单.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    )
    url = f"/org/{COUNTY}/doc/{{}}/files/{attachment.pk}/"
    record = services.record_publish(user=desk.reviewer, record=desk.approve(record))
    response = client.get(url.format(record.index_serial))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + attachment.file.name
    assert "attachment" in response["Content-Disposition"] and "filename*=utf-8''" in response["Content-Disposition"]
    desk.withdraw(record)
    hidden = client.get(url.format(record.index_serial))
    assert hidden.status_code == 404 and "X-Accel-Redirect" not in hidden


def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}


@pytest.mark.parametrize("caught_up, expected", [(True, ["replica", "replica"]), (False, ["default", "default"])])
def test_a_replica_behind_the_last_write_is_skipped_for_that_request(rf, settings, monkeypatch, caught_up, expected):
    """Read at once what was written on any host: the request reads the replica only if it has replayed
    the WAL up to the position of the current page-cache generation (asked once per request)."""
    with_replica(settings)
    monkeypatch.setattr(dbrouter, "last_write_position", lambda request: "0/16B3740")
    asked = []
    monkeypatch.setattr(dbrouter, "replica_caught_up", lambda position: asked.append(position) or caught_up)
    assert route(rf.get("/org/419901/"), monkeypatch=monkeypatch) == expected
    assert asked == ["0/16B3740"]


def test_a_replica_that_fails_the_position_check_is_marked_down(monkeypatch):
    class Broken:
        def cursor(self):
            raise dbrouter.DatabaseError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(dbrouter, "connections", {dbrouter.REPLICA: Broken()})
    monkeypatch.setitem(dbrouter._health, "ok", True)
    assert dbrouter.replica_caught_up("0/1") is False
    assert dbrouter._health["ok"] is False  # the next requests read the primary for CHECK_SECONDS
    assert dbrouter.replica_caught_up("") is True  # no write known: nothing to wait for
    assert dbrouter.replica_caught_up(dbrouter.UNKNOWN) is False


@pytest.mark.django_db(transaction=True)
def test_each_generation_carries_the_primary_position_when_a_replica_is_configured(settings, monkeypatch):
    from portal import pagecache

    monkeypatch.setattr(dbrouter, "primary_position", lambda: "0/3000148")
    pagecache.bump_generation()
    token = pagecache.page_cache().get(pagecache.GENERATION_KEY)
    assert pagecache.token_position(token) == "0/3000148"
    monkeypatch.setattr(dbrouter, "primary_position", lambda: "")
    pagecache.bump_generation()
    assert pagecache.token_position(pagecache.page_cache().get(pagecache.GENERATION_KEY)) == ""


@pytest.mark.django_db(transaction=True)
def test_the_router_waits_for_the_last_write_of_any_kind(rf, settings, monkeypatch):
    """A write to a tracked table (a citizen's message) moves the last write's position, not the
    generation: the router waits for it all the same. With the token missing (never written, or dropped by
    the cache) it waits for the primary's position now, which no earlier write can be past."""
    from portal import pagecache

    monkeypatch.setattr(dbrouter, "primary_position", lambda: "0/3000148")
    pagecache.bump_generation()
    monkeypatch.setattr(dbrouter, "primary_position", lambda: "0/3000290")
    pagecache.bump(["disclosure_feedback"])
    assert pagecache.token_position(pagecache.page_cache().get(pagecache.GENERATION_KEY)) == "0/3000148"
    assert dbrouter.last_write_position(rf.get("/")) == "0/3000290"
    pagecache.page_cache().delete(pagecache.WRITTEN_KEY)
    monkeypatch.setattr(dbrouter, "primary_position", lambda: "0/3000400")
    assert dbrouter.last_write_position(rf.get("/")) == "0/3000400"


@pytest.mark.django_db(transaction=True)
def test_positions_are_read_from_postgresql(settings, monkeypatch):
    """The two queries on a real server: the primary's WAL position, and a server not in recovery (the
    same connection standing in for the replica) is never behind. .ci/cluster.py runs a real replica."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("WAL positions are PostgreSQL's")
    with_replica(settings)
    monkeypatch.setattr(dbrouter, "connections", {"default": connection, dbrouter.REPLICA: connection})
    position = dbrouter.primary_position()
    assert "/" in position and position != dbrouter.UNKNOWN
    assert dbrouter.replica_caught_up(position) is True


def test_the_generation_is_read_from_the_primary(rf, settings, monkeypatch):
    """Without Redis the page cache is a database table: the router must not send its own read of the
    current generation to the replica, which may hold an older one."""
    from portal import pagecache

    with_replica(settings)
    seen = []

    class Cache:
        def get(self, key):
            seen.append(router.db_for_read(Record))
            return "1-abc@0/5"

    monkeypatch.setattr(dbrouter, "replica_ok", lambda: True)
    monkeypatch.setattr(dbrouter, "replica_caught_up", lambda position: position in ("", "0/5"))
    monkeypatch.setattr(pagecache, "page_cache", lambda: Cache())
    picked = []
    dbrouter.ReadRoutingMiddleware(lambda request: picked.append(router.db_for_read(Record)) or HttpResponse())(
        rf.get("/org/419901/")
    )
    assert seen == ["default"] and picked == ["replica"]
