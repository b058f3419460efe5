"""HTML that depends on the public trees alone, rendered once per tree version (catalog/trees.py).

The tree version moves with every committed catalog or organisation write, so a fragment is never stale:
the next request after a change renders it afresh. Only for context taken from the trees themselves.
"""

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe


def tree_fragment(trees, template_name: str, key: tuple, context):
    """``template_name`` rendered with ``context()`` (made from ``trees`` and ``key`` alone, and called only
    when the fragment is rendered): once per tree version, template, key and script prefix (the
    addresses in it)."""
    return trees.fragment(
        (template_name, get_script_prefix(), *key),
        lambda: mark_safe(render_to_string(template_name, context())),  # noqa: S308 -- our template's output, escaped
    )
