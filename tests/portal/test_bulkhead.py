"""The search bulkhead (portal/bulkhead.py): at most SEARCH_CONCURRENCY full-text searches at once per host.

The slots are real lock files in a temporary PORTAL_VAR_DIR, held by a real second process (as another
gunicorn worker would hold them) or by a thread of this one. A search that finds them all taken waits
SEARCH_QUEUE_SECONDS (one second here), then answers a Chinese 503 with Retry-After (JSON under /api/);
a slot given back, or a holder that dies, lets the next search through; other pages never wait.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
from urllib.parse import urlencode

import pytest

from portal import bulkhead, pagecache, timeouts
from tests.disclosure.publishing import COUNTY, Desk
from tests.portal.test_pagecache import commit

HOLDER = """
import fcntl, os, sys, time
descriptors = []
for path in sys.argv[1:]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    descriptors.append(descriptor)
print("held", flush=True)
time.sleep(600)
"""

SEARCH = "/search/?" + urlencode({"q": "配租"})
API_SEARCH = "/api/v1/records?" + urlencode({"q": "配租"})


@pytest.fixture
def slots(settings, tmp_path, standard_catalog, demo_orgs):
    """Two slots in a fresh var directory, a one-second queue; a public record holding the word."""
    settings.VAR_DIR = tmp_path
    settings.SEARCH_CONCURRENCY = 2
    settings.SEARCH_QUEUE_SECONDS = 1
    Desk(demo_orgs[COUNTY]).publish("020503", title="公租房配租结果公示", document_number="")
    directory = bulkhead.slot_directory()
    directory.mkdir(parents=True)
    return [directory / f"{n}.lock" for n in range(2)]


def hold_in_another_process(paths) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, *map(str, paths)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def held(slots):
    """Every slot held by another process for the test's length."""
    holder = hold_in_another_process(slots)
    yield holder
    holder.kill()
    holder.wait()


@pytest.mark.django_db
def test_a_search_finding_every_slot_taken_waits_then_gets_a_chinese_503(client, held):
    """With both slots held elsewhere, the search page answers 503 after its wait: a Chinese page, with
    Retry-After, not stored by any cache."""
    response = client.get(SEARCH)
    assert response.status_code == 503
    assert response["Retry-After"] == str(timeouts.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "系统繁忙" in html and "检索的人较多" in html


@pytest.mark.django_db
def test_the_api_search_gets_a_json_503(client, held):
    response = client.get(API_SEARCH)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == str(timeouts.RETRY_AFTER_SECONDS)
    assert json.loads(response.content)["error"] == {"code": "busy", "message": "检索请求较多，请稍后再试。"}


@pytest.mark.django_db
def test_other_pages_and_searches_without_words_never_take_a_slot(client, held, settings):
    """Every slot is held and nothing may wait (a request taking a slot would be a 503 at once): pages
    that are not full-text searches answer, the search form and a list by filters alone included."""
    settings.SEARCH_QUEUE_SECONDS = 0
    for url in ("/", f"/org/{COUNTY}/", "/search/", f"/search/?org={COUNTY}", "/search/?q=%E3%80%82",
                "/api/v1/records", "/api/v1/organisations"):
        assert client.get(url).status_code == 200, url
    assert client.get(SEARCH).status_code == 503  # while a search would have needed a slot


@pytest.mark.django_db
def test_a_slot_given_back_lets_the_waiting_search_through(client, slots, settings):
    """One slot held by another process, the other by a thread of this one that gives it back once the
    search has started waiting: the search then runs and finds the record."""
    settings.SEARCH_QUEUE_SECONDS = 60
    holder = hold_in_another_process(slots[:1])
    try:
        taken, waiting, release = threading.Event(), threading.Event(), threading.Event()

        def hold_one():
            with bulkhead.search_slot(wait=0):
                taken.set()
                release.wait(60)

        thread = threading.Thread(target=hold_one)
        thread.start()
        assert taken.wait(10)
        # Proof that the search really waits: it has looked at both slots and found them taken.
        original = bulkhead._try_slots

        def try_slots(directory, count):
            found = original(directory, count)
            if found is None:
                waiting.set()
                release.set()
            return found

        bulkhead._try_slots = try_slots
        try:
            response = client.get(SEARCH)
        finally:
            bulkhead._try_slots = original
        thread.join(10)
        assert waiting.is_set()
        assert response.status_code == 200
        assert "公租房<mark>配租</mark>结果公示" in response.content.decode()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.django_db
def test_the_slots_of_a_dead_holder_are_free_again(client, slots):
    """A worker killed while searching (SIGKILL: no clean-up of its own) leaves no slot taken."""
    holder = hold_in_another_process(slots)
    assert client.get(SEARCH).status_code == 503
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert client.get(SEARCH).status_code == 200
    for path in slots:  # and nothing holds the files any more
        descriptor = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(descriptor)


@pytest.mark.django_db
def test_a_cached_search_page_is_served_without_a_slot(client, held, settings):
    """A search page in the page cache is answered before the bulkhead: all slots taken, still a 200."""
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()
    commit()
    settings.SEARCH_CONCURRENCY = 3  # a third slot, free, to fill the cache with
    first = client.get(SEARCH)
    assert first.status_code == 200
    settings.SEARCH_CONCURRENCY = 2
    second = client.get(SEARCH)
    assert second.status_code == 200
    assert second.content == first.content


def test_without_a_limit_nothing_is_locked(settings, tmp_path):
    """SEARCH_CONCURRENCY=0 turns the bulkhead off: no slot file is even made."""
    settings.VAR_DIR = tmp_path
    with bulkhead.search_slot(count=0, wait=0):
        pass
    assert not bulkhead.slot_directory().exists()
