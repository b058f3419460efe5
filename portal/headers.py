"""The Permissions-Policy header, from settings.PERMISSIONS_POLICY.

Django's SecurityMiddleware writes Referrer-Policy, X-Content-Type-Options and Cross-Origin-Opener-Policy,
and django-csp writes Content-Security-Policy; neither writes Permissions-Policy. The header is one fixed
string, so a few lines here do it rather than another dependency.
"""

from __future__ import annotations

from django.conf import settings

HEADER = "Permissions-Policy"


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The header value for ``{feature: [allowed origins]}``: an empty list is ``feature=()`` (nobody)."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Add Permissions-Policy to every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault(HEADER, self.value)
        return response
