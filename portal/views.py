from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from disclosure.core.uploads import UploadTooLarge
from portal import display


@never_cache
@require_safe
def healthz(request):
    """Liveness and database state for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


API_PREFIX = "/api/"


def is_api(request) -> bool:
    """Whether the request is for the open-data API, whose every answer, errors included, is JSON."""
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, code: str, message: str, parameter: str = "") -> JsonResponse:
    """The API's error shape (disclosure/api/params.py ApiError), for errors raised outside its views."""
    error = {"code": code, "message": str(message)}
    if parameter:
        error["parameter"] = parameter
    response = JsonResponse(
        {"error": error},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def bad_request_response(request, message=""):
    if is_api(request):
        return api_error(400, "invalid_request", message or _("请求有误，无法处理。"))
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request, exception=None):
    if isinstance(exception, UploadTooLarge):
        return upload_too_large(request, exception)
    return bad_request_response(request)


def upload_too_large(request, exception):
    """An upload refused unread because its declared size is over the limit (disclosure/core/uploads.py)."""
    message = _("提交的内容为 %(size)s，超过上限（每个附件不超过 %(limit)s），未予接收。请压缩或拆分后分次上传。") % {
        "size": filesizeformat(exception.declared),
        "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }
    if is_api(request):
        return api_error(413, "too_large", message)
    return render(request, "413.html", {"message": message}, status=413)


def permission_denied(request, exception=None):
    if is_api(request):
        return api_error(403, "forbidden", _("无权访问。"))
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404, "not_found", _("没有这个接口。可用接口见 /api/v1/openapi.json。"))
    return render(request, "404.html", status=404)


def server_error(request):
    # Django has already logged the exception (logger "django.request") before calling this handler.
    if is_api(request):
        return api_error(500, "server_error", _("服务器内部错误，请稍后再试。"))
    return render(request, "500.html", status=500)


def _back_to(request) -> str:
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return target


def _switch(request, mode: display.Mode, on: bool):
    response = HttpResponseRedirect(_back_to(request))
    if on:
        # Only the server reads it (no JavaScript on the public pages); Secure wherever the session cookie is.
        response.set_cookie(
            mode.cookie, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=settings.SESSION_COOKIE_SECURE
        )
    else:
        response.delete_cookie(mode.cookie, samesite="Lax")
    return response


@require_safe
def display_mode(request):
    """Switch one 适老化 display mode (大字模式, 高对比度, 加宽行距, 大按钮) on or off, without JavaScript."""
    mode = display.BY_KEY.get(request.GET.get("mode", ""))
    if mode is None:
        return render(request, "400.html", {"message": _("没有这种显示模式。")}, status=400)
    return _switch(request, mode, request.GET.get("on") == "1")


@require_safe
def text_size(request):
    """The large-text switch under its first address (kept for links already shared)."""
    return _switch(request, display.BY_KEY["large"], request.GET.get("size") == "large")
