"""Session limits for signed-in staff: an idle timeout and an absolute limit.

A session idle longer than SESSION_IDLE_MINUTES, or older than SESSION_MAX_HOURS since its sign-in,
is signed out with a Chinese message; in the admin the person lands on the login page. The two
stamps live in the session; the idle stamp is refreshed at most once a minute so that ordinary
browsing does not write the session on every request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

STARTED = "_portal_session_started"
SEEN = "_portal_session_seen"
REFRESH_SECONDS = 60


class SessionLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request)
            if expired:
                request.logout_reason = expired
                logout(request)
                messages.warning(request, expired + "，请重新登录。")
                if request.path.startswith("/admin/"):
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> str:
        """The reason the session has ended ("" when it has not); stamps it otherwise."""
        now = time.time()
        session = request.session
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None or seen is None:
            session[STARTED] = started = now if started is None else started
            session[SEEN] = now
            return ""
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return f"登录已超过 {settings.SESSION_MAX_HOURS} 小时"
        if now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return f"已超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作"
        if now - seen >= REFRESH_SECONDS:
            session[SEEN] = now
        return ""
