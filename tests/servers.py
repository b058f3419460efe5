"""Real gunicorn servers on the test database, for the tests that need several worker processes (rate
limits across workers, production settings, the job runner beside the web server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

GUNICORN = Path(sys.executable).with_name("gunicorn")


def database_url() -> str:
    """DATABASE_URL of the test database pytest set up, for the server processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("the SQLite test database lives in memory; gunicorn workers cannot share it")
        return f"sqlite:///{name}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(*, drop: set[str], drop_prefixes: tuple[str, ...], **settings_env: str) -> dict:
    """This process's environment without what a server start would not see, plus ``settings_env``."""
    environment = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(drop_prefixes)}
    environment.update(DJANGO_SETTINGS_MODULE="portal.settings", **settings_env)
    return environment


def stop(process: subprocess.Popen) -> int:
    """SIGINT (quick shutdown, as Ctrl-C; SIGTERM waits for the workers to finish), then kill if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextmanager
def gunicorn(
    environment: dict, *, port: int, log: Path, ready: Callable[[int], bool], options: tuple[str, ...] = (),
    start_seconds: float = 30, give_up: Callable[[str], None] = pytest.skip,
) -> Iterator[subprocess.Popen]:
    """``gunicorn portal.wsgi --preload --workers 2`` on ``port``, until ``ready(port)``; stopped afterwards.
    ``give_up`` (skip or fail) is called with the end of the server's log if it does not come up."""
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed next to {sys.executable}")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "portal.wsgi", "--preload", "--workers", "2", "--bind", f"127.0.0.1:{port}", *options],
            cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            if process.poll() is not None:
                give_up(f"gunicorn did not start: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                give_up(f"gunicorn did not answer within {start_seconds} s: {log.read_text()[-2000:]}")
            try:
                if ready(port):
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        yield process
    finally:
        stop(process)
