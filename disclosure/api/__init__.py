"""The read-only open-data API under /api/v1/: plain Django views returning JSON.

No framework (DRF) is needed for a handful of read-only GET endpoints: parameters are checked by
hand in ``params.py`` (Chinese 400 messages), serialisation is explicit dicts, and the OpenAPI
document (``openapi.py``) is written out rather than generated, so it says exactly what we promise.
Every record endpoint reads through ``disclosure.records.selectors.public_records()``.
"""
