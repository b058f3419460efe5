"""Province scale: pages under load, reports and search, on the current database (issue 15's figures).

    python bench/run.py scale          (make bench runs it with the others)

Seed the database first (README, "Scale and benchmarks"):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale_100k python manage.py seed_scale \\
        --organisations 150 --records 100000

What it does, on the database DATABASE_URL names (read only; the page cache's generation is bumped):

1. Prints the machine (nproc, CPU model, RAM, database version), the record counts and the commands.
2. SQL queries per request, once per page type, in this process: Django's test client inside
   ``CaptureQueriesContext``: a render (page cache off, after one warm-up request), a miss (page cache
   generation bumped just before: the render plus the cache's own reads and writes) and a hit. Counted here rather than through a response header, so production code stays as it is.
3. Starts gunicorn (``portal.wsgi --config deploy/gunicorn.conf.py --workers 2``: the production
   configuration, 16 threads each; PORTAL_ENV=production, DEBUG off, collectstatic into a temporary PORTAL_VAR_DIR, SECURE_SSL_REDIRECT=false since wrk speaks plain HTTP on loopback) three times:
   cold with PAGE_CACHE_SECONDS=0 (nothing cached: every request renders), warm with the page cache on
   in the database table, and warm with REDIS_URL=BENCH_REDIS_URL (default redis://127.0.0.1:6379/5;
   skipped if no Redis answers; the keys it wrote are deleted afterwards). A warm server first fills the
   cache with one request per page. In each, ``wrk -t2 -c16 --latency`` drives a static file and then a
   page type, alternating BENCH_ROUNDS times (each run a third of BENCH_SECONDS, or of BENCH_COLD_SECONDS
   for a page on the cold server, at least 2 s); the page's ratio is the median of its rounds' ratios,
   printed with that round's req/s and p50/p99 (this machine's speed moves in phases of seconds; the
   static row shows the mean of a server's static runs, their range below the table), and the workers'
   CPU time per answered request (utime + stime of /proc/<pid>/stat, median of the rounds). The cold server also serves the framework floor:
   /robots.txt (a trivial view) and /healthz (one SELECT 1) through every middleware.
4. On the cold server: 16 concurrent searches for common words (wrk -c16, a Lua script varying the word
   and page) while this process times a static file and the home page one request after another (a
   third process beside the server and wrk); and /sitemap.xml's time and the workers' peak RSS (VmHWM).
5. Reports (completeness of all organisations, timeliness, freshness: the functions in
   disclosure/reports/) and search (a results page: count + 20 results, two-character words vs an
   ``icontains`` over title and body, filtered through ``public_records()``), median / p50 / p95.

Targets from issue 15 are printed beside each figure ([达标] / [未达标]); nothing is asserted.

Environment: BENCH_SECONDS (default 5), BENCH_COLD_SECONDS (2 × BENCH_SECONDS), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_RUNS (3, reports),
BENCH_SEARCH_REPEAT (5), BENCH_SKIP (comma list of: load, reports, search; ``pages`` keeps of the load
runs only the concurrent searches and the sitemap, on the cold server), BENCH_REDIS_URL ("" skips the Redis
run). The search bulkhead (portal/bulkhead.py) takes SEARCH_CONCURRENCY and SEARCH_QUEUE_SECONDS from the
environment (0: off).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# Uncached pages take seconds each under 16 connections at a million records: a longer run, so that
# some complete (wrk counts only completed requests).
COLD_SECONDS = int(os.environ.get("BENCH_COLD_SECONDS", str(2 * SECONDS)))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # static file and page alternating, per page type
SEARCH_REPEAT = int(os.environ.get("BENCH_SEARCH_REPEAT", "5"))
SKIP = {part.strip() for part in os.environ.get("BENCH_SKIP", "").split(",") if part.strip()}
COMMON_WORDS = ["征收", "补偿", "住房", "公示"]
GUNICORN = Path(sys.executable).with_name("gunicorn")

TARGET_WARM, TARGET_COLD, TARGET_QUERIES = 0.7, 0.25, 6


def mark(ok: bool) -> str:
    return "[达标]" if ok else "[未达标]"


# --- machine ------------------------------------------------------------------------------------


def machine() -> None:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    load = os.getloadavg()
    print(f"机器：{os.cpu_count()} 核（nproc），{cpu}，内存 {memory}，{platform.system()} {platform.release()}")
    print(f"数据库：{database}，库名 {connection.settings_dict['NAME']}；Python {platform.python_version()}")
    print(f"开始时负载（1/5/15 分钟）：{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}（其他进程占用 CPU 时数字偏低）")


def counts() -> int:
    from catalog.models import Organisation
    from disclosure.records.models import Record, SearchDocument
    from disclosure.records.selectors import public_records

    total = Record.objects.count()
    public = public_records().count()
    print(f"数据：{Organisation.objects.count()} 个单位，{total} 条信息（公开 {public} 条），"
          f"检索文档 {SearchDocument.objects.count()} 条")
    return total


# --- the pages ----------------------------------------------------------------------------------


def pages() -> list[tuple[str, str]]:
    """(label, path) of each public page type, chosen in the data: the biggest column and its organisation."""
    from django.db.models import Count

    from disclosure.records.selectors import public_records

    newest = public_records().select_related("organisation").order_by("-published_at", "-id").first()
    if newest is None:
        raise SystemExit("数据库中没有公开信息：请先运行 manage.py seed_scale（或 make demo）。")
    column = (public_records().values("organisation__code", "node__code").annotate(n=Count("id"))
              .order_by("-n").first())
    return [
        ("首页", "/"),
        ("单位首页", f"/org/{column['organisation__code']}/"),
        ("栏目", f"/org/{column['organisation__code']}/{column['node__code']}/"),
        ("信息", newest.get_absolute_url()),
        ("检索 征收", "/search/?" + urlencode({"q": "征收"})),
        ("API 信息列表", "/api/v1/records"),
        ("sitemap.xml", "/sitemap.xml"),
        ("RSS", "/feed/rss/"),
    ]


def query_counts(paths: list[tuple[str, str]]) -> dict[str, tuple[int, int, int, int]]:
    """path -> (status, queries of a render, of a cache miss, of a cache hit), through the test client here.

    A render is the page with the page cache off, after one warm-up request of the same page (the
    process's public trees, synonyms and calendar then exist, as in a running worker): what the issue's
    "≤ 6 SQL queries on any public page" counts. A miss adds the page cache's own reads and writes (the
    database cache table) after a new generation; a hit is the generation read alone."""
    from django.test import override_settings

    from portal.pagecache import bump_generation

    client = Client()
    result = {}
    debug = settings.DEBUG
    for _label, path in paths:
        with override_settings(PAGE_CACHE_SECONDS=0):
            client.get(path, HTTP_HOST="127.0.0.1")
            with CaptureQueriesContext(connection) as render:
                client.get(path, HTTP_HOST="127.0.0.1")
        bump_generation()
        reset_queries()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(path, HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as warm:
            client.get(path, HTTP_HOST="127.0.0.1")
        result[path] = (response.status_code, len(render.captured_queries), len(cold.captured_queries),
                        len(warm.captured_queries))
        client.cookies.clear()
    settings.DEBUG = debug
    return result


# --- gunicorn and wrk -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{connection.settings_dict['NAME']}"


class Server:
    """gunicorn with production settings on the current database; ``cache`` False turns the page cache off;
    ``redis`` (a URL) puts the caches in Redis, else the page cache is the database's table."""

    def __init__(self, var_dir: Path, *, cache: bool, redis: str = ""):
        self.port = free_port()
        self.environment = {
            k: v for k, v in os.environ.items()
            if k not in {"DEBUG", "ALLOWED_HOSTS", "PAGE_CACHE_SECONDS", "REDIS_URL"}
            and not k.startswith(("SECURE_", "OIDC_"))
        }
        if redis:
            self.environment["REDIS_URL"] = redis
        self.environment.update(
            DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_ENV="production", PORTAL_VAR_DIR=str(var_dir),
            SECRET_KEY="scale-benchmark-" + "k" * 40, DATABASE_URL=database_url(), ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false", PYTHONPATH=str(settings.BASE_DIR),
        )
        if not cache:
            self.environment["PAGE_CACHE_SECONDS"] = "0"
        # The production configuration (threaded workers, deploy/gunicorn.conf.py) with two workers.
        self.command = [str(GUNICORN), "portal.wsgi", "--config", "deploy/gunicorn.conf.py", "--workers", "2",
                        "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.log = var_dir / ("gunicorn-redis.log" if redis else "gunicorn-cache.log" if cache else "gunicorn-nocache.log")

    def collectstatic(self) -> None:
        done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                              cwd=settings.BASE_DIR, env=self.environment, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"collectstatic 失败：{done.stderr[-1500:]}")

    def __enter__(self):
        with self.log.open("w") as out:
            self.process = subprocess.Popen(self.command, cwd=settings.BASE_DIR, env=self.environment,
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn 未能启动：{self.log.read_text()[-1500:]}")
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn 60 秒内没有响应。")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


def get(port: int, path: str, timeout: float = 120) -> tuple[int, float, int]:
    """(status, seconds, body bytes) of one GET."""
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", quote(path, safe="/?=&%"), headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - began, len(body)
    finally:
        conn.close()


def drain(port: int) -> None:
    """Wait until the requests wrk left in flight are answered (sync workers serve them in turn), so
    that they do not weigh on the next measurement: two quick answers in a row."""
    quick, deadline = 0, time.monotonic() + 300
    while quick < 2 and time.monotonic() < deadline:
        try:
            quick = quick + 1 if get(port, "/healthz", timeout=300)[1] < 0.05 else 0
        except OSError:
            quick = 0
            time.sleep(0.5)


def peak_rss_kib(pid: int) -> int:
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    except (OSError, AttributeError):
        return 0


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes have used so far (utime + stime of /proc/<pid>/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk_with_cpu(server: Server, path: str, seconds: int) -> dict:
    """wrk on ``path`` plus the gunicorn workers' CPU per answered request (µs): unlike req/s, time the
    machine gives to others (this one runs in phases) does not count in it."""
    pids = server.workers()
    before = cpu_seconds(pids)
    figure = wrk(server.port, path, seconds=seconds)
    used = cpu_seconds(pids) - before
    figure["cpu_us"] = used / figure["requests"] * 1e6 if figure["requests"] else float("nan")
    return figure


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(port: int, path: str, *, seconds: int = SECONDS, connections: int = CONNECTIONS,
        script: Path | None = None) -> dict:
    url = f"http://127.0.0.1:{port}{quote(path, safe='/?=&%')}"
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s",
               "-H", "Host: 127.0.0.1"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 120).stdout
    drain(port)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "requests": int(requests.group(1)) if requests else 0,
        "p50": _ms(p50.group(1)) if p50 else float("nan"),
        "p99": _ms(p99.group(1)) if p99 else float("nan"),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
        "command": " ".join([*command, url]),
    }


