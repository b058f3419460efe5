"""The one query-count helper of the suite: how many SQL queries a request or a block of code costs.

Public pages pin their counts with it (STYLE.md habit 11): the count must not grow with the data.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def counting_queries():
    """``with counting_queries() as queries: ...`` then ``len(queries)``; every query on the default
    connection inside the block is captured."""
    with CaptureQueriesContext(connection) as captured:
        yield captured


def count_queries(client, url, *, expect: int = 200, **params) -> int:
    """Queries of one GET of ``url`` (streamed bodies read to the end); asserts the status code."""
    with counting_queries() as queries:
        response = client.get(url, params or None)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == expect, (url, response.status_code)
    return len(queries)
