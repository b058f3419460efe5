"""A change to one organisation's public records ends that organisation's pages and the pages that read
every organisation's records (home, search, API, record pages), and keeps every other organisation's
pages cached (portal/pagecache.py ``Reads`` and ``Guard``, portal/readscope.py, migration disclosure 0013).

As in test_pagecache.py, ``commit()`` runs the commit callbacks of the test's transaction; the
transactional test at the end commits for real (PostgreSQL in CI's second run).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from catalog.models import Organisation
from disclosure.records.models import Attachment, Record
from portal import pagecache, readscope
from tests.disclosure.publishing import COUNTY, TOWNSHIP, Desk
from tests.portal.test_pagecache import assert_kept, commit, fetch_cached, rendered, served_afresh, text

NODE = "020102"  # an item of both levels: the county's and the township's

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def organisation_pages(code: str) -> list[str]:
    """The pages bound to one organisation's records."""
    return [f"/org/{code}/", f"/org/{code}/{NODE}/", f"/org/{code}/feed/rss/", f"/org/{code}/{NODE}/feed/atom/",
            f"/xxgk/{code}/"]


PROVINCE_PAGES = ["/", "/api/v1/records/", "/feed/rss/"]


@pytest.fixture
def two(desk, demo_orgs):
    """The county's desk and the township's, each with a published record."""
    township = Desk(demo_orgs[TOWNSHIP])
    county_record = desk.publish(NODE, title="县局的公告 mkcounty", body="<p>mkcounty</p>")
    township_record = township.publish(NODE, title="乡镇的公告 mktownship", body="<p>mktownship</p>")
    commit()
    return desk, township, county_record, township_record


def cache_all(client, urls) -> dict:
    return {url: fetch_cached(client, url) for url in urls}


def test_the_pages_of_one_organisation_depend_on_its_records_only(client, two):
    """What each page's entry holds on: an organisation's pages its own token, the province's pages and a
    record's page (which shows links through other organisations' records) the token of every record."""
    _desk, _township, county_record, _township_record = two
    county = Organisation.objects.get(code=COUNTY)
    for url in organisation_pages(COUNTY):
        fetch_cached(client, url)
        assert dep_keys(url) == [pagecache.TABLE_KEY % pagecache.organisation_scope(county.pk)], url
    serial = county_record.index_number.split("/", 1)[1]
    for url in [*PROVINCE_PAGES, f"/org/{COUNTY}/doc/{serial}/"]:
        fetch_cached(client, url)
        assert pagecache.RECORDS_KEY in dep_keys(url), url


def dep_keys(url) -> list[str]:
    """The dependencies of the entry fetch_cached(url) just stored (the process copy used last)."""
    return pagecache.LOCAL.entries[next(reversed(pagecache.LOCAL.entries))].dep_keys


def test_a_publication_ends_its_organisations_pages_and_keeps_the_others(client, two):
    desk, township, _county_record, township_record = two
    township_pages = cache_all(client, organisation_pages(TOWNSHIP))
    cache_all(client, organisation_pages(COUNTY) + PROVINCE_PAGES)
    generation = pagecache.page_cache().get(pagecache.GENERATION_KEY)

    desk.publish(NODE, title="县局的新公告 mkcountynew", body="<p>mkcountynew</p>")
    commit()

    assert pagecache.page_cache().get(pagecache.GENERATION_KEY) == generation
    for url in organisation_pages(COUNTY) + PROVINCE_PAGES:
        assert served_afresh(client, url), f"{url} was served from the cache after its organisation published"
    assert "mkcountynew" in text(client.get(f"/org/{COUNTY}/{NODE}/"))
    assert "mkcountynew" in text(client.get("/"))
    assert_kept(client, township_pages, "another organisation's publication")

    # And the other way round: the township withdraws, the county's pages stay.
    county_pages = cache_all(client, organisation_pages(COUNTY))
    township.withdraw(Record.objects.get(pk=township_record.pk))
    commit()
    for url in organisation_pages(TOWNSHIP):
        assert served_afresh(client, url), url
        assert "mktownship" not in text(client.get(url)), url
    assert_kept(client, county_pages, "another organisation's withdrawal")


def test_a_record_moved_between_organisations_ends_the_pages_of_both(client, two, demo_orgs):
    _desk, _township, county_record, _township_record = two
    cache_all(client, organisation_pages(COUNTY) + organisation_pages(TOWNSHIP))
    Record.objects.filter(pk=county_record.pk).update(organisation=demo_orgs[TOWNSHIP])
    commit()
    for url in organisation_pages(COUNTY) + organisation_pages(TOWNSHIP):
        assert served_afresh(client, url), url


