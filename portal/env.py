"""Environment variables, read and checked in one place.

Every setting that differs between a laptop, CI and production comes from here. In production a
missing or malformed variable stops the start with a message naming it; nothing secret has a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("development", "test", "production")
# Writers take SQLite's lock when their transaction begins, so concurrent jobs queue instead of
# failing half-way; and they wait for it rather than erroring at once.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def environment() -> str:
    value = os.environ.get("PORTAL_ENV", "development").strip().lower()
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"PORTAL_ENV={value!r} 无效：应为 {', '.join(ENVIRONMENTS)} 之一。"
        )
    return value


def is_production() -> bool:
    return environment() == "production"


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"生产环境必须设置环境变量 {name}。")
    return value


def string(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def boolean(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 无效：应为 true 或 false。")


def integer(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 无效：应为整数。") from None
    if value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 无效：不应小于 {minimum}。")
    return value


def word_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment; outside production a per-machine key kept under var/."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        if is_production() and len(value) < 32:
            raise ImproperlyConfigured("SECRET_KEY 过短：生产环境至少需要 32 个字符。")
        return value
    if is_production():
        raise ImproperlyConfigured("生产环境必须设置环境变量 SECRET_KEY。")
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database(var_dir: Path) -> dict:
    """A Django DATABASES entry from DATABASE_URL (sqlite:///path or postgres://user:pw@host:port/name)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        if is_production():
            raise ImproperlyConfigured("生产环境必须设置环境变量 DATABASE_URL。")
        var_dir.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir / "portal.sqlite3"),
            # A file, not Django's in-memory default, so tests exercise real connects and closes.
            "TEST": {"NAME": str(var_dir / "test-portal.sqlite3")},
            "OPTIONS": SQLITE_OPTIONS,
        }
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative/path and sqlite:////absolute/path, as dj-database-url reads them.
        name = path[1:] if path.startswith("/") else path
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} 无效：缺少 SQLite 文件路径。")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": SQLITE_OPTIONS}
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} 无效：缺少数据库名。")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} 无效：端口不是数字。") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": integer("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r} 无效：仅支持 sqlite:/// 与 postgres:// 两种形式。"
    )
