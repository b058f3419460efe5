"""The periodic jobs across real processes: `manage.py run_jobs` as `make run` and the systemd unit start it.

- Two runners on the same database (two hosts): every scheduled record is published exactly once.
- A runner beside gunicorn: a record scheduled a few seconds ahead appears on the public column page and
  its own page within the job's interval, with no other command.

The processes use the test database pytest created (a file on SQLite, or PostgreSQL), so these tests are
transactional: what they write is committed and the processes see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from disclosure.core.access import Role
from disclosure.core.jobs import JobSlot
from disclosure.records import services
from disclosure.records.models import AuditEntry, Record, Status
from tests.factories import make_staff, record_fields
from tests.portal.test_rate_limits_across_workers import request
from tests.servers import GUNICORN, database_url, free_port, stop

COUNTY = "419901"
NODE = "020503"  # 保障性住房 › 配给管理 › 配租（分配）结果, county level


def environment(tmp_path: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DEBUG", "ALLOWED_HOSTS"} and not k.startswith(("S3_", "MEDIA_"))
    }
    env.update(
        PORTAL_ENV="test",
        PORTAL_VAR_DIR=str(tmp_path),
        SECRET_KEY="jobs-test-" + "x" * 40,
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)


def runner(env: dict, log: Path, *, interval: float) -> subprocess.Popen:
    return start(
        [
            sys.executable, "manage.py", "run_jobs", "--only", "publish_scheduled",
            "--interval", f"publish_scheduled={interval}", "--tick", "0.2",
        ],
        env,
        log,
    )


@pytest.fixture
def desk(transactional_db, standard_catalog, county):
    from catalog.models import CatalogNode

    editor = make_staff(county, Role.EDITOR)
    reviewer = make_staff(county, Role.REVIEWER)
    node = CatalogNode.objects.get(code=NODE)

    def schedule(title: str, seconds_ahead: float) -> Record:
        record = services.record_create(user=editor, organisation=county, node=node, **record_fields(title=title))
        record = services.record_submit(user=editor, record=record)
        record = services.record_approve(
            user=reviewer, record=record, confidentiality_checked=True, openness_checked=True
        )
        return services.record_publish(
            user=reviewer, record=record, publish_at=timezone.now() + timedelta(seconds=seconds_ahead)
        )

    return schedule


@pytest.mark.long
def test_two_runners_publish_each_scheduled_record_once(desk, tmp_path):
    """Two hosts' runners, polling every 0.2 s with a 0.3 s interval, over records falling due one after
    another: every record is published, each by exactly one run (one publish_due log entry), and the job's
    slot was taken by both runners at some point."""
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith((":memory:", "file:")):
        pytest.skip("the SQLite test database lives in memory; other processes cannot share it")
    records = [desk(f"关于第{n}批公租房配租结果的公告", 4 + n * 0.5) for n in range(6)]
    assert all(record.status == Status.SCHEDULED for record in records)
    env = environment(tmp_path)
    logs = [tmp_path / "runner-a.log", tmp_path / "runner-b.log"]
    processes = [runner(env, log, interval=0.3) for log in logs]
    owners = set()
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            slot = JobSlot.objects.filter(name="publish_scheduled").first()
            if slot and slot.leased_by:
                owners.add(slot.leased_by)
            # Until both runners were seen holding the slot, not only until the last record is out: on a
            # loaded machine one runner can take every due record, and the other's turn comes after.
            done = not Record.objects.filter(pk__in=[r.pk for r in records], status=Status.SCHEDULED).exists()
            if done and len(owners) >= len(processes):
                break
            time.sleep(0.05)
    finally:
        codes = [stop(process) for process in processes]
    output = "\n".join(log.read_text() for log in logs)
    assert codes == [0, 0], output
    assert "定时任务运行器已停止" in output
    published = Record.objects.filter(pk__in=[r.pk for r in records])
    assert sorted(published.values_list("status", flat=True)) == [Status.PUBLISHED] * 6, output
    for record in published:
        assert AuditEntry.objects.filter(record=record, action="publish_due").count() == 1
        assert record.published_at == record.publish_at
    assert len({r.index_number for r in published}) == 6
    pids = {str(p.pid) for p in processes}
    assert {owner.rsplit(":", 1)[1] for owner in owners} == pids, owners


@pytest.mark.long
def test_a_record_scheduled_ahead_goes_public_under_the_runner_with_no_other_command(desk, tmp_path):
    """`make run` in miniature: gunicorn and run_jobs (publish_scheduled every 2 s). A record scheduled 5 s
    ahead is not on the public column page before its time and is there, with its own page answering,
    within the interval after it (polled for at most 30 s)."""
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith((":memory:", "file:")):
        pytest.skip("the SQLite test database lives in memory; other processes cannot share it")
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed next to {sys.executable}")
    title = "关于2026年第三批公租房配租结果的公告"
    env = environment(tmp_path)
    port = free_port()
    web = start(
        [str(GUNICORN), "portal.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"], env, tmp_path / "web.log"
    )
    jobs = runner(env, tmp_path / "jobs.log", interval=2)
    column = f"/org/{COUNTY}/{NODE}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _headers, body = request(port, "GET", column)
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
                time.sleep(0.2)
        assert status == 200
        # Scheduled once both have started (a loaded machine may take seconds to start Django), so that
        # the time measured below is the runner's interval, not its start-up.
        while "定时任务运行器已启动" not in (tmp_path / "jobs.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "jobs.log").read_text()
            time.sleep(0.2)
        record = desk(title, 5)
        status, _headers, body = request(port, "GET", column)
        assert status == 200
        assert title not in body or timezone.now() >= record.publish_at
        deadline = time.monotonic() + 30
        while title not in body:
            assert time.monotonic() < deadline, (tmp_path / "jobs.log").read_text()
            time.sleep(0.5)
            status, _headers, body = request(port, "GET", column)
        seen_at = timezone.now()
        record.refresh_from_db()
        assert record.status == Status.PUBLISHED
        assert seen_at - record.publish_at < timedelta(seconds=2 + 5)  # the interval, plus polling and startup
        status, _headers, page = request(port, "GET", record.get_absolute_url())
        assert status == 200 and title in page
        assert JobSlot.objects.get(name="publish_scheduled").summary.startswith("发布 1 条")
    finally:
        stop(jobs)
        stop(web)


def test_two_hosts_starting_the_reminders_at_once_send_each_reminder_once(transactional_db, county, tmp_path):
    """Two hosts start `run_jobs --once` for the reminders at the same moment, over three major concerns whose
    5-hour limit has passed: one host wins the run, the other runs nothing, and the e-mails printed (the
    console mail backend) are exactly the reminder rows, one per deadline."""
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith((":memory:", "file:")):
        pytest.skip("the SQLite test database lives in memory; other processes cannot share it")
    from disclosure.concerns import services as concerns
    from disclosure.concerns.models import ConcernSource, Severity
    from disclosure.core.models import DeadlineNotice

    editor = make_staff(county, Role.EDITOR, email="zhang@example.org")
    for n in range(3):
        concerns.concern_create(
            user=editor,
            organisation=county,
            title=f"关于小区燃气管道泄漏的网络舆情（第{n + 1}起）",
            severity=Severity.MAJOR,
            arose_at=timezone.now() - timedelta(hours=6),
            source=ConcernSource.ONLINE,
            responsible_staff=[editor],
        )
    env = environment(tmp_path)
    env.pop("EMAIL_HOST", None)
    logs = [tmp_path / "host-a.log", tmp_path / "host-b.log"]
    argv = [sys.executable, "manage.py", "run_jobs", "--once", "--only", "check_deadlines"]
    processes = [start(argv, env, log) for log in logs]
    codes = [process.wait(timeout=60) for process in processes]
    outputs = [log.read_text() for log in logs]
    assert codes == [0, 0], outputs
    assert sorted("本轮运行了 1 个任务" in output for output in outputs) == [False, True], outputs
    notices = DeadlineNotice.objects.filter(source="concern")
    assert notices.count() >= 3 and all(notice.sent_at for notice in notices)
    assert sum(output.count("\nSubject: ") for output in outputs) == notices.count(), outputs


def test_overlapping_runs_without_the_slot_still_publish_each_record_once(desk, tmp_path):
    """The second line of defence, for a run that overlaps another after a lease ran out: two processes
    running the publication service itself at once (`manage.py publish_scheduled`, which takes no slot) over
    the same due records publish each record once, by one of them."""
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith((":memory:", "file:")):
        pytest.skip("the SQLite test database lives in memory; other processes cannot share it")
    records = [desk(f"关于第{n}批棚户区改造安置房分配结果的公告", 1) for n in range(8)]
    time.sleep(1.5)
    env = environment(tmp_path)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    argv = [sys.executable, "manage.py", "publish_scheduled"]
    processes = [start(argv, env, log) for log in logs]
    assert [process.wait(timeout=60) for process in processes] == [0, 0]
    counts = [int(log.read_text().split("本次发布了 ")[1].split(" ")[0]) for log in logs]
    assert sum(counts) == 8, counts
    for record in Record.objects.filter(pk__in=[r.pk for r in records]):
        assert record.status == Status.PUBLISHED
        assert AuditEntry.objects.filter(record=record, action="publish_due").count() == 1
