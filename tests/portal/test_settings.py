"""Settings fail fast in production and parse DATABASE_URL correctly."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal import env


def start(extra_env):
    """Import the settings in a fresh interpreter, as a server start would."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG"}}
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
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
