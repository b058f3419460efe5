"""Query parameters of the API: parse or raise ``ApiError`` with a Chinese message (→ 400 JSON)."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from catalog.models import code_validator
from disclosure.core import bounds

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
PAGE_MAX = 10**6
CODE_PATTERN = re.compile(code_validator.regex.pattern)


class ApiError(Exception):
    """A request the API answers with a JSON error instead of data."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.parameter:
            error["parameter"] = self.parameter
        return {"error": error}


def invalid(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message, parameter)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def integer(params, name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    raw = params.get(name, "").strip()
    if raw == "":
        return default
    # The length check comes first: int() of thousands of digits is slow, and refused past 4,300.
    if len(raw) > 12 or not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise invalid(
            name,
            _("参数 %(name)s 应为 %(minimum)s 到 %(maximum)s 之间的整数。")
            % {"name": name, "minimum": minimum, "maximum": maximum},
        )
    return int(raw)


CURSOR_PATTERN = re.compile(r"\d{1,18}_\d{1,18}")


def cursor(*, request_value: str) -> tuple[int, int]:
    """A ``next_cursor`` as the records list gave it: (publication time in microseconds, record id)."""
    if not CURSOR_PATTERN.fullmatch(request_value):
        raise invalid("cursor", _("参数 cursor 无效：请使用上一页返回的 next_cursor。"))
    when, pk = request_value.split("_")
    return int(when), int(pk)


def choice(params, name: str, choices) -> str:
    raw = params.get(name, "").strip()
    if raw and raw not in dict(choices):
        raise invalid(
            name,
            _("参数 %(name)s 的取值无效，可选值：%(values)s。")
            % {"name": name, "values": "、".join(value for value, _label in choices)},
        )
    return raw


def code(params, name: str) -> str:
    raw = params.get(name, "").strip()
    if raw and not CODE_PATTERN.match(raw):
        raise invalid(name, _("参数 %(name)s 不是有效的编码。") % {"name": name})
    return raw


def text(params, name: str, *, max_length: int) -> str:
    raw = params.get(name, "").strip()
    if len(raw) > max_length:
        raise invalid(
            name, _("参数 %(name)s 不能超过 %(max)s 个字符。") % {"name": name, "max": max_length}
        )
    return raw


def day(params, name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw, flags=re.ASCII):
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if bounds.date_in_range(value):
                return value
            raise invalid(
                name,
                _("参数 %(name)s 应为 %(min)s 年到 %(max)s 年之间的日期。")
                % {"name": name, "min": bounds.YEAR_MIN, "max": bounds.YEAR_MAX},
            )
    raise invalid(name, _("参数 %(name)s 应为 YYYY-MM-DD 格式的日期。") % {"name": name})


def boolean(params, name: str) -> bool:
    raw = params.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise invalid(name, _("参数 %(name)s 应为 true 或 false。") % {"name": name})
