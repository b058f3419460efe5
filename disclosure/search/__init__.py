"""Full-text search over public records: segmentation, the search document index, the one search selector.

- ``tokens``: how Chinese, digits and Latin text become index terms (character bigrams; see there why).
- ``index``: keeps ``SearchDocument`` rows in step with what is public (called by disclosure/services.py).
- ``selectors``: ``search_public_records``, the only way to query the index, always through
  ``disclosure.records.selectors.public_records()``.
- ``highlight``: escaped, highlighted titles and snippets for result lists.
"""
