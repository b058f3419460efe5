"""The public page cache (portal/pagecache.py) never serves a page that a change should have altered.

Test transactions never commit, so ``commit()`` below runs the pending on-commit callbacks exactly as a
real commit would; the generation moves only then, as in production. Each page is first fetched twice to
prove it is cached (the second answer costs one query, the cache read, and is byte-identical); then the
change is made through the real services or a queryset update, committed, and every surface is fetched
again.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.records import services
from disclosure.records.models import Record
from portal import pagecache
from tests.disclosure.publishing import COUNTY, TOWNSHIP, Desk

NODE = "020502"


def commit() -> None:
    """Run the callbacks a commit of the test's transaction would run, and forget them, as a commit does."""
    callbacks = list(connection.run_on_commit)
    connection.run_on_commit.clear()
    for _sids, func, _robust in callbacks:
        func()


def hit_queries() -> int:
    """Queries of a hit on the request's connection: the generation read with the database cache (inside
    the test's transaction), none with Redis."""
    from django.core.cache.backends.db import DatabaseCache

    return 1 if isinstance(pagecache.page_cache(), DatabaseCache) else 0


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def rendered(response) -> bool:
    """Whether the answer was rendered for this request (templates ran), not served from the cache.

    Counting queries cannot tell: a render may need none on the request's connection (trees cached in
    the process, the session in Redis)."""
    return bool(response.templates)


