"""One render at a time per page within a process: concurrent misses of the same key wait for the first.

When a popular page is not in the page cache (a new generation after a publication, or a search for a
word in the news), every request for it that arrives before the first render is stored would render it
too: sixteen identical searches cost sixteen times the database work of one. With ``Flights``, the
first request of a key renders (the *leader*); the others of the same process wait, sleeping, until it
is done, then take its page from the cache. A follower whose wait ends without a usable entry (the
leader's answer was not storable, or the generation moved) renders for itself, as without this.

Per process only: other workers and hosts may still render the same page once each, which bounds the
repeated work by the number of processes rather than of requests.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager


class _Flight:
    def __init__(self):
        self.done = threading.Event()
        self.waiters = 0


class Flights:
    def __init__(self):
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}

    @contextmanager
    def lead_or_wait(self, key: str, wait: float):
        """Yields True to the first thread of ``key``, for the length of its block; to a thread that
        comes while another leads, yields False once the leader's block ended (or ``wait`` seconds)."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
            else:
                flight.waiters += 1
        if not leader:
            flight.done.wait(wait)
            yield False
            return
        try:
            yield True
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def waiting(self, key: str) -> int:
        """How many threads wait for the leader of ``key`` (0 when none leads)."""
        with self._lock:
            flight = self._flights.get(key)
            return flight.waiters if flight is not None else 0
