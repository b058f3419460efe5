"""Settings fail fast in production and parse DATABASE_URL correctly."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal import env


def start(extra_env, then=""):
    """Import the settings in a fresh interpreter, as a server start would, then run ``then``."""
    environment = {
        k: v
        for k, v in os.environ.items()
        # A server start sees none of these unless given; DJANGO_ALLOW_ASYNC_UNSAFE comes from the browser tests.
        if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("S3_", "MEDIA_", "SECURE_"))
    }
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + then],
        env={**environment, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "ALLOWED_HOSTS": "gongkai.example.gov.cn",
}


def test_production_starts_with_everything_set():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_stops_on_missing_variable(missing):
    result = start({k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "name, value",
    [("DEBUG", "maybe"), ("DATABASE_URL", "mysql://x/y"), ("SECRET_KEY", "short"), ("PORTAL_ENV", "staging")],
)
def test_production_stops_on_malformed_variable(name, value):
    result = start({**PRODUCTION, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_database_url_forms(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p%40ss@127.0.0.1:5433/portal?sslmode=require")
    db = env.database(tmp_path)
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u",
        "p@ss",
        "127.0.0.1",
        "5433",
        "portal",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/portal/db.sqlite3")
    assert env.database(tmp_path)["NAME"] == "/srv/portal/db.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://127.0.0.1:notaport/x")
    with pytest.raises(ImproperlyConfigured):
        env.database(tmp_path)


def test_a_sqlite_database_keeps_a_write_ahead_log_and_syncs_every_commit(tmp_path, django_db_blocker, monkeypatch):
    """The embedded default and a sqlite:/// URL both open the file in WAL mode (readers go on while a
    writer commits) with synchronous FULL (2): a commit that returned is on disk."""
    import sqlite3
    from contextlib import closing

    from django.db.utils import ConnectionHandler

    monkeypatch.delenv("DATABASE_URL", raising=False)  # the embedded default, whatever the suite runs on
    for entry in (env.database(tmp_path), env.database_from_url(f"sqlite:///{tmp_path}/other.sqlite3")):
        connection = ConnectionHandler({"default": entry})["default"]  # Django fills in the other keys
        try:
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
                cursor.execute("PRAGMA synchronous")
                assert cursor.fetchone() == (2,)
        finally:
            connection.close()
        with closing(sqlite3.connect(entry["NAME"])) as plain:  # the mode is kept in the file itself
            assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


S3 = {
    "MEDIA_STORAGE": "s3",
    "S3_BUCKET": "portal-media",
    "S3_ENDPOINT_URL": "https://oss.example.gov.cn",
    "S3_REGION": "cn-north-1",
    "S3_ACCESS_KEY_ID": "AKPORTAL",
    "S3_SECRET_ACCESS_KEY": "portal-secret",
}
PRINT_DEFAULT_STORAGE = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"


def test_media_storage_defaults_to_the_file_system():
    result = start(PRODUCTION, then=PRINT_DEFAULT_STORAGE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_production_with_s3_uses_the_bucket_on_its_endpoint():
    """MEDIA_STORAGE=s3 makes the default storage django-storages' S3 backend on the given endpoint and
    bucket, with private objects, unsigned URLs and no overwriting."""
    result = start({**PRODUCTION, **S3, "S3_PREFIX": "/media/"}, then=PRINT_DEFAULT_STORAGE)
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "portal-media",
        "endpoint_url": "https://oss.example.gov.cn",
        "region_name": "cn-north-1",
        "access_key": "AKPORTAL",
        "secret_key": "portal-secret",
        "addressing_style": None,
        "location": "media",
        "default_acl": None,
        "querystring_auth": False,
        "file_overwrite": False,
    }


@pytest.mark.parametrize("missing", ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"])
def test_production_with_s3_stops_on_missing_variable(missing):
    result = start({k: v for k, v in {**PRODUCTION, **S3}.items() if k != missing})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    "name, value",
    [("MEDIA_STORAGE", "ftp"), ("S3_ENDPOINT_URL", "oss.example.gov.cn"), ("S3_ADDRESSING_STYLE", "sideways")],
)
def test_production_with_s3_stops_on_malformed_variable(name, value):
    result = start({**PRODUCTION, **S3, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_s3_outside_production_needs_a_bucket_and_both_keys_or_neither(monkeypatch):
    """Outside production boto3 may find credentials itself, but a bucket is always needed and half
    a key pair is a mistake."""
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_ENDPOINT_URL", "S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        env.media_storage()
    monkeypatch.setenv("S3_BUCKET", "portal-media")
    assert env.media_storage()["OPTIONS"]["access_key"] is None
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "AKPORTAL")
    with pytest.raises(ImproperlyConfigured, match="S3_SECRET_ACCESS_KEY"):
        env.media_storage()


DEPLOY_CHECK = "from django.core.management import call_command; call_command('check', '--deploy')"
STRONG_SECRET_KEY = "Hq3v-8Zp1sWc6Lr0Xk4Tb9Nf2Jm7Ye5Ud-Ga3Qo8Vi1Es6Rw0Kt4Hy9Pb2Lx7Cn5Zm"


def deploy_check_ids(extra_env):
    """The ids (``security.W004`` …) that ``manage.py check --deploy`` reports in production."""
    result = start({**PRODUCTION, "SECRET_KEY": STRONG_SECRET_KEY, **extra_env}, then=DEPLOY_CHECK)
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\(([a-z_]+\.[EWCI]\d+)\)", result.stdout + result.stderr))


def test_deploy_check_leaves_only_the_hsts_note():
    """With the required variables set, the deployment check has one note left: HSTS is not sent by
    Django (security.W004), because the government cloud's load balancer terminating TLS sets it."""
    assert deploy_check_ids({}) == {"security.W004"}


def test_deploy_check_with_django_sending_hsts_leaves_the_two_domain_wide_notes():
    """Where Django sends HSTS itself, only the two domain-wide choices stay open as notes: including
    subdomains (security.W005) and preloading (security.W021), both left to the domain's registrant."""
    assert deploy_check_ids({"SECURE_HSTS_SECONDS": "31536000"}) == {"security.W005", "security.W021"}


def test_production_cookies_are_secure_http_only_and_lax():
    """In production the session and CSRF cookies are Secure, HttpOnly and SameSite=Lax."""
    result = start(
        PRODUCTION,
        then="import json; from django.conf import settings as s; print(json.dumps([getattr(s, n) for n in ("
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE')]))",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, "Lax", True, True, "Lax"]