def static_path(var_dir: Path) -> str:
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())
    return settings.STATIC_URL + manifest["paths"]["css/site.css"]


def redis_url() -> str:
    """BENCH_REDIS_URL (default redis://127.0.0.1:6379/5), "" when no Redis answers there or redis-py is missing."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis run
        print(f"Redis（{url}）不可用，跳过 Redis 热测：{error}")
        return ""
    return url


def forget_redis(url: str) -> None:
    """Remove what the Redis run stored (page cache and rate limit keys), leaving the rest of that database."""
    import redis

    client = redis.Redis.from_url(url)
    for pattern in ("pages:*", "ratelimit:*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)


# The framework floor: views whose answer costs (almost) nothing, through the full middleware stack, on the
# server without page cache. A hit skips that stack (the page cache is the first middleware) but adds one
# read of the shared generation: /healthz reads the database once (SELECT 1) through the whole stack.
FLOOR = [("框架 robots.txt", "/robots.txt"), ("框架 /healthz", "/healthz")]


def load_tests(paths, queries, var_dir: Path) -> None:
    static = static_path(var_dir)
    redis = redis_url()
    print(f"\n静态文件：{static}；每项 wrk -t2 -c{CONNECTIONS} --latency，冷 {COLD_SECONDS} 秒、热 {SECONDS} 秒"
          "（与服务器同机，回环地址；冷 = 页面缓存关闭，热(库) = 页面缓存在数据库表中并已填充，"
          f"热(Redis) = 页面缓存在 Redis {redis or '（未测）'} 中并已填充）；"
          f"静态文件与页面交替测 {ROUNDS} 轮，比值取各轮比值的中位数，req/s 与 p50/p99 为该轮的数字")
    if "pages" in SKIP:
        with Server(var_dir, cache=False) as server:
            concurrent_searches(server, static, var_dir)
            sitemap(server)
        return
    runs = [("cold", Server(var_dir, cache=False)), ("db", Server(var_dir, cache=True))]
    if redis:
        runs.append(("redis", Server(var_dir, cache=True, redis=redis)))
    figures, loads = {}, {}
    for name, server in runs:
        try:
            with server:
                if name != "cold":
                    for _label, path in paths:  # fill the page cache
                        get(server.port, path)
                seconds = SECONDS if name != "cold" else COLD_SECONDS
                figures[name] = {}
                statics = []
                # The static file and the page alternate, ROUNDS times each, and the page's ratio is the
                # median of its rounds' ratios: this machine's speed moves in phases of seconds (a static
                # file at 6,500 req/s, then 1,800 for a while), which one static run at the start and one
                # at the end of a server's runs, or even one just before the page, misread.
                measured = [(path, seconds) for _label, path in paths]
                if name == "cold":
                    measured += [(path, SECONDS) for _label, path in FLOOR]
                for path, length in measured:
                    rounds = []
                    for _round in range(ROUNDS):
                        statics.append(wrk_with_cpu(server, static, max(2, SECONDS // ROUNDS)))
                        page = wrk_with_cpu(server, path, max(2, length // ROUNDS))
                        rounds.append(dict(page, static=statics[-1]["rate"]))
                    rounds.sort(key=lambda run: run["rate"] / run["static"] if run["static"] else 0)
                    middle = rounds[len(rounds) // 2]
                    figures[name][path] = dict(
                        middle,
                        errors=sum(run["errors"] for run in rounds), timeouts=sum(run["timeouts"] for run in rounds),
                        cpu_us=statistics.median(run["cpu_us"] for run in rounds),
                    )
                rates = [run["rate"] for run in statics]
                figures[name]["static"] = dict(
                    statics[0], rate=statistics.mean(rates), static=statistics.mean(rates),
                    cpu_us=statistics.median(run["cpu_us"] for run in statics),
                    errors=sum(run["errors"] for run in statics), timeouts=sum(run["timeouts"] for run in statics),
                )
                loads[name] = (min(rates), max(rates), len(rates), os.getloadavg()[0])
                if name == "cold":
                    print(f"示例命令：{statics[0]['command']}")
                    concurrent_searches(server, static, var_dir)
                    sitemap(server)
        finally:
            if name == "redis":
                forget_redis(redis)
    names = [name for name, _server in runs]
    titles = {"cold": "冷", "db": "热(库)", "redis": "热(Redis)"}
    header = f"{'页面':<14}{'SQL(渲染/缺/中)':>13}" + "".join(
        f"  {titles[name] + ' req/s':>12}{'p50/p99 ms':>14}{'比值':>7}{'CPU µs':>8}" for name in names)
    print("\n" + header)
    rows = [("静态文件", "static")] + [(label, path) for label, path in paths] + FLOOR
    for label, key in rows:
        status, q_render, q_cold, q_warm = queries.get(key, (200, 0, 0, 0))
        sql = f"{q_render}/{q_cold}/{q_warm}" if key in queries else "-"
        line, flags = f"{label:<14}{sql:>13}", ""
        for name in names:
            figure = figures[name].get(key)
            if figure is None:
                line += f"  {'-':>12}{'':>14}{'':>7}{'':>8}"
                continue
            ratio = figure["rate"] / figure["static"] if figure["static"] else 0
            line += (f"  {figure['rate']:>12.0f}{figure['p50']:>7.1f}/{figure['p99']:<6.0f}{ratio:>7.3f}"
                     f"{figure.get('cpu_us', float('nan')):>8.0f}")
            if key in queries:
                flags += (f" {titles[name]}{mark(ratio >= (TARGET_COLD if name == 'cold' else TARGET_WARM))}")
            if figure["errors"] + figure["timeouts"]:
                flags += f" {titles[name]}非2xx/超时 {figure['errors'] + figure['timeouts']}"
        if key in queries:
            flags += f" SQL{mark(q_render <= TARGET_QUERIES)}"
            if status != 200:
                flags += f" 状态 {status}"
        print(line + flags)
    for name in names:
        lowest, highest, runs_done, load = loads[name]
        print(f"  {titles[name]}：静态文件 {runs_done} 次，{lowest:.0f}–{highest:.0f} req/s（表中为均值），"
              f"结束时 1 分钟负载 {load:.1f}")
    print(f"目标：热 ≥ {TARGET_WARM}× 静态文件，冷 ≥ {TARGET_COLD}×，每页 SQL ≤ {TARGET_QUERIES} 条"
          "（渲染 = 页面缓存关闭、同页预热一次后的查询数；缺 = 新版本号后首次请求，含缓存表读写；中 = 命中）。")
    print("框架下限：页面缓存关闭时经过全部中间件的最简视图（robots.txt 不查库，/healthz 查一次库），"
          "即 Django 在这台服务器上一次请求的大致代价；命中只经过页面缓存中间件，但另读一次共享版本号。"
          "CPU µs = gunicorn 两个 worker 每答一个请求所用的 CPU 时间（各轮中位数，不含 wrk 与数据库），"
          "不受机器快慢时段影响，可与静态文件一行直接相比。"
          "负载高时 wrk 与服务器争用 CPU，各比值可差一倍，以多次运行与负载一并看。")


SEARCH_SCRIPT = """
local words = {%s}
local n = 0
request = function()
  n = n + 1
  local word = words[(n %% #words) + 1]
  local page = (math.floor(n / #words) %% 5) + 1
  return wrk.format("GET", "/search/?q=" .. word .. "&page=" .. page)
end
"""


def concurrent_searches(server: Server, static: str, var_dir: Path) -> None:
    """wrk -c16 on searches for common words; meanwhile a static file and the home page, one by one."""
    words = ", ".join(f'"{quote(w)}"' for w in COMMON_WORDS)
    script = var_dir / "search.lua"
    script.write_text(SEARCH_SCRIPT % words)

    failures = {static: 0, "/": 0}

    def probe(seconds: float) -> dict[str, list[float]]:
        timings = {static: [], "/": []}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for path in timings:
                try:
                    timings[path].append(get(server.port, path)[1] * 1000)
                except OSError:
                    failures[path] += 1
        return timings

    quiet = probe(2)
    duration = max(SECONDS, 5)
    result = {}
    runner = threading.Thread(target=lambda: result.update(
        wrk(server.port, "/search/?q=x", seconds=duration, connections=16, script=script)))
    runner.start()
    time.sleep(0.5)
    busy = probe(duration - 1)
    load = os.getloadavg()
    runner.join()
    bulkhead = os.environ.get("SEARCH_CONCURRENCY") or f"默认 {max(1, (os.cpu_count() or 2) // 2)}"
    print(f"\n16 个并发检索（{'、'.join(COMMON_WORDS)}，第 1–5 页，无页面缓存；同时检索上限 SEARCH_CONCURRENCY={bulkhead}）"
          f"{duration} 秒：{result.get('rate', 0):.1f} req/s，p50 {result.get('p50', 0):.0f} ms，"
          f"p99 {result.get('p99', 0):.0f} ms，非 2xx（503 排队超时）{result.get('errors', 0)}，超时 {result.get('timeouts', 0)}；"
          f"检索期间负载 {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    for path, label in ((static, "静态文件"), ("/", "首页")):
        before, during = quiet[path], busy[path]
        if not during or not before:
            print(f"  {label}：检索期间没有完成任何请求 {mark(False)}")
            continue
        normal = statistics.median(before)
        p50, worst = statistics.median(during), max(during)
        ok = p50 <= max(3 * normal, normal + 50)
        print(f"  {label}：平时 p50 {normal:.1f} ms；检索期间 p50 {p50:.1f} ms，最慢 {worst:.0f} ms，"
              f"完成 {len(during)} 次，失败 {failures[path]} 次 {mark(ok and not failures[path])}（目标：保持正常时间，此处以 p50 ≤ 平时 3 倍或 +50 ms 计）")


def sitemap(server: Server) -> None:
    before = {pid: peak_rss_kib(pid) for pid in server.workers()}
    status, seconds, size = get(server.port, "/sitemap.xml", timeout=300)
    after = {pid: peak_rss_kib(pid) for pid in server.workers()}
    peak = max(after.values(), default=0)
    grown = max((after[pid] - before.get(pid, 0) for pid in after), default=0)
    print(f"\n/sitemap.xml（无页面缓存）：状态 {status}，{seconds * 1000:.0f} ms，{size} 字节 {mark(status == 200 and seconds < 1)}"
          f"（目标 < 1 秒）；worker 峰值 RSS {peak / 1024:.0f} MB（本次请求增加 {grown / 1024:.0f} MB）")


# --- reports and search -------------------------------------------------------------------------------


def median_ms(function, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def reports() -> None:
    from datetime import date

    from disclosure.reports.common import all_organisations
    from disclosure.reports.completeness import completeness_report
    from disclosure.reports.freshness import freshness_report
    from disclosure.reports.timeliness import timeliness_report

    organisations = all_organisations()
    report = completeness_report(organisations)
    seconds = median_ms(lambda: completeness_report(all_organisations()))
    print(f"\n报表（{len(organisations)} 个单位，{RUNS} 次中位数，本进程直接调用 disclosure/reports/）：")
    print(f"  公开完整性（全部单位，{len(report.cells)} 个栏目）：{seconds:.0f} ms {mark(seconds <= 300)}（目标 ≤ 300 ms，1M 时 < 2× 100k）")
    today = date.today()
    seconds = median_ms(lambda: timeliness_report(all_organisations(), today=today))
    print(f"  公开及时性：{seconds:.0f} ms {mark(seconds <= 1000)}（目标 1M 时 ≤ 1 s）")
    seconds = median_ms(lambda: freshness_report(all_organisations()))
    print(f"  栏目更新：{seconds:.0f} ms")


def search() -> None:
    from django.db.models import Q

    from disclosure.records.selectors import public_records
    from disclosure.search.selectors import search_public_records

    def full_text(word):
        documents = search_public_records(word)
        total = documents.count()
        list(documents[:20])
        return total

    def naive(word):
        rows = public_records().filter(Q(title__icontains=word) | Q(body__icontains=word)).order_by("-published_at")
        total = rows.count()
        list(rows.only("id", "title", "published_at")[:20])
        return total

    print(f"\n检索（结果页：计数 + 前 20 条；{'、'.join(COMMON_WORDS)} 各 {SEARCH_REPEAT} 次，首次预热不计）：")
    results = {}
    for name, function in (("全文检索", full_text), ("icontains", naive)):
        timings, hits = [], []
        for word in COMMON_WORDS:
            hits.append(function(word))
            for _ in range(SEARCH_REPEAT):
                began = time.perf_counter()
                function(word)
                timings.append((time.perf_counter() - began) * 1000)
        results[name] = (statistics.median(timings), percentile(timings, 0.95))
        print(f"  {name:<10} p50 {results[name][0]:.0f} ms，p95 {results[name][1]:.0f} ms（命中 {'/'.join(map(str, hits))}）")
    p95, speedup = results["全文检索"][1], results["icontains"][0] / max(results["全文检索"][0], 0.001)
    print(f"  全文检索 p95 {p95:.0f} ms {mark(p95 <= 50)}（目标 ≤ 50 ms）；比 icontains 快 {speedup:.1f} 倍 "
          f"{mark(speedup >= 20)}（目标 ≥ 20 倍）")


def main() -> None:
    print(f"命令：{' '.join(sys.argv)}（BENCH_SECONDS={SECONDS} BENCH_CONNECTIONS={CONNECTIONS} BENCH_RUNS={RUNS}）")
    machine()
    counts()
    paths = pages()
    queries = query_counts(paths)
    if "load" not in SKIP:
        if shutil.which("wrk") is None:
            print("没有找到 wrk：请先安装（Debian/Ubuntu：apt-get install wrk），负载测试跳过。")
        elif not GUNICORN.exists():
            print(f"没有找到 gunicorn（{GUNICORN}）：负载测试跳过。")
        else:
            var_dir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
            try:
                Server(var_dir, cache=False).collectstatic()
                load_tests(paths, queries, var_dir)
            finally:
                shutil.rmtree(var_dir, ignore_errors=True)
    else:
        for label, path in paths:
            status, render, cold, warm = queries[path]
            print(f"{label:<14} 状态 {status}，SQL 渲染 {render} / 缺 {cold} / 中 {warm} {mark(render <= TARGET_QUERIES)}")
    if "reports" not in SKIP:
        reports()
    if "search" not in SKIP:
        search()
