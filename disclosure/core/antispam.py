"""Protection shared by every public form: a honeypot field, a per-address rate limit, size caps.

CSRF protection comes from Django's middleware; templates include {% csrf_token %} as usual.
"""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "homepage"


def client_address(request) -> str:
    # REMOTE_ADDR is what the socket saw; behind a proxy, gunicorn's --forwarded-allow-ips sets it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one submission for this address in ``scope``; True once more than ``limit`` in the window."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    if cache.add(key, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
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
