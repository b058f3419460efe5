"""Protection shared by every public form: a honeypot field, a per-address rate limit, size caps.

CSRF protection comes from Django's middleware; templates include {% csrf_token %} as usual.
"""

from __future__ import annotations

import logging

from django import forms
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from disclosure.core.clientip import client_ip

HONEYPOT_FIELD = "homepage"
RATE_LIMIT_CACHE = "ratelimit"  # shared by every worker and host: see CACHES in portal/settings.py

logger = logging.getLogger(__name__)


def rate_limited(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one submission for this client address in ``scope``; True once more than ``limit`` in the window.

    The window is fixed: it starts with the first submission and the count resets when it ends. The count
    lives in a cache every worker shares (``cache.add`` starts it, ``cache.incr`` adds to it; both are
    atomic in Redis and in ``portal.cache.CounterDatabaseCache``).

    If the cache cannot be reached the request is let through (fail open) with a warning in the log:
    an outage of the counter must not shut every citizen out of the forms, and the honeypot, CSRF and
    the size caps still apply.
    """
    key = f"ratelimit:{scope}:{client_ip(request)}"
    cache = caches[RATE_LIMIT_CACHE]
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return False
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window_seconds)
            return False
    except Exception:
        logger.warning(
            "Rate limit %r not counted: the rate-limit cache failed; letting the request through.", scope, exc_info=True
        )
        return False
    return count > limit


class PublicForm(forms.Form):
    """Base for citizen-facing forms: a hidden honeypot that people leave empty and bots fill in."""

    homepage = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_homepage(self):
        if self.cleaned_data.get(HONEYPOT_FIELD):
            raise forms.ValidationError(_("提交未被接受。"))
        return ""


class PublicModelForm(forms.ModelForm):
    """The same honeypot for model forms."""

    homepage = PublicForm.base_fields[HONEYPOT_FIELD]
    clean_homepage = PublicForm.clean_homepage
