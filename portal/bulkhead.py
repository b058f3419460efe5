"""A bulkhead for full-text searches: at most SEARCH_CONCURRENCY of them at once on a host.

A search for a common word costs the database far more CPU than any other public page. Sixteen at
once (a burst after a news story, or a crawler) took both cores of the benchmark machine, and the
home page's median went from 12 to 219 ms (bench/scale.py, issue 15). The statement timeout
(portal/timeouts.py) bounds each search; this bounds how many run together, so the other pages keep
the rest of the CPU.

Slots are lock files: ``<PORTAL_VAR_DIR>/search-slots/<n>.lock``, each held with ``flock`` while one
search runs. Every gunicorn worker process and thread of the host sees the same files (a flock belongs
to the open file, so two threads of one process exclude each other too), and the kernel releases the
lock of a process that dies: a killed worker never keeps a slot. A search that finds every slot taken
waits, sleeping (no CPU), up to SEARCH_QUEUE_SECONDS, then answers a Chinese 503 (JSON under /api/)
with ``Retry-After``. Only a search with words takes a slot: the /search/ page and the API's record
list with ``q``. A page cache hit never gets here (portal/pagecache.py answers first), nor does any
other page. SEARCH_CONCURRENCY=0 turns the bulkhead off.

No maintained library does this: file-lock packages (filelock, locket) hold one lock, not N slots,
and POSIX semaphores are not given back when their holder dies.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from portal import timeouts

logger = logging.getLogger(__name__)

POLL_SECONDS = (0.02, 0.1)  # between two looks for a free slot (random, so waiters do not move in step)


class NoFreeSlot(Exception):
    """Every slot stayed taken for SEARCH_QUEUE_SECONDS."""


def slot_directory() -> Path:
    return Path(settings.VAR_DIR) / "search-slots"


def _try_slots(directory: Path, count: int) -> int | None:
    """An open descriptor holding one free slot's lock, or None when all are taken."""
    first = random.randrange(count)  # spread the tries, so that slot 0 is not everyone's first
    for n in range(count):
        path = directory / f"{(first + n) % count}.lock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            continue
        return descriptor
    return None


@contextmanager
def search_slot(*, count: int | None = None, wait: float | None = None):
    """Hold one of ``count`` (SEARCH_CONCURRENCY) slots for the block; raises NoFreeSlot after waiting
    ``wait`` (SEARCH_QUEUE_SECONDS) seconds without one."""
    count = settings.SEARCH_CONCURRENCY if count is None else count
    wait = settings.SEARCH_QUEUE_SECONDS if wait is None else wait
    if count <= 0:
        yield
        return
    directory = slot_directory()
    deadline = time.monotonic() + wait
    while True:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            descriptor = _try_slots(directory, count)
        except OSError:
            # A var directory we cannot write: searching unbounded beats refusing every search.
            logger.exception("search bulkhead: cannot use the slot files in %s", directory)
            yield
            return
        if descriptor is not None:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            raise NoFreeSlot
        time.sleep(min(left, random.uniform(*POLL_SECONDS)))
    try:
        yield
    finally:
        os.close(descriptor)  # closing the file releases its lock


def _is_search(request) -> bool:
    """A GET of the search page or the API's record list with words to search for."""
    if request.method not in ("GET", "HEAD") or not request.GET.get("q"):
        return False
    from disclosure.api import views as api_views
    from disclosure.search import views as search_views
    from disclosure.search.selectors import has_terms

    if not has_terms(request.GET["q"]):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.func in (search_views.search, api_views.records)


def busy_response(request):
    return timeouts.busy_response(
        request, _("检索的人较多，请稍候几秒再试；浏览栏目不受影响。"), _("检索请求较多，请稍后再试。")
    )


class SearchBulkheadMiddleware:
    """Runs a search inside one of the host's search slots (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_search(request):
            return self.get_response(request)
        try:
            with search_slot():
                return self.get_response(request)
        except NoFreeSlot:
            logger.warning("search bulkhead: no free slot in %s s for %s", settings.SEARCH_QUEUE_SECONDS, request.path)
            return busy_response(request)
