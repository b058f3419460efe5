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
# failing half-way; and they wait for it rather than erroring at once. The write-ahead log lets the
# gunicorn threads and the job runner read while one of them writes, and a commit costs one fsync of the
# log instead of a rollback journal created, synced and deleted (synchronous stays FULL: a commit that
# returned survives a power cut). The mode is kept in the database file; setting it again is a no-op.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
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


def choice(name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive); unset or empty means the first."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower() or choices[0]
    if value not in choices:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 无效：应为 {', '.join(choices)} 之一。")
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
    return database_from_url(url)


def replica_database() -> dict | None:
    """The read replica's DATABASES entry from DATABASE_REPLICA_URL (PostgreSQL), or None when unset."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    entry = database_from_url(url)
    if entry["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL 必须是 PostgreSQL 流复制备库的地址（postgres://…）。")
    # A replica that does not answer must not hold up the page: the router falls back to the primary.
    entry["OPTIONS"].setdefault("connect_timeout", "2")
    return entry


def database_from_url(url: str) -> dict:
    """A DATABASES entry from one database URL."""
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


MEDIA_STORAGES = ("filesystem", "s3")
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")


def media_storage() -> dict:
    """The STORAGES["default"] entry: files under MEDIA_ROOT, or a bucket on an S3-compatible store.

    Several hosts need the shared store (MEDIA_STORAGE=s3). Objects stay private and the storage
    never signs URLs: attachments are only streamed through the download views, which apply the
    public rule, so whatever ``.url`` might return is not a way around it.
    """
    kind = choice("MEDIA_STORAGE", MEDIA_STORAGES)
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = string("S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 时必须设置环境变量 S3_BUCKET。")
    # In production the keys must be given; elsewhere boto3 may find them itself (~/.aws, a role).
    access_key = required("S3_ACCESS_KEY_ID") if is_production() else string("S3_ACCESS_KEY_ID")
    secret_key = required("S3_SECRET_ACCESS_KEY") if is_production() else string("S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID 与 S3_SECRET_ACCESS_KEY 须同时设置。")
    endpoint = string("S3_ENDPOINT_URL")
    parts = urlsplit(endpoint)
    if endpoint and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ImproperlyConfigured(
            f"环境变量 S3_ENDPOINT_URL={endpoint!r} 无效：应为 http:// 或 https:// 开头的地址。"
        )
    addressing_style = choice("S3_ADDRESSING_STYLE", S3_ADDRESSING_STYLES)
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": string("S3_REGION") or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "addressing_style": None if addressing_style == "auto" else addressing_style,
            "location": string("S3_PREFIX").strip("/"),
            # No ACL header: objects take the bucket's default, private. Unsigned URLs grant nothing.
            "default_acl": None,
            "querystring_auth": False,
            # Stored names are random already; never replace an existing object by accident.
            "file_overwrite": False,
        },
    }
