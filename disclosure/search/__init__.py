"""Full-text search over public records: the one search selector, the form, highlighting, the page.

- ``selectors``: ``search_public_records``, the only way to query the index, always through
  ``disclosure.records.selectors.public_records()``.
- ``highlight``: escaped, highlighted titles and snippets for result lists.

The index itself belongs to the records, whose publication moves must keep it in step in their own
transaction: ``SearchDocument`` is in disclosure/records/models.py and ``search_document_refresh`` in
disclosure/records/search_index.py. How text becomes index terms (character bigrams; see there why)
is the kernel's disclosure/core/tokens.py, shared by the index and the queries.
"""
