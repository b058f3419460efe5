"""Auditors' reports: completeness, timeliness and freshness against the catalog, and the annual report.

Each report is a plain function of (organisations, options) that runs a fixed number of aggregate
queries, however many records or organisations there are, and returns dataclasses with an
``as_dict()`` for JSON; ``export.py`` turns them into CSV and XLSX, ``views.py`` into pages, and the
management commands ``completeness_report``, ``timeliness_report``, ``freshness_report`` and
``annual_report`` into files.

What the public may see is never decided here: record counts start from
``disclosure.records.selectors.public_records()``; working days come only from ``disclosure.core.workdays``.
"""
