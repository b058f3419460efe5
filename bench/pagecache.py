"""Page cache hits against a static file, under real gunicorn: the issue's target is warm pages ≥ 0.7×.

    python bench/run.py pagecache        (BENCH_PAGECACHE_SECONDS=3, BENCH_PAGECACHE_ROUNDS=3)

Starts ``gunicorn portal.wsgi --workers 2`` with production settings (PORTAL_ENV=production, whitenoise
after ``collectstatic`` into a temporary PORTAL_VAR_DIR) on the current database (DATABASE_URL, or the
embedded SQLite file) and the current page cache (Redis with REDIS_URL, else the database table), behind
a simulated TLS proxy (``X-Forwarded-Proto: https``). Each page is fetched twice (the second a hit), then
``wrk -t2 -c16`` alternates between the static file and the page for a few rounds, so that both meet the
same machine: the ratio printed is the median of the rounds' page/static ratios. Also printed: the
gunicorn workers' CPU time per request (from /proc; less sensitive to other load on a shared machine
than req/s, but blind to time spent waiting for the database or Redis) and the load average.

Writes nothing but page-cache entries (a cache: the content is left as it was).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

SECONDS = int(os.environ.get("BENCH_PAGECACHE_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_PAGECACHE_ROUNDS", "3"))
HEADERS = {"X-Forwarded-Proto": "https"}


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def pages() -> list[tuple[str, str]]:
    from disclosure.records.selectors import public_records

    record = public_records().select_related("organisation", "node").order_by("-published_at").first()
    if record is None:
        raise SystemExit("没有公开信息：请先运行 make demo（或 manage.py seed_demo）。")
    org, serial = record.organisation.code, record.index_number.split("/", 1)[1]
    return [
        ("home", "/"),
        ("organisation", f"/org/{org}/"),
        ("column", f"/org/{org}/{record.node.code}/"),
        ("record", f"/org/{org}/doc/{serial}/"),
        ("search 征收", "/search/?q=" + quote("征收")),
        ("API records", "/api/v1/records/"),
        ("sitemap.xml", "/sitemap.xml"),
        ("feed", f"/org/{org}/feed/rss/"),
        # Reads a tracked table (the messages): its hit also reads that table's token, in the same round trip.
        ("interact", f"/org/{org}/interact/"),
    ]


def fetch(port: int, path: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def worker_cpu(pids: list[int]) -> float:
    """Seconds of CPU (user + system) the processes used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def wrk(port: int, path: str, pids: list[int]) -> tuple[float, float]:
    """(requests per second, worker CPU µs per request) of one wrk run."""
    before = worker_cpu(pids)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{SECONDS}s", "-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    cpu = worker_cpu(pids) - before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, cpu / max(total, 1) * 1e6


def main() -> None:
    if not shutil.which("wrk"):
        print("需要 wrk（apt install wrk）。")
        return
    gunicorn = Path(sys.executable).with_name("gunicorn")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-pagecache-"))
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_ENV": "production",
        "PORTAL_VAR_DIR": str(var_dir),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR, env=environment, check=True,
    )
    css = sorted((var_dir / "static" / "css").glob("site.*.css"))[0].name
    static = f"/static/css/{css}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(gunicorn), "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=environment,
    )
    try:
        for _ in range(100):
            try:
                if fetch(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()]
        store = "Redis" if os.environ.get("REDIS_URL") else "数据库缓存表"
        print(f"{connection.vendor}，页面缓存：{store}；gunicorn -w 2（生产设置），wrk -t2 -c16 -d{SECONDS}s × {ROUNDS} 轮")
        print(f"负载（开始）：{os.getloadavg()[0]:.1f}")
        print(f"{'页面':<14}{'状态':>5}{'页面 req/s':>12}{'静态 req/s':>12}{'比值':>7}{'页面 CPU µs':>13}{'静态 CPU µs':>13}")
        for name, path in pages():
            status, _headers = fetch(port, path)
            fetch(port, path)
            rounds = [(wrk(port, static, workers), wrk(port, path, workers)) for _ in range(ROUNDS)]
            ratio = statistics.median(page[0] / still[0] for still, page in rounds)
            print(
                f"{name:<14}{status:>5}{statistics.median(p[0] for _s, p in rounds):>12.0f}"
                f"{statistics.median(s[0] for s, _p in rounds):>12.0f}{ratio:>7.2f}"
                f"{statistics.median(p[1] for _s, p in rounds):>13.0f}{statistics.median(s[1] for s, _p in rounds):>13.0f}"
            )
        print(f"负载（结束）：{os.getloadavg()[0]:.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(var_dir, ignore_errors=True)