def text(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def fetch_cached(client, url) -> bytes:
    """The page at ``url``, after proving that the second fetch is a cache hit (one query, same body).

    A streamed answer (a records sitemap file: up to 50,000 addresses, sent in constant memory) is never
    stored, so it cannot be stale: proven by the second fetch being streamed again, not a hit."""
    first, _ = get(client, url)
    assert first.status_code == 200, url
    if first.streaming:
        second, _ = get(client, url)
        assert second.streaming, f"{url}: a streamed page came back from the cache"
        return b"".join(second.streaming_content)
    second, queries = get(client, url)
    assert second.status_code == 200
    assert queries == hit_queries(), f"{url}: a hit is one cache read, not {queries} queries"
    assert second.content == first.content
    return second.content


def served_afresh(client, url) -> bool:
    """Whether the page was rendered for this request: templates ran, or (a feed renders without templates)
    it cost more queries than a hit."""
    response, queries = get(client, url)
    return rendered(response) or queries > hit_queries()


def assert_kept(client, bodies: dict, after: str) -> None:
    """Each page of ``bodies`` is still a cache hit (one read, no render) with the same body."""
    for url, body in bodies.items():
        response, queries = get(client, url)
        assert not rendered(response) and queries == hit_queries(), f"{url} was rendered again after {after}"
        assert response.content == body, url


def surfaces(record: Record, word: str, *, sitemap: bool = True) -> list[tuple[str, str]]:
    """(address, what it shows of the record) for every public surface that shows the record."""
    org = record.organisation.code
    serial = record.index_number.split("/", 1)[1]
    pairs = [
        (url, word)
        for url in (
            "/",
            f"/org/{org}/",
            f"/org/{org}/{record.node.code}/",
            f"/org/{org}/doc/{serial}/",
            f"/org/{org}/feed/rss/",
            f"/org/{org}/feed/atom/",
            f"/org/{org}/{record.node.code}/feed/rss/",
            "/api/v1/records/",
            f"/api/v1/records/?q={word}",
            f"/api/v1/records/{org}/{serial}/",
        )
    ]
    # The search page repeats the query: what it shows of the record is the link to it.
    pairs.append((f"/search/?q={word}", f"/org/{org}/doc/{serial}/"))
    if sitemap:  # the sitemap lists the record's address, not its title
        pairs.append(("/sitemap-records.xml", f"/org/{org}/doc/{serial}/"))
    return pairs


def test_after_a_withdrawal_no_surface_serves_the_record_even_from_cache(client, desk):
    record = desk.publish(NODE, title="关于公租房配租的公告 mkwithdrawn", body="<p>正文 mkwithdrawn</p>")
    commit()
    pairs = surfaces(record, "mkwithdrawn")
    for url, needle in pairs:
        assert needle in fetch_cached(client, url).decode(), url

    desk.withdraw(record)
    commit()

    for url, needle in pairs:
        response = client.get(url)
        assert needle not in text(response), url
        assert response.status_code in (200, 404), url


def test_switching_off_an_organisation_or_a_column_empties_every_cached_surface(client, cached, demo_orgs):
    township = Desk(demo_orgs[TOWNSHIP])
    record = township.publish("020102", title="关于乡镇公示的公告 mkswitched", body="<p>mkswitched</p>")
    other = Desk(demo_orgs[COUNTY]).publish(NODE, title="关于县级公示的公告 mkcolumn", body="<p>mkcolumn</p>")
    commit()
    pairs = surfaces(record, "mkswitched") + surfaces(other, "mkcolumn")
    for url, needle in pairs:
        assert needle in fetch_cached(client, url).decode(), url

    # Queryset updates, as the leak world does: no model signal, no record service.
    Organisation.objects.filter(code=TOWNSHIP).update(is_active=False)
    CatalogNode.objects.filter(code=NODE).update(is_active=False)
    commit()

    for url, needle in pairs:
        assert needle not in text(client.get(url)), url
    assert client.get(f"/org/{TOWNSHIP}/").status_code == 404


def test_a_published_revision_replaces_the_original_on_every_cached_surface(client, desk):
    original = desk.publish(NODE, title="关于补偿标准的公告 mkoriginal", body="<p>旧正文 mkoldbody</p>")
    commit()
    # The revision keeps the index number, hence the address: the sitemap is not a surface of the title.
    pairs = surfaces(original, "mkoriginal", sitemap=False)
    for url, needle in pairs:
        assert needle in fetch_cached(client, url).decode(), url

    revision = desk.revise(original, title="关于补偿标准的公告（修订） mkrevised", body="<p>新正文 mknewbody</p>")
    commit()

    assert revision.index_number == original.index_number
    for url, needle in pairs:
        if needle == "mkoriginal":
            assert "mkoriginal" not in client.get(url).content.decode(), url
    serial = original.index_number.split("/", 1)[1]
    assert f"/org/{COUNTY}/doc/{serial}/" not in client.get("/search/?q=mkoriginal").content.decode()
    page = client.get(f"/org/{COUNTY}/doc/{serial}/").content.decode()
    assert "mkrevised" in page and "mknewbody" in page and "mkoldbody" not in page


def test_a_scheduled_record_appears_when_the_publish_job_runs(client, desk):
    record = desk.approve(desk.draft(NODE, title="关于定时发布的公告 mkscheduled", body="<p>mkscheduled</p>"))
    record = services.record_publish(user=desk.reviewer, record=record, publish_at=timezone.now() + timedelta(hours=1))
    # The time is reached: publish_at moves into the past (a write of its own, committed first).
    Record.objects.filter(pk=record.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    commit()
    column = f"/org/{COUNTY}/{NODE}/"
    assert "mkscheduled" not in fetch_cached(client, column).decode()
    assert "mkscheduled" not in fetch_cached(client, "/").decode()

    published = services.publish_due_records()
    commit()

    assert [r.pk for r in published] == [record.pk]
    assert "mkscheduled" in client.get(column).content.decode()
    assert "mkscheduled" in client.get("/").content.decode()


def test_a_publication_time_reached_without_any_write_ends_the_cached_page(client, desk):
    """A record published with a publication time ahead (the due-run's time) is public only from that
    moment; no write happens then, so the cached page must not outlive it."""
    column = f"/org/{COUNTY}/{NODE}/"
    # Cached once before the publication: this process then remembers the time boundary of the pages
    # rendered so far. The publication gives the records a new token but leaves the generation, so the
    # boundary must belong to both (pagecache.time_boundary), or the next render would reuse the old one.
    fetch_cached(client, column)
    # The page must be cached before the moment comes; a loaded machine may take longer than the first
    # margin to get there, so a later try gives itself more (each try its own record and marker).
    for margin in (2, 6, 15):
        marker = f"mkclock{margin}"
        record = desk.approve(desk.draft(NODE, title=f"关于到点公开的公告 {marker}", body=f"<p>{marker}</p>"))
        publish_at = timezone.now() + timedelta(seconds=margin)
        record = services.record_publish(user=desk.reviewer, record=record, publish_at=publish_at)
        services.record_publish_due(record=record, now=publish_at)
        commit()
        cached = fetch_cached(client, column).decode()
        if timezone.now() < publish_at - timedelta(seconds=0.2):
            break
    else:
        pytest.fail("the machine never cached the page before the publication time")
    assert marker not in cached

    time.sleep(max((publish_at - timezone.now()).total_seconds(), 0) + 0.2)

    assert marker in client.get(column).content.decode()


def test_304_only_while_nothing_changed(client, desk):
    record = desk.publish(NODE, title="关于条件请求的公告 mketag", body="<p>mketag</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]

    hit, queries = get(client, url, HTTP_IF_NONE_MATCH=etag)
    assert hit.status_code == 304 and hit["ETag"] == etag and queries == hit_queries()
    assert client.get(url, HTTP_IF_NONE_MATCH='"someothertag"').status_code == 200

    # A write that leaves this page's body as it was: a new generation, a new render, the same body,
    # so the same ETag and still 304.
    desk.publish("020101", title="关于别处的公告 mkelsewhere", body="<p>mkelsewhere</p>")
    commit()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    desk.withdraw(record)
    commit()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "mketag" not in changed.content.decode()
    # A date alone never earns a 304: the same second can hold two different bodies.
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"]).status_code == 200


def test_a_signed_in_staff_member_never_gets_the_cached_anonymous_page(client, desk):
    record = desk.publish(NODE, title="关于工作人员视角的公告 mkstaff", body="<p>mkstaff</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    assert "mkstaff" in fetch_cached(client, url).decode()
    # Withdrawn but not yet committed: the cache still holds the old page for anonymous visitors.
    desk.withdraw(record)
    assert "mkstaff" in client.get(url).content.decode()

    client.force_login(desk.reviewer)
    response = client.get(url)
    assert "mkstaff" not in response.content.decode()
    assert rendered(response)


def test_what_is_never_stored(client, desk, settings):
    desk.publish(NODE, title="关于不缓存的公告 mknever", body="<p>mknever</p>")
    commit()
    # A cookie the cache does not know (a session, a message, a receipt) means the page is rendered.
    client.cookies["sessionid"] = "whatever"
    client.get("/")
    assert rendered(client.get("/"))
    del client.cookies["sessionid"]
    # Forms carry a CSRF token (Vary: Cookie) and are never stored.
    client.get("/apply/")
    response = client.get("/apply/")
    assert response.status_code == 200 and rendered(response)
    # POST never reads or fills the cache.
    assert client.post("/search/").status_code in (200, 405)
    # The large-text display mode is part of the key.
    plain = fetch_cached(client, "/")
    client.cookies["large_text"] = "1"
    large = fetch_cached(client, "/")
    assert plain != large
    # Off: every request is rendered.
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert rendered(client.get("/"))


def test_writes_to_quiet_tables_leave_the_generation_alone():
    quiet, every_page = pagecache.NOTHING, None
    assert pagecache.bump_scope('UPDATE "django_session" SET "expire_date" = 1') is quiet
    assert pagecache.bump_scope('INSERT INTO "axes_accessattempt" ("x") VALUES (1)') is quiet
    assert pagecache.bump_scope('SELECT * FROM "disclosure_record" FOR UPDATE') is quiet
    assert pagecache.bump_scope('UPDATE "disclosure_record" SET "status" = 1') == pagecache.GUARDED
    assert pagecache.bump_scope('UPDATE "disclosure_record_related" SET "x" = 1') is every_page
    assert pagecache.bump_scope('INSERT INTO "catalog_organisation" ("x") VALUES (1)') is every_page
    assert pagecache.bump_scope('DELETE FROM "disclosure_searchdocument" WHERE 1') == pagecache.RECORDS_SCOPE
    assert pagecache.bump_scope("WITH x AS (DELETE FROM t RETURNING 1) SELECT 1") is every_page


def test_head_is_answered_from_the_cached_get_without_a_body(client, desk):
    desk.publish(NODE, title="关于HEAD请求的公告 mkhead", body="<p>mkhead</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    body = fetch_cached(client, url)
    with CaptureQueriesContext(connection) as queries:
        response = client.head(url)
    assert len(queries) == hit_queries()
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Length"] == str(len(body))
    assert response["ETag"] == client.get(url)["ETag"]


def pending_bumps(scope=None) -> int:
    """The commit callbacks that will bump ``scope`` (None: the generation; a tracked table's name)."""
    return sum(
        1
        for _sids, func, _robust in connection.run_on_commit
        if isinstance(func, pagecache.Bump) and func.scope == scope
    )


def test_a_rolled_back_write_bumps_nothing_and_a_kept_one_always_does(cached, demo_orgs):
    from django.db import transaction

    commit()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(code=COUNTY).update(name="回滚的名称")
        raise RuntimeError
    assert pending_bumps() == 0

    with transaction.atomic():
        # Registered inside a savepoint that rolls back: Django drops that callback...
        with pytest.raises(RuntimeError), transaction.atomic():
            Organisation.objects.filter(code=COUNTY).update(name="回滚的名称")
            raise RuntimeError
        # ...so the write that stays registers its own.
        Organisation.objects.filter(code=COUNTY).update(name="保留的名称")
        Organisation.objects.filter(code=TOWNSHIP).update(name="保留的名称二")
    assert pending_bumps() == 1
    # A session write (a staff member's page view) is not a content change.
    with transaction.atomic():
        connection.cursor().execute('DELETE FROM "django_session" WHERE 1 = 0')
    assert pending_bumps() == 1


# ------------------------------------------------------------------------- the hit path (first middleware)

SECURITY_HEADERS = (
    "Content-Security-Policy", "Permissions-Policy", "Referrer-Policy", "X-Content-Type-Options",
    "Cross-Origin-Opener-Policy", "X-Frame-Options", "Strict-Transport-Security",
)


def test_a_hit_carries_exactly_the_headers_of_a_render(client, desk, settings):
    """The cache stands first: on a hit no other middleware runs, so the stored page must bring every
    header they wrote on the render. Behind TLS (HSTS on), a hit's headers are the miss's, byte for byte,
    and its security headers are those of a page rendered with the cache off; a 304 carries them too."""
    from tests.portal.test_security_headers import assert_security_headers

    settings.SECURE_HSTS_SECONDS = 31536000
    desk.publish(NODE, title="关于响应头的公告 mkheaders", body="<p>mkheaders</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    miss = client.get(url, secure=True)
    hit, queries = get(client, url, secure=True)
    assert queries == hit_queries() and hit.content == miss.content
    assert list(hit.items()) == list(miss.items())
    assert_security_headers(hit)
    assert hit["Strict-Transport-Security"] == "max-age=31536000"

    settings.PAGE_CACHE_SECONDS = 0
    rendered = client.get(url, secure=True)
    for name in (*SECURITY_HEADERS, "Content-Type", "Content-Language", "Vary"):
        assert hit[name] == rendered[name], name

    settings.PAGE_CACHE_SECONDS = 600
    not_modified, queries = get(client, url, secure=True, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert not_modified.status_code == 304 and queries == hit_queries()
    for name in (*SECURITY_HEADERS, "ETag", "Last-Modified", "Cache-Control", "Vary"):
        assert not_modified[name] == hit[name], name
    assert "Content-Type" not in not_modified and "Content-Length" not in not_modified


def test_a_changed_header_setting_is_never_served_with_the_old_headers(client, desk, settings):
    """A stored page keeps the headers of the settings it was rendered under; those settings are part of
    the key, so a deployment that changes one (here HSTS switched on) renders afresh."""
    desk.publish(NODE, title="关于配置变更的公告 mkconfig", body="<p>mkconfig</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    get(client, url, secure=True)
    assert "Strict-Transport-Security" not in get(client, url, secure=True)[0]

    settings.SECURE_HSTS_SECONDS = 600
    from django.test import Client

    response = Client().get(url, secure=True)  # a new handler: the middleware reads the setting
    assert response["Strict-Transport-Security"] == "max-age=600"
    assert rendered(response)


def test_the_process_copy_is_served_only_while_the_shared_generation_holds(client, desk):
    """Each process keeps its own copy of a page, yet serves it only after reading the shared generation
    for that very request: a new generation written by anyone else (another worker, another host) ends
    every copy at once, before the next request is answered."""
    desk.publish(NODE, title="关于进程副本的公告 mklocal", body="<p>mklocal</p>")
    commit()
    url = f"/org/{COUNTY}/{NODE}/"
    fetch_cached(client, url)
    key = next(iter(pagecache.LOCAL.entries))
    assert pagecache.LOCAL.get(key) is not None

    # Another host bumps: the shared generation changes, nothing else in this process does.
    pagecache.page_cache().set(pagecache.GENERATION_KEY, "written-by-another-host", timeout=None)
    response = client.get(url)
    assert response.status_code == 200 and rendered(response), "a copy of a dead generation was served"
    assert pagecache.LOCAL.generation == "written-by-another-host"
    assert all(entry.generation == "written-by-another-host" for entry in pagecache.LOCAL.entries.values())
    assert get(client, url)[1] == hit_queries()


def test_the_process_copies_stay_within_their_budget_least_recently_used_first(settings):
    settings.PAGE_CACHE_LOCAL_MB = 1
    tier = pagecache.LocalTier()
    tier.observe("g1")
    body = b"x" * 400_000

    def entry(generation="g1"):
        return pagecache.Entry(generation, time.time() + 60, '"etag"', [("Content-Type", "text/html")], body)

    tier.put("a", entry())
    tier.put("b", entry())
    tier.touch("a")  # b is now the least recently used
    tier.put("c", entry())
    assert list(tier.entries) == ["a", "c"] and tier.bytes <= 1024 * 1024
    tier.put("old", entry("g0"))  # rendered under a generation that is no longer current: not kept
    assert "old" not in tier.entries
    tier.observe("g2")
    assert not tier.entries and tier.bytes == 0
    settings.PAGE_CACHE_LOCAL_MB = 0
    tier.put("d", entry("g2"))
    assert not tier.entries


def test_without_process_copies_a_hit_is_still_one_read(client, desk, settings):
    settings.PAGE_CACHE_LOCAL_MB = 0
    desk.publish(NODE, title="关于共享缓存的公告 mkshared", body="<p>mkshared</p>")
    commit()
    assert "mkshared" in fetch_cached(client, f"/org/{COUNTY}/{NODE}/").decode()
    assert not pagecache.LOCAL.entries


def test_an_unreachable_cache_renders_the_page(client, desk, monkeypatch):
    """Redis down (any error of the store, not only a database one): the page is rendered, never a 500."""
    desk.publish(NODE, title="关于缓存故障的公告 mkdown", body="<p>mkdown</p>")
    commit()

    class Down:
        def read(self, key):
            raise ConnectionError("Redis 不可达")

    monkeypatch.setattr(pagecache, "shared_reader", lambda: Down())
    response = client.get(f"/org/{COUNTY}/{NODE}/")
    assert response.status_code == 200 and "mkdown" in response.content.decode()
    assert response["ETag"]


# ------------------------------------------------------------- committed changes from another process

def run_elsewhere(code: str) -> None:
    """``code`` in a separate Python process on the test database and the same page cache (its own
    connection, its own commit)."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    from tests.servers import database_url

    environment = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": database_url(),
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    script = "import django\ndjango.setup()\n" + code
    subprocess.run([sys.executable, "-c", script], env=environment, check=True, timeout=120, cwd=django_settings.BASE_DIR)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_ends_this_process_copy(client, committed):
    record = committed.publish(NODE, title="关于另一进程的公告 mkbefore", body="<p>mkbefore</p>")
    url = f"/org/{COUNTY}/{NODE}/"
    assert "mkbefore" in client.get(url).content.decode()
    reader = pagecache.shared_reader()
    for _ in range(3):  # this process's copy, after one read of Redis or on the private connection
        response, queries = get(client, url)
        assert "mkbefore" in response.content.decode() and queries == 0
    if isinstance(reader, pagecache.DatabaseReader):
        assert reader.private is not None and reader.private.connection is not None

    run_elsewhere(
        "from django.db import transaction\n"
        "from disclosure.records.models import Record\n"
        "with transaction.atomic():\n"
        f"    Record.objects.filter(pk={record.pk}).update(title='关于另一进程的公告 mkafter')\n"
    )

    page = client.get(url).content.decode()
    assert "mkafter" in page and "mkbefore" not in page


@pytest.mark.django_db(transaction=True)
def test_a_process_whose_last_statement_is_an_autocommitted_write_ends_the_page(client, committed):
    """An operator's one-line shell fix (a queryset update outside any transaction, then exit): the bump,
    deferred to the connection's next statement, is made at the process's exit."""
    record = committed.publish(NODE, title="关于进程退出的公告 mkexit", body="<p>mkexit</p>")
    url = f"/org/{COUNTY}/{NODE}/"
    client.get(url)
    assert not rendered(client.get(url))

    run_elsewhere(
        "from disclosure.records.models import Record\n"
        f"Record.objects.filter(pk={record.pk}).update(title='关于进程退出的公告 mkexited')\n"
    )

    response = client.get(url)
    assert rendered(response) and "mkexited" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_private_connection_comes_back_after_the_database_dropped_it(client, committed):
    committed.publish(NODE, title="关于断线重连的公告 mkreconnect", body="<p>mkreconnect</p>")
    url = f"/org/{COUNTY}/{NODE}/"
    client.get(url)
    reader = pagecache.shared_reader()
    if not isinstance(reader, pagecache.DatabaseReader):
        pytest.skip("the page cache is not the database table")
    assert get(client, url)[1] == 0
    reader.private.connection.close()  # as a database restart would leave it

    response, queries = get(client, url)
    assert response.status_code == 200 and "mkreconnect" in response.content.decode()
    assert queries == 0, "a hit, on a new private connection"


def test_the_open_data_completeness_follows_the_kept_counts_of_public_records(client, desk):
    """/api/v1/completeness reads the counts of public records per column that triggers keep (migration
    disclosure 0014): a table the page cache places in the records' scope, so a cached answer ends when a
    record is published, withdrawn or moved, though no statement of the services names that table. By
    hand: the county's 020502 holds one public record, then two, then one again."""
    import json

    first = desk.publish(NODE, title="关于公租房配租的公告 mkcountone")
    commit()
    url = f"/api/v1/completeness?org={COUNTY}"

    def records_of_the_county() -> int:
        (row,) = [row for row in json.loads(fetch_cached(client, url))["organisations"] if row["code"] == COUNTY]
        return row["own"]["records"]

    assert records_of_the_county() == 1
    desk.publish(NODE, title="关于公租房配租的公告 mkcounttwo")
    commit()
    assert records_of_the_county() == 2
    desk.withdraw(first)
    commit()
    assert records_of_the_county() == 1