def test_an_attachment_of_a_published_record_ends_its_organisations_pages(client, two, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _desk, _township, _county_record, township_record = two
    county_pages = cache_all(client, organisation_pages(COUNTY))
    cache_all(client, organisation_pages(TOWNSHIP))
    attachment = Attachment(record=township_record, sort_order=9)  # past attachment_add, which refuses it
    attachment.store_upload(SimpleUploadedFile("补充.pdf", PDF))
    attachment.save()
    commit()
    for url in organisation_pages(TOWNSHIP):
        assert served_afresh(client, url), url
    assert_kept(client, county_pages, "an attachment added to another organisation's record")


def test_a_change_of_unknown_organisation_ends_every_page(desk, two):
    """A change row without an organisation (an attachment whose record is gone) ends every page."""
    generation = pagecache.page_cache().get(pagecache.GENERATION_KEY)
    with transaction.atomic():
        desk.draft(NODE, title="登记标记读取的草稿")  # the Guard reads the marker before this write
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {pagecache.CHANGES_TABLE} (organisation_id) VALUES (NULL)")
    commit()
    assert pagecache.page_cache().get(pagecache.GENERATION_KEY) != generation


def test_the_change_rows_are_deleted_once_their_pages_have_ended(desk, two):
    """Two transactions' rows, read by the first Guard: it ends both organisations' pages and deletes the
    rows; the second Guard then finds nothing, and has nothing left to end."""
    county, township = desk.organisation.pk, Desk(Organisation.objects.get(code=TOWNSHIP)).organisation.pk
    scope_keys = [pagecache.TABLE_KEY % pagecache.organisation_scope(pk) for pk in (county, township)]
    before = pagecache.page_cache().get_many(scope_keys)
    first = pagecache.Guard(connection, pagecache.public_row_marker(connection))
    second = pagecache.Guard(connection, pagecache.public_row_marker(connection))
    Record.objects.filter(title="县局的公告 mkcounty").update(keywords="一")
    Record.objects.filter(title="乡镇的公告 mktownship").update(keywords="二")
    connection.run_on_commit.clear()  # the callbacks the updates registered: the two above stand for them
    assert len(pagecache.public_row_changes(connection, first.before)) >= 2
    first()
    after = pagecache.page_cache().get_many(scope_keys)
    assert all(after[key] != before[key] for key in scope_keys)
    assert pagecache.public_row_changes(connection, first.before) == []
    records_token = pagecache.page_cache().get(pagecache.RECORDS_KEY)
    second()
    assert pagecache.page_cache().get(pagecache.RECORDS_KEY) == records_token


def test_an_organisations_token_is_read_before_the_statement_that_reads_its_records(client, desk, two):
    """A publication of the county committing while a county page renders, just after the statement that
    read the county's records: the page is stored with the token read before that statement, so the next
    request renders afresh rather than serve the page without the publication."""
    url = f"/org/{COUNTY}/{NODE}/"
    scope = pagecache.organisation_scope(desk.organisation.pk)
    done = []

    def publication_commits_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not done and readscope.organisations_read(sql, params, connection.vendor) == {desk.organisation.pk}:
            done.append(sql)
            pagecache.bump([pagecache.RECORDS_SCOPE, scope])
        return result

    with connection.execute_wrapper(publication_commits_meanwhile):
        assert served_afresh(client, url)
    assert done
    assert served_afresh(client, url), "a page rendered across a publication was kept"
    fetch_cached(client, url)


@pytest.mark.django_db(transaction=True)
def test_committed_publications_end_only_their_organisations_pages(client, committed, demo_orgs):
    """Real commits; the cache is read on its own connection, so pages are told cached by their templates."""
    township = Desk(demo_orgs[TOWNSHIP])
    start = pagecache.public_row_marker(connection)  # rows of earlier tests' autocommitted writes may remain
    committed.publish(NODE, title="县局的真实公告 mkrealcounty", body="<p>mkrealcounty</p>")
    township.publish(NODE, title="乡镇的真实公告 mkrealtownship", body="<p>mkrealtownship</p>")
    pages = ["/org/{}/", f"/org/{{}}/{NODE}/", "/xxgk/{}/"]

    def cached_bodies(code):
        bodies = {}
        for url in (page.format(code) for page in pages):
            client.get(url)
            response = client.get(url)
            assert not rendered(response), url
            bodies[url] = response.content
        return bodies

    county_pages = cached_bodies(COUNTY)
    cached_bodies(TOWNSHIP)

    township.publish(NODE, title="乡镇的第二条公告 mkrealsecond", body="<p>mkrealsecond</p>")

    assert "mkrealsecond" in text(client.get(f"/org/{TOWNSHIP}/{NODE}/"))
    for url, body in county_pages.items():
        response = client.get(url)
        assert not rendered(response) and response.content == body, url
    assert pagecache.public_row_changes(connection, start) == [], "change rows were left after their pages ended"
