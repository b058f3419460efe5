"""The admin site: Django's own, with its JavaScript translation catalogue built once per process.

Django's ``JavaScriptCatalog`` reads the ``djangojs`` catalogues of every installed app from disk on each
request (about 60 ms here), and every admin page with a date, a select box or an inline asks for it: the
dearest request of an admin page, after the page itself. Its text changes only with a release, which
restarts the processes, so it is kept per language for the process's life, as Django's documentation
suggests ("Note on performance"), with an ETag for a browser's revalidation and an hour's lifetime in the
browser's cache.
"""

from __future__ import annotations

import hashlib

from django.contrib.admin import AdminSite
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import condition
from django.views.i18n import JavaScriptCatalog

BROWSER_SECONDS = 3600
_catalogues: dict[str, tuple[bytes, str, str]] = {}  # language -> (body, content type, ETag)


def _catalogue(request) -> tuple[bytes, str, str]:
    language = get_language()
    if language not in _catalogues:
        response = JavaScriptCatalog.as_view(packages=["django.contrib.admin"])(request)
        body = response.content
        _catalogues[language] = (body, response["Content-Type"], f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    return _catalogues[language]


@condition(etag_func=lambda request: _catalogue(request)[2])
def javascript_catalogue(request):
    body, content_type, _etag = _catalogue(request)
    response = HttpResponse(body, content_type=content_type)
    patch_cache_control(response, max_age=BROWSER_SECONDS)
    return response


class PortalAdminSite(AdminSite):
    def i18n_javascript(self, request, extra_context=None):
        return javascript_catalogue(request)
