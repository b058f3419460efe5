"""Settings fail fast in production and parse DATABASE_URL correctly."""

import json
import os
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
        if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"} and not k.startswith(("S3_", "MEDIA_"))
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
        "u", "p@ss", "127.0.0.1", "5433", "portal"
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/portal/db.sqlite3")
    assert env.database(tmp_path)["NAME"] == "/srv/portal/db.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://127.0.0.1:notaport/x")
    with pytest.raises(ImproperlyConfigured):
        env.database(tmp_path)


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
