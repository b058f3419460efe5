"""Refuse requests whose path or query string holds control characters, before any view sees them.

PostgreSQL cannot store or compare a NUL byte (it raises instead of finding nothing), and no
address or query parameter of this site ever needs a control character; one check here spares
every view and selector from guarding against them. Form bodies are left to the forms: Django's
CharField already refuses NUL, and a textarea may legitimately hold line breaks.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from portal.views import api_error, bad_request_response, is_api

# C0 controls and DEL. A query value may carry tab and line breaks (harmless text); a path never.
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_at(request) -> str | None:
    """None for a clean request; "" for a control character in the path; else the query parameter's name."""
    if PATH_CONTROL.search(request.path_info):
        return ""
    query = request.META.get("QUERY_STRING", "")
    if "%" not in query and not QUERY_CONTROL.search(query):
        return None  # nothing percent-encoded and nothing raw: no need to decode
    for key, values in request.GET.lists():
        if QUERY_CONTROL.search(key) or any(QUERY_CONTROL.search(value) for value in values):
            return QUERY_CONTROL.sub("", key)[:40]
    return None


class RejectControlCharactersMiddleware:
    """400 (Chinese page, or JSON under /api/) for a control character in the path or query string."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        parameter = control_character_at(request)
        if parameter is None:
            return self.get_response(request)
        if parameter and is_api(request):
            return api_error(
                400,
                "invalid_parameter",
                _("参数 %(name)s 中含有不允许的控制字符。") % {"name": parameter},
                parameter=parameter,
            )
        return bad_request_response(request, _("网址或查询参数中含有不允许的控制字符。"))
