"""Concurrent misses of one page within a process: the first renders, the others wait and take its page
(portal/singleflight.py, used by portal/pagecache.py).

The page cache middleware runs here on a real Django cache (LocMemCache as the ``pages`` cache: one
process, which is all single-flight is about) around a view that counts its renders and blocks until
the test lets it finish, so the second request provably arrives while the first renders.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal import pagecache
from portal.singleflight import Flights


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "singleflight-test"}}
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()
    pagecache.NEVER_STORED.clear()
    # No scheduled publication ahead: the entries' end is the cache's own limit (no database here).
    monkeypatch.setattr(pagecache, "next_time_boundary", lambda now: now + timedelta(hours=1))
    yield
    pagecache.page_cache().clear()
    pagecache.LOCAL.clear()


class SlowPage:
    """A view that renders once per call, each time only when the test releases it."""

    def __init__(self, body: bytes = b"<p>results</p>", status: int = 200):
        self.renders = 0
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.release = threading.Event()
        self.body, self.status = body, status

    def __call__(self, request):
        with self.lock:
            self.renders += 1
            number = self.renders
        self.started.set()
        assert self.release.wait(10)
        return HttpResponse(self.body + str(number).encode(), status=self.status)


def concurrent_gets(view, path: str, count: int) -> list:
    """``count`` GETs of ``path`` in threads: the first starts rendering, the others queue behind it,
    then the view is released."""
    middleware = pagecache.PageCacheMiddleware(view)
    key = pagecache.page_key(RequestFactory().get(path))
    responses = [None] * count

    def get(n):
        responses[n] = middleware(RequestFactory().get(path))

    threads = [threading.Thread(target=get, args=(0,))]
    threads[0].start()
    assert view.started.wait(10)
    for n in range(1, count):
        threads.append(threading.Thread(target=get, args=(n,)))
        threads[-1].start()
    deadline = time.monotonic() + 10
    while pagecache.FLIGHTS.waiting(key) < count - 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pagecache.FLIGHTS.waiting(key) == count - 1
    view.release.set()
    for thread in threads:
        thread.join(10)
    return responses


def test_identical_concurrent_misses_render_once(page_cache):
    """Five requests of one uncached page at once: one render, five identical 200 answers."""
    view = SlowPage()
    responses = concurrent_gets(view, "/search/?q=%E5%BE%81%E6%94%B6", 5)
    assert view.renders == 1
    assert [r.status_code for r in responses] == [200] * 5
    assert {r.content for r in responses} == {b"<p>results</p>1"}


def test_when_the_leaders_answer_is_not_stored_each_waiter_renders_its_own(page_cache):
    """A 503 (e.g. the search bulkhead's) is never cached: the waiters render for themselves."""
    view = SlowPage(b"busy", status=503)
    responses = concurrent_gets(view, "/search/?q=%E8%A1%A5%E5%81%BF", 3)
    assert view.renders == 3
    assert sorted(r.content for r in responses) == [b"busy1", b"busy2", b"busy3"]


def test_a_page_stored_under_an_older_generation_is_not_taken(page_cache):
    """A waiter that read the generation after a write (a newer one than the leader rendered under)
    renders afresh rather than take the leader's page."""
    flights = Flights()
    with flights.lead_or_wait("k", 1) as leader:
        assert leader
        assert flights.waiting("k") == 0
    middleware = pagecache.PageCacheMiddleware(SlowPage())
    middleware.store("k", "old", HttpResponse(b"old", headers={"ETag": '"x"'}))
    assert middleware.stored_meanwhile("k", "old") is not None
    assert middleware.stored_meanwhile("k", "new") is None


def test_different_pages_do_not_wait_for_each_other():
    flights = Flights()
    with flights.lead_or_wait("/a", 1) as first, flights.lead_or_wait("/b", 1) as second:
        assert first and second
        assert flights.waiting("/a") == flights.waiting("/b") == 0


def test_a_page_whose_answer_cannot_be_stored_is_not_waited_for_next_time(page_cache, monkeypatch):
    """A 200 that sets a cookie (a form's CSRF token) is never stored: once seen, its next misses render at
    once instead of queueing behind a leader whose page they could not take anyway."""

    def form(request):
        response = HttpResponse(b"<form></form>")
        response.set_cookie("csrftoken", "x")
        return response

    middleware = pagecache.PageCacheMiddleware(form)
    path = "/apply/"
    key = pagecache.page_key(RequestFactory().get(path))
    assert middleware(RequestFactory().get(path)).status_code == 200  # through the flight, then remembered
    assert key in pagecache.NEVER_STORED

    def no_flight(*args, **kwargs):
        raise AssertionError("a never-stored page went through the flight")

    monkeypatch.setattr(pagecache.FLIGHTS, "lead_or_wait", no_flight)
    assert middleware(RequestFactory().get(path)).status_code == 200
