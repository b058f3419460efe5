#!/usr/bin/env python3
"""The end-to-end cluster drill (issue 16): the portal as a province platform runs it, on this one machine.

    sudo .venv/bin/python .ci/cluster.py [--keep]      # root: network namespaces; about two minutes

What it starts, all of it temporary and stopped again (also on failure or Ctrl-C):

* two network namespaces, each joined to this host by a veth pair, with one app host in each: gunicorn
  (``PORTAL_ENV=production``, two workers) bound on the namespace's own address;
* nginx on this host, from deploy/nginx-portal.conf with only its marked lines filled in, in front of both;
* a PostgreSQL primary (initdb in a temporary directory) and a streaming replica of it (pg_basebackup -R),
  each on a port of its own; the hosts get DATABASE_URL and DATABASE_REPLICA_URL;
* a Redis server (REDIS_URL: sessions' neighbours, rate limits, the page cache) and an S3-compatible
  endpoint (moto's server) for the attachments (MEDIA_STORAGE=s3), DOWNLOAD_OFFLOAD=nginx.

The services listen on the host's end of host A's veth pair, which both namespaces reach. The machine's
own PostgreSQL and Redis are not touched.

What it proves, printing each figure: the demo is migrated and seeded; a record with an attachment is
published on host A (the demo's review chain, by the demo accounts, in a Django shell in host A's
namespace and environment) while the replica's replay is paused, and is at once visible on host B (staff,
signed in over HTTP, read their own write; anonymous readers too: the router reads the primary while the
replica is behind the last write); pages served by each host; reads answered by the replica; the
attachment's bytes sent by nginx from the object store (the app's answer has no body); withdrawal seen at
once by every host and nginx with warm page caches (0 stale pages); host A killed under load through nginx
(0 failed requests; only a response host A was sending at the instant of the kill may arrive cut off, at
most one per worker, since nginx cannot restart an answer it has begun); the replica stopped (pages keep answering from the primary: time to the first page);
deploy/backup.sh and deploy/restore.sh into an empty database and an empty bucket, and the restored portal
answers the same public pages. Exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "gk.cluster.test"
PASSWORD = "Demo-2026-qinghe"
COUNTY = "419901"
HOST_WORKERS = 2  # gunicorn sync workers per app host
NODE = "020503"  # 公租房 配租结果, as in the nginx and restore tests

# Variables of this process that must not reach the portal processes (they get their own).
DROP_PREFIXES = ("DATABASE_", "REDIS_", "S3_", "MEDIA_", "PORTAL_", "SECURE_", "OIDC_", "DOWNLOAD_", "DJANGO_",
                 "EMAIL_", "CLAMD_", "PAGE_CACHE", "CSRF_", "ALLOWED_HOSTS", "DEBUG", "SECRET_KEY",
                 "TRUSTED_PROXY")


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        sys.exit("PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql")
    return versions[-1].parent


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------------------------------ HTTP


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One visitor: cookies kept (Secure ones too: TLS ends in front of nginx, which the drill plays by
    sending X-Forwarded-Proto: https to the hosts directly and by nginx's generated config)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, address: tuple[str, int], method: str, path: str, body: dict | None = None,
                timeout: float = 15) -> Answer:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "User-Agent": "cluster-drill"}
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"https://{HOST}{path}", "Origin": f"https://{HOST}"})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(*address, timeout=timeout)
        path = quote(path, safe="/?&=%:")
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _eq, content = value.partition(";")[0].partition("=")
                    if content and "max-age=0" not in value.lower():
                        self.cookies[key.strip()] = content
                    else:
                        self.cookies.pop(key.strip(), None)
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, raw)
        finally:
            connection.close()

    def get(self, address, path, **kw) -> Answer:
        return self.request(address, "GET", path, **kw)


def anonymous(address, path, **kw) -> Answer:
    return Browser().get(address, path, **kw)


# ------------------------------------------------------------------------------------------ the drill


class Failed(Exception):
    pass


class Drill:
    def __init__(self, keep: bool):
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-cluster-"))
        self.tmp.chmod(0o755)  # the postgres user walks into it
        self.undo: list[tuple[str, object]] = []
        self.processes: dict[str, subprocess.Popen] = {}
        self.checks: list[tuple[str, bool, str]] = []
        self.started = time.monotonic()
        tag = f"{os.getpid() % 10000:04d}"
        self.ns = {"a": f"pcl{tag}a", "b": f"pcl{tag}b"}
        self.net = self.pick_network()
        self.host_ip = {"a": f"{self.net}.1.2", "b": f"{self.net}.2.2"}
        self.service_ip = f"{self.net}.1.1"  # host A's veth peer on this host: both namespaces reach it
        self.pg = pg_bin()

    # -------------------------------------------------------------- plumbing

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)

    def check(self, label: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((label, ok, detail))
        print(f"    {'PASS' if ok else 'FAIL'}  {label}{': ' + detail if detail else ''}", flush=True)
        return ok

    def run(self, *command, env=None, user=None, netns=None, check=True, input=None, cwd=None) -> str:
        command = [str(c) for c in command]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        if netns:
            command = ["ip", "netns", "exec", netns, *command]
        done = subprocess.run(command, env=env, capture_output=True, text=True, input=input, cwd=cwd or self.tmp)
        if check and done.returncode != 0:
            raise Failed(f"{' '.join(command[:6])} … exited {done.returncode}:\n{done.stdout[-1500:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, *command, env=None, user=None, netns=None, cwd=None) -> subprocess.Popen:
        command = [str(c) for c in command]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        if netns:
            command = ["ip", "netns", "exec", netns, *command]  # execs the command: same pid
        out = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd or ROOT,
                                   start_new_session=True)
        self.processes[name] = process
        self.undo.append(("process", name))
        return process

    def kill(self, name: str, sig=signal.SIGTERM, wait: float = 15) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    def wait_for(self, what: str, ready, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if ready():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            for name, process in self.processes.items():
                if process.poll() is not None and name in what:
                    raise Failed(f"{what} exited: {(self.tmp / f'{name}.log').read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise Failed(f"{what} did not come up within {seconds} s")
            time.sleep(0.2)

    def cleanup(self) -> None:
        for kind, item in reversed(self.undo):
            try:
                if kind == "process":
                    self.kill(item, wait=10)
                elif kind == "postgres":
                    if (Path(item) / "postmaster.pid").exists():
                        self.run(self.pg / "pg_ctl", "-D", item, "-m", "immediate", "stop", user="postgres", check=False)
                elif kind == "netns":
                    self.run("ip", "netns", "del", item, check=False)
                elif kind == "link":
                    self.run("ip", "link", "del", item, check=False)
            except Exception as error:  # noqa: BLE001 - clean up the rest regardless
                print(f"cleanup of {kind} {item}: {error}", file=sys.stderr)
        if self.keep:
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -------------------------------------------------------------- setup

    def pick_network(self) -> str:
        used = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
        for second in range(213, 250):
            if f" 10.{second}." not in used:
                return f"10.{second}"
        raise Failed("no free 10.x.0.0/16 network for the namespaces")

    def network(self) -> None:
        for index, ns in enumerate(self.ns.values(), start=1):
            outside, inside = f"{ns}h", f"{ns}n"
            self.run("ip", "netns", "add", ns)
            self.undo.append(("netns", ns))
            self.run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            self.undo.append(("link", outside))
            self.run("ip", "link", "set", inside, "netns", ns)
            self.run("ip", "addr", "add", f"{self.net}.{index}.1/24", "dev", outside)
            self.run("ip", "link", "set", outside, "up")
            self.run("ip", "addr", "add", f"{self.net}.{index}.2/24", "dev", inside, netns=ns)
            self.run("ip", "link", "set", inside, "up", netns=ns)
            self.run("ip", "link", "set", "lo", "up", netns=ns)
            self.run("ip", "route", "add", "default", "via", f"{self.net}.{index}.1", netns=ns)
        self.log(f"namespaces {self.ns['a']} ({self.host_ip['a']}) and {self.ns['b']} ({self.host_ip['b']});"
                 f" services on {self.service_ip}")

    def postgres(self) -> None:
        self.pg_port = {"primary": free_port(), "replica": free_port()}
        primary, replica = self.tmp / "pg-primary", self.tmp / "pg-replica"
        sockets = self.tmp / "pg-sockets"
        for directory in (primary, replica, sockets, self.tmp / "pg-logs"):
            directory.mkdir(mode=0o700)
            shutil.chown(directory, "postgres", "postgres")
        self.run(self.pg / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync", user="postgres")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1,{self.service_ip}'\nport = {self.pg_port['primary']}\n"
                f"unix_socket_directories = '{sockets}'\nfsync = off\nfull_page_writes = off\n"
                "shared_buffers = 64MB\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = top\n"
            )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {self.net}.0.0/16 trust\nhost replication all {self.net}.0.0/16 trust\n")
        self.run(self.pg / "pg_ctl", "-D", primary, "-l", self.tmp / "pg-logs" / "primary.log", "-w", "start", user="postgres")
        self.undo.append(("postgres", str(primary)))
        self.psql("primary", "postgres", "CREATE DATABASE portal")
        self.psql("primary", "portal", "CREATE EXTENSION pg_stat_statements")
        self.run(self.pg / "pg_basebackup", "-h", "127.0.0.1", "-p", self.pg_port["primary"], "-U", "postgres",
                 "-D", replica, "-R", "-X", "stream", "--checkpoint=fast", user="postgres")
        with (replica / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.pg_port['replica']}\n")
        self.run(self.pg / "pg_ctl", "-D", replica, "-l", self.tmp / "pg-logs" / "replica.log", "-w", "start", user="postgres")
        self.undo.append(("postgres", str(replica)))
        state = self.psql("replica", "portal", "SELECT pg_is_in_recovery()")
        self.check("the replica is a streaming standby", state == "t", f"pg_is_in_recovery() = {state}")
        self.log(f"PostgreSQL primary :{self.pg_port['primary']}, streaming replica :{self.pg_port['replica']}")

    def psql(self, which: str, database: str, sql: str) -> str:
        return self.run("psql", "-h", "127.0.0.1", "-p", self.pg_port[which], "-U", "postgres", "-d", database,
                        "-tAq", "-v", "ON_ERROR_STOP=1", "-c", sql).strip()

    def redis_and_s3(self) -> None:
        self.redis_port = free_port()
        self.start("redis", "redis-server", "--port", self.redis_port, "--bind", self.service_ip, "--save", "",
                   "--appendonly", "no", "--protected-mode", "no", cwd=self.tmp)
        self.wait_for("redis", lambda: socket.create_connection((self.service_ip, self.redis_port), 1).close() or True)
        self.s3_port = free_port()
        self.start("moto", BIN / "moto_server", "-H", self.service_ip, "-p", self.s3_port, cwd=self.tmp)
        self.s3_endpoint = f"http://{self.service_ip}:{self.s3_port}"
        self.wait_for("moto", lambda: anonymous((self.service_ip, self.s3_port), "/").status < 500)
        import boto3

        self.s3 = boto3.client("s3", endpoint_url=self.s3_endpoint, region_name="us-east-1",
                               aws_access_key_id="drill", aws_secret_access_key="drill-secret")
        for bucket in ("portal-media", "portal-restored"):
            self.s3.create_bucket(Bucket=bucket)
        self.log(f"Redis :{self.redis_port}, S3 endpoint (moto) {self.s3_endpoint}")

    def environment(self, **overrides: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROP_PREFIXES)}
        svc = self.service_ip
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings", PYTHONPATH=str(ROOT), PORTAL_ENV="production",
            PORTAL_VAR_DIR=str(self.tmp / "var"), SECRET_KEY="cluster-drill-" + "s" * 50,
            ALLOWED_HOSTS=HOST, CSRF_TRUSTED_ORIGINS=f"https://{HOST}", PORTAL_PUBLIC_URL=f"https://{HOST}",
            TRUSTED_PROXY_COUNT="1", PORTAL_REQUIRE_2FA="false",  # the demo accounts have no TOTP device
            DATABASE_URL=f"postgres://postgres@{svc}:{self.pg_port['primary']}/portal",
            DATABASE_REPLICA_URL=f"postgres://postgres@{svc}:{self.pg_port['replica']}/portal",
            REDIS_URL=f"redis://{svc}:{self.redis_port}/0",
            MEDIA_STORAGE="s3", S3_BUCKET="portal-media", S3_ENDPOINT_URL=self.s3_endpoint, S3_REGION="us-east-1",
            S3_ACCESS_KEY_ID="drill", S3_SECRET_ACCESS_KEY="drill-secret", S3_ADDRESSING_STYLE="path",
            DOWNLOAD_OFFLOAD="nginx", PYTHON=sys.executable,
        )
        env.update(overrides)
        return {k: v for k, v in env.items() if v is not None}

    def manage(self, *args, env=None, netns=None) -> str:
        return self.run(sys.executable, "manage.py", *args, env=env or self.environment(), netns=netns, cwd=ROOT)

    def seed(self) -> None:
        t = time.monotonic()
        static = self.start("collectstatic", sys.executable, "manage.py", "collectstatic", "--noinput",
                            "--verbosity", "0", env=self.environment())  # beside the database steps
        steps = []
        for step in (("migrate", "--noinput"), ("createcachetable",), ("load_catalog",), ("seed_demo",)):
            begun = time.monotonic()
            # seed_demo is refused in production: the demo data are seeded as a developer would.
            self.manage(*step, env=self.environment(PORTAL_ENV="development") if step[0] == "seed_demo" else None)
            steps.append(f"{step[0]} {time.monotonic() - begun:.0f} s")
        if static.wait() != 0:
            raise Failed(f"collectstatic: {(self.tmp / 'collectstatic.log').read_text()[-2000:]}")
        self.log(f"migrated, catalog loaded, demo seeded, static collected in {time.monotonic() - t:.1f} s"
                 f" ({', '.join(steps)})")

    def app_hosts(self) -> None:
        for key in ("a", "b"):
            self.start_host(key)
        for key in ("a", "b"):
            address = (self.host_ip[key], 8000)
            self.wait_for(f"host-{key}", lambda address=address: anonymous(address, "/healthz").status == 200)
        self.log("app hosts up: gunicorn -w 2 in each namespace")

    def gunicorn_options(self) -> list[str]:
        """gunicorn 27 opens a control socket at one path per user (~/.gunicorn): the drill's servers, which
        share this machine's file system, must not take each other's (or anyone else's)."""
        if not hasattr(self, "_gunicorn_options"):
            usage = self.run(BIN / "gunicorn", "--help", check=False)
            self._gunicorn_options = ["--no-control-socket"] if "--no-control-socket" in usage else []
        return self._gunicorn_options

    def start_host(self, key: str) -> None:
        self.start(f"host-{key}", BIN / "gunicorn", "portal.wsgi", "--workers", str(HOST_WORKERS), "--bind",
                   f"{self.host_ip[key]}:8000", "--access-logfile", self.tmp / f"access-{key}.log",
                   "--timeout", "30", *self.gunicorn_options(), env=self.environment(), netns=self.ns[key])

    def nginx(self) -> None:
        self.nginx_port = free_port()
        site = (ROOT / "deploy" / "nginx-portal.conf").read_text()
        # Only the lines marked "<- adapt" and the directories change; everything else is the shipped file.
        site, count = re.subn(r"server 10\.0\.0\.11:8000", f"server {self.host_ip['a']}:8000", site)
        site, count2 = re.subn(r"server 10\.0\.0\.12:8000", f"server {self.host_ip['b']}:8000", site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.nginx_port};")
        site = site.replace("server_name gk.example.gov.cn;", f"server_name {HOST};")
        site = site.replace("/srv/portal/staticfiles/", f"{self.tmp / 'var' / 'static'}/")
        site = site.replace("/srv/portal/media/", f"{self.tmp / 'media'}/")
        site, count3 = re.subn(r"proxy_pass http://10\.0\.0\.41:9000/;", f"proxy_pass {self.s3_endpoint}/;", site)
        # TLS ends in front of nginx here (the drill plays the platform's load balancer).
        site = site.replace("X-Forwarded-Proto $scheme", "X-Forwarded-Proto https")
        if (count, count2, count3) != (1, 1, 1):
            raise Failed("deploy/nginx-portal.conf no longer has the marked upstream and S3 lines the drill fills in")
        directory = self.tmp / "nginx"
        directory.mkdir()
        (directory / "site.conf").write_text(site)
        (directory / "nginx.conf").write_text(
            f"daemon off; pid {directory}/nginx.pid; error_log {directory}/error.log;\nevents {{}}\n"
            "http {\n"
            "  log_format drill '$status $request_uri $upstream_addr $upstream_status $body_bytes_sent';\n"
            f"  access_log {directory}/access.log drill;\n"
            f"  client_body_temp_path {directory}/body; proxy_temp_path {directory}/proxy;\n"
            f"  fastcgi_temp_path {directory}/fcgi; uwsgi_temp_path {directory}/uwsgi; scgi_temp_path {directory}/scgi;\n"
            f"  include /etc/nginx/mime.types; include {directory}/site.conf;\n}}\n"
        )
        self.start("nginx", NGINX, "-c", directory / "nginx.conf", "-p", directory)
        self.edge = ("127.0.0.1", self.nginx_port)
        self.wait_for("nginx", lambda: anonymous(self.edge, "/healthz").status == 200)
        self.log(f"nginx on 127.0.0.1:{self.nginx_port}, upstream {self.host_ip['a']} and {self.host_ip['b']}")

    # -------------------------------------------------------------- measures

    def replica_calls(self) -> int:
        """Statements the replica answered for the portal (its own health check and this count left out)."""
        return int(self.psql("replica", "portal",
                             "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d"
                             " ON d.oid = s.dbid WHERE d.datname = 'portal' AND query NOT ILIKE '%pg_is_in_recovery%'"
                             " AND query NOT ILIKE '%pg_last_wal%' AND query NOT ILIKE '%pg_stat_statements%'"))

    def access_lines(self, key: str) -> int:
        path = self.tmp / f"access-{key}.log"
        return sum(1 for _ in path.open()) if path.exists() else 0

    def on_host_a(self, code: str):
        """Run ``code`` in a Django shell in host A's namespace and environment; its last line of output
        is JSON."""
        out = self.manage("shell", "-c", OPS + code, netns=self.ns["a"])
        return json.loads(out.strip().splitlines()[-1])

    def wait_replica_caught_up(self) -> None:
        lsn = self.psql("primary", "portal", "SELECT pg_current_wal_lsn()")
        self.wait_for("replica replay", lambda: self.psql(
            "replica", "portal", f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t", 30)

    # -------------------------------------------------------------- the scenario

    def scenario(self) -> None:
        a, b, edge = (self.host_ip["a"], 8000), (self.host_ip["b"], 8000), self.edge
        hosts = {"host A": a, "host B": b, "nginx": edge}

        # Staff sign in on host A over HTTP (the same session is valid on B: sessions in the shared database).
        staff = Browser()
        staff.get(a, "/admin/login/")
        login = staff.request(a, "POST", "/admin/login/", {
            "csrfmiddlewaretoken": staff.cookies.get("csrftoken", ""), "username": "reviewer",
            "password": PASSWORD, "next": "/admin/"})
        self.check("staff (reviewer) signs in over HTTP on host A", login.status == 302 and "sessionid" in staff.cookies,
                   f"HTTP {login.status}")

        # Publish on host A while the replica's replay is paused: the replica is behind the write.
        self.psql("replica", "portal", "SELECT pg_wal_replay_pause()")
        t = time.monotonic()
        tag = uuid.uuid4().hex[:6]
        made, kept = self.on_host_a(
            f"print(json.dumps([publish('集群演练公告 {tag}'), publish('集群演练保留公告 {tag}')]))"
        )
        self.log(f"published on host A (review chain reviewer → secrecy → leader): {made['url']}"
                 f" ({time.monotonic() - t:.1f} s for two records)")
        admin_page = staff.get(b, made["admin_url"])
        self.check("read-your-writes: staff on host B see the record just published on A (replica paused)",
                   admin_page.status == 200 and made["title"] in admin_page.text and "已发布" in admin_page.text,
                   f"HTTP {admin_page.status}")
        fresh = {name: anonymous(address, made["url"]) for name, address in hosts.items()}
        self.check("anonymous readers on A, B and nginx see it at once although the replica is behind",
                   all(r.status == 200 and made["title"] in r.text for r in fresh.values()),
                   ", ".join(f"{n} {r.status}" for n, r in fresh.items()))
        self.psql("replica", "portal", "SELECT pg_wal_replay_resume()")
        self.wait_replica_caught_up()

        # Reads through each host and nginx; who answered them.
        served_before = {k: self.access_lines(k) for k in ("a", "b")}
        replica_before = self.replica_calls()
        pages = ["/", f"/org/{COUNTY}/", f"/org/{COUNTY}/{NODE}/", made["url"], kept["url"], "/search/?q=配租"]
        statuses = []
        for round_ in range(10):
            for path in pages:
                for address in (a, b, edge, edge):
                    statuses.append(anonymous(address, f"{path}{'&' if '?' in path else '?'}r={round_}").status)
        served = {k: self.access_lines(k) - served_before[k] for k in ("a", "b")}
        replica_reads = self.replica_calls() - replica_before
        self.log(f"{len(statuses)} anonymous page loads (each distinct, so rendered): "
                 f"{statuses.count(200)} answered 200")
        print(f"pages served by host A: {served['a']}, by host B: {served['b']}")
        print(f"reads answered by the replica: {replica_reads} statements")
        self.check("every page answered", statuses.count(200) == len(statuses))
        self.check("both hosts served pages through nginx", served["a"] > 20 and served["b"] > 20)
        self.check("anonymous public reads are answered by the replica", replica_reads > 0)
        staff_before = self.replica_calls()
        for _ in range(5):
            staff.get(b, made["admin_url"])
            staff.get(b, made["url"])
        staff_replica = self.replica_calls() - staff_before
        print(f"read-your-writes holding for staff: staff reads on the replica: {staff_replica}")
        self.check("staff requests read the primary only", staff_replica == 0, f"{staff_replica} replica statements")

        # The attachment through nginx: bytes from the object store via nginx, none from the app.
        direct = anonymous(a, made["file_url"])
        through = anonymous(edge, made["file_url"])
        digest = hashlib.sha256(through.body).hexdigest()
        self.check("the app answers the download with X-Accel-Redirect and no body",
                   direct.status == 200 and direct.body == b"" and "x-accel-redirect" in direct.headers,
                   f"HTTP {direct.status}, {len(direct.body)} bytes, X-Accel-Redirect "
                   f"{direct.headers.get('x-accel-redirect', '-')[:40]}…")
        self.check("nginx sends the attachment's bytes (same as stored in the bucket)",
                   through.status == 200 and digest == made["sha256"] and "x-accel-redirect" not in through.headers,
                   f"HTTP {through.status}, {len(through.body)} bytes")
        print(f"attachment bytes served by nginx: {len(through.body)}; by gunicorn: {len(direct.body)}")
        internal = anonymous(edge, "/_s3/portal-media/" + made["file_name"])
        self.check("the internal object-store location cannot be fetched from outside", internal.status == 404,
                   f"HTTP {internal.status}")

        # Withdrawal: warm every cache first, pause the replica again, withdraw on A, read everywhere at once.
        watched = [made["url"], f"/org/{COUNTY}/{NODE}/", made["file_url"]]
        for _ in range(2):
            for address in hosts.values():
                for path in watched:
                    anonymous(address, path)
        warm = anonymous(b, made["url"])
        self.check("the record's page is warm in the page cache", warm.status == 200 and made["title"] in warm.text)
        self.psql("replica", "portal", "SELECT pg_wal_replay_pause()")
        self.on_host_a(f"print(json.dumps(withdraw({made['pk']})))")
        stale = 0
        looked = 0
        for _ in range(3):
            for address in hosts.values():
                for path in watched:
                    answer = anonymous(address, path)
                    looked += 1
                    if answer.status == 200 and (path == made["file_url"] or made["title"] in answer.text):
                        stale += 1
        self.psql("replica", "portal", "SELECT pg_wal_replay_resume()")
        print(f"stale pages after withdrawal: {stale} (of {looked} looked at on A, B and nginx, replica paused)")
        self.check("no host serves the withdrawn record", stale == 0)
        self.wait_replica_caught_up()

        self.under_load(kept)
        self.replica_stopped()
        self.backup_restore(kept, made)

    def under_load(self, kept: dict) -> None:
        edge = self.edge
        paths = ["/", f"/org/{COUNTY}/", kept["url"], f"/org/{COUNTY}/{NODE}/", kept["file_url"]]
        stop = threading.Event()
        results: list[tuple[float, float, str]] = []  # (sent, answered, outcome)
        lock = threading.Lock()

        def client(n: int) -> None:
            i = 0
            while not stop.is_set():
                path = paths[i % len(paths)]
                if i % 3 == 0 and "files" not in path:
                    path += f"?load={n}-{i}"  # a third of them rendered, not from the cache
                sent = time.monotonic()
                try:
                    status = anonymous(edge, path, timeout=20).status
                    outcome = "ok" if status == 200 else f"HTTP {status}"
                except http.client.IncompleteRead:
                    outcome = "cut off"  # the status line and headers came, the body stopped short
                except (OSError, http.client.HTTPException) as error:
                    outcome = type(error).__name__
                with lock:
                    results.append((sent, time.monotonic(), outcome))
                i += 1

        before = {k: self.access_lines(k) for k in ("a", "b")}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, n) for n in range(8)]
            time.sleep(3)
            killed_at = time.monotonic()
            self.kill("host-a", signal.SIGKILL)
            self.log("host A killed (SIGKILL to gunicorn and its workers) under load")
            time.sleep(5)
            stop.set()
            for future in futures:
                future.result()
        # A response host A had begun to send when it was killed cannot be saved by any proxy: nginx has
        # passed its status line on and cannot start again on host B. Such a cut-off is allowed only for a
        # request in flight at the kill, at most one per worker of host A (sync workers: one request
        # each). Every other request must be answered 200, however it was routed.
        in_flight = [r for r in results if r[0] <= killed_at <= r[1]]
        cut_at_kill = sum(1 for r in in_flight if r[2] == "cut off")
        failed = [r for r in results if r[2] != "ok" and not (r in in_flight and r[2] == "cut off")]
        after_kill = sum(1 for sent, _answered, _o in results if sent >= killed_at)
        served = {k: self.access_lines(k) - before[k] for k in ("a", "b")}
        print(f"load through nginx: {len(results)} requests by 8 clients in 8 s ({after_kill} sent after host A"
              f" was killed, {len(in_flight)} in flight at the kill); host A served {served['a']},"
              f" host B {served['b']}")
        print(f"failed client requests while one app host is stopped: {len(failed)}"
              f"{' (' + ', '.join(sorted({o for _s, _a, o in failed})) + ')' if failed else ''};"
              f" responses cut off by the kill itself: {cut_at_kill}")
        self.check("0 failed client requests with host A killed (nginx retries host B)",
                   not failed and after_kill > 0 and cut_at_kill <= HOST_WORKERS)

    def replica_stopped(self) -> None:
        b = (self.host_ip["b"], 8000)
        primary_before = self.primary_calls()
        self.run(self.pg / "pg_ctl", "-D", self.tmp / "pg-replica", "-m", "fast", "-w", "stop", user="postgres")
        stopped = time.monotonic()
        first_ok = None
        failures = late_failures = 0
        for i in range(200):
            try:
                answer = anonymous(self.edge, f"/org/{COUNTY}/?after-replica={i}", timeout=20)
                ok = answer.status == 200
            except OSError:
                ok = False
            if ok and first_ok is None:
                first_ok = time.monotonic() - stopped
            failures += not ok
            late_failures += not ok and first_ok is not None
            if time.monotonic() - stopped > 5:
                break
            time.sleep(0.05)
        direct = anonymous(b, f"/org/{COUNTY}/?after-replica=direct")
        primary_reads = self.primary_calls() - primary_before
        print(f"replica stopped: first public page after {first_ok if first_ok is not None else float('nan'):.2f} s,"
              f" {failures} failed page loads in the following {time.monotonic() - stopped:.0f} s;"
              f" the primary answered {primary_reads} statements")
        self.check("with the replica stopped, public pages answer from the primary within seconds",
                   first_ok is not None and first_ok < 5 and not late_failures and direct.status == 200
                   and primary_reads > 0, f"{failures} failures, {late_failures} after the first page")

    def primary_calls(self) -> int:
        return int(self.psql("primary", "portal",
                             "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d"
                             " ON d.oid = s.dbid WHERE d.datname = 'portal'"
                             " AND query NOT ILIKE '%pg_stat_statements%'"))

    def backup_restore(self, kept: dict, made: dict) -> None:
        t = time.monotonic()
        backup_env = {**self.environment(), "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port['primary']}/portal"}
        made_files = self.run(ROOT / "deploy" / "backup.sh", self.tmp / "backup", env=backup_env).split()
        self.psql("primary", "postgres", "CREATE DATABASE restored")
        restore_env = {**backup_env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port['primary']}/restored",
                       "S3_BUCKET": "portal-restored"}
        self.run(ROOT / "deploy" / "restore.sh", *made_files, env=restore_env)
        objects = self.s3.list_objects_v2(Bucket="portal-restored").get("KeyCount", 0)
        self.log(f"backup taken and restored into an empty database and an empty bucket ({objects} objects)"
                 f" in {time.monotonic() - t:.1f} s")
        port = free_port()
        env = self.environment(DATABASE_URL=restore_env["DATABASE_URL"], DATABASE_REPLICA_URL=None,
                               REDIS_URL=f"redis://{self.service_ip}:{self.redis_port}/1", S3_BUCKET="portal-restored",
                               DOWNLOAD_OFFLOAD="")
        self.start("restored", BIN / "gunicorn", "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                   *self.gunicorn_options(), env=env)
        restored = ("127.0.0.1", port)
        self.wait_for("restored", lambda: anonymous(restored, "/healthz").status == 200)
        paths = ["/", f"/org/{COUNTY}/", f"/org/{COUNTY}/{NODE}/", kept["url"], made["url"], "/sitemap.xml",
                 "/search/?q=配租"]
        differ = []
        for path in paths:
            one, other = anonymous(self.edge, path), anonymous(restored, path)
            if (one.status, normalise(one.body)) != (other.status, normalise(other.body)):
                differ.append(f"{path} ({one.status}/{other.status})")
                (self.tmp / f"diff-{len(differ)}-cluster.html").write_bytes(one.body)
                (self.tmp / f"diff-{len(differ)}-restored.html").write_bytes(other.body)
        via_cluster = anonymous(self.edge, kept["file_url"]).body
        via_restored = anonymous(restored, kept["file_url"]).body
        print(f"restored portal: {len(paths) - len(differ)} of {len(paths)} public pages the same"
              f" (modulo CSRF tokens and nonces); attachment {'same' if via_cluster == via_restored else 'DIFFERENT'}"
              f" ({len(via_restored)} bytes)")
        self.check("the restored portal shows the same public pages and attachment",
                   not differ and via_cluster == via_restored and len(via_restored) > 0, "; ".join(differ))


def normalise(body: bytes) -> bytes:
    body = re.sub(rb'(name="csrfmiddlewaretoken" value=")[^"]*', rb"\1", body)
    # The search page's popular words are counted per search and cached for ten minutes on their own:
    # the cluster's copy predates the drill's searches, the restored portal's does not.
    body = re.sub(rb'<p class="popular-terms">.*?</p>', b"", body, flags=re.S)
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', body)


# Run in host A's Django shell (manage.py shell -c): the demo's own accounts and review chain.
OPS = r'''
import hashlib, json
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from catalog.models import CatalogNode, Organisation
from disclosure.records import services
from disclosure.records.demo import demo_pdf, review_through_chain
from disclosure.records.models import Record

User = get_user_model()

def publish(title):
    county = Organisation.objects.get(code="419901")
    editor, reviewer = User.objects.get(username="editor"), User.objects.get(username="reviewer")
    record = services.record_create(
        user=editor, organisation=county, node=CatalogNode.objects.get(code="020503"), title=title,
        document_number="清建〔2026〕99号", issuing_body=county.name, written_on="2026-03-02",
        formed_on="2026-03-02", record_type="result", openness="proactive", body="<p>集群演练。</p>")
    pdf = demo_pdf(title, ["集群演练附件。"] * 40)
    attachment = services.attachment_add(user=editor, record=record, upload=ContentFile(pdf, name="名单.pdf"))
    services.record_submit(user=editor, record=record)
    record = review_through_chain(Record.objects.get(pk=record.pk))
    record = services.record_publish(user=reviewer, record=record)
    return {"pk": record.pk, "title": title, "url": record.get_absolute_url(),
            "admin_url": f"/admin/{record._meta.app_label}/{record._meta.model_name}/{record.pk}/change/",
            "file_url": f"/org/419901/doc/{record.index_serial}/files/{attachment.pk}/",
            "file_name": attachment.file.name, "sha256": hashlib.sha256(pdf).hexdigest()}

def withdraw(pk):
    record = services.record_withdraw(user=User.objects.get(username="reviewer"), record=Record.objects.get(pk=pk),
                                      reason="集群演练撤回", public_notice=False)
    return {"status": record.status}
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs) afterwards")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("the cluster drill needs root (network namespaces, the postgres user)", file=sys.stderr)
        return 2
    drill = Drill(keep=args.keep)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    error = None
    try:
        drill.network()
        drill.postgres()
        drill.redis_and_s3()
        drill.seed()
        drill.app_hosts()
        drill.nginx()
        drill.scenario()
    except (Failed, Exception, KeyboardInterrupt) as failure:  # noqa: BLE001 - report, clean up, fail
        error = failure
        traceback.print_exc()
        if not isinstance(failure, Failed | KeyboardInterrupt):
            for name in drill.processes:
                log = drill.tmp / f"{name}.log"
                if log.exists() and log.stat().st_size:
                    print(f"--- {name}.log (end)\n{log.read_text()[-1500:]}", file=sys.stderr)
    finally:
        drill.cleanup()
    failed = [label for label, ok, _d in drill.checks if not ok]
    print(f"cluster drill: {len(drill.checks) - len(failed)} checks passed, {len(failed)} failed"
          f"{', stopped early: ' + str(error).splitlines()[0] if error else ''}"
          f" ({time.monotonic() - drill.started:.0f} s)")
    return 1 if failed or error else 0


if __name__ == "__main__":
    sys.exit(main())
