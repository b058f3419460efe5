"""The staff preview of a record: the public record page's own template and context, for a record that
is not public yet (a draft before it is submitted, a submitted or approved one before it is published).

Reached only through the admin (RecordAdmin.get_urls, behind admin_view: staff, logged in, never cached)
for a record in the user's scope (policy.visible_records); the page says 预览 at the top, tells robots
not to index it, and its attachments download through the admin, not through public addresses.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from disclosure.core.downloads import attachment_response
from disclosure.records.models import Attachment, Record
from disclosure.records.views import page_context


def preview_response(request, record: Record) -> HttpResponse:
    response = render(request, "disclosure/records/record.html", {**page_context(record), "preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


def preview_attachment_response(record: Record, attachment_id: int) -> HttpResponse:
    response = attachment_response(get_object_or_404(Attachment, pk=attachment_id, record=record))
    add_never_cache_headers(response)
    return response
