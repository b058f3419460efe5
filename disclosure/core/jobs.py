"""Jobs that run by themselves: one loop (``manage.py run_jobs``) runs every periodic job, on any number
of hosts at once, without cron.

Why a loop of our own rather than a scheduler library. What the portal needs is small: a handful of jobs,
each every N seconds, each run once across all hosts, its last run visible on the dashboard. The maintained
candidates either need another service (huey: Redis, or a SQLite file one host can see; Celery beat: a
broker), or are not safe with several schedulers on one store (APScheduler 3 documents that a job store
must not be shared; 4.x, which allows it, is a pre-release not for production; django-apscheduler inherits
the limit), or bring a whole task queue with pickled tasks and admin screens in English (django-q2's ORM
broker). One table and a compare-and-set UPDATE do the job on SQLite and PostgreSQL alike.

How a run is claimed. Each job has one ``JobSlot`` row. A runner claims a run with one conditional UPDATE:
"set the lease to me, if the job is due and nobody holds an unexpired lease". The database serialises two
such UPDATEs on the same row (PostgreSQL re-checks the WHERE clause on the row the first one committed;
SQLite has one writer at a time), so of several hosts exactly one wins the slot; the others see 0 rows and
move on. That is the same compare-and-set as ``core.transitions.claim``. A runner that dies mid-run keeps
the slot until its lease expires; then another takes over. The items a job handles are claimed once more,
one by one, by the services it calls (``move()`` for a record or a consultation, the DeadlineNotice row
for a reminder), so even an overlap after a lease expired publishes and sends each thing once.

The jobs themselves are listed in disclosure/jobs.py (this kernel imports no feature).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, close_old_connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """A job ran but did not fully succeed (e.g. some e-mails failed); the message says what, in Chinese."""


@dataclass(frozen=True)
class Job:
    """One periodic job: ``run(now)`` does the work through the services and returns a short Chinese summary
    ("发布 2 条"); it raises ``JobFailed`` (or anything else) when the run failed.

    ``stale_after``: the dashboard warns when the job has not finished a run for this long (default: three
    intervals, at least ten minutes). ``lease``: how long a claimed run may take before another host may take
    it over (default: the interval, at least five minutes)."""

    name: str
    label: str
    interval: timedelta
    run: Callable[[datetime], str]
    stale_after: timedelta | None = None
    lease: timedelta | None = None

    @property
    def warn_after(self) -> timedelta:
        return self.stale_after or max(self.interval * 3, timedelta(minutes=10))

    @property
    def lease_for(self) -> timedelta:
        return self.lease or max(self.interval, timedelta(minutes=5))


class JobSlot(models.Model):
    """The run slot of one periodic job, shared by every host that runs jobs.

    Invariants: one row per job name (unique). While ``lease_until`` lies in the future, the host named in
    ``leased_by`` is running the job and no other host starts it; a run is started only when ``due_at`` has
    passed. Written only by this module, through compare-and-set UPDATEs.
    """

    name = models.CharField(_("任务"), max_length=60, unique=True)
    due_at = models.DateTimeField(_("下次运行时间"), null=True, blank=True)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    leased_by = models.CharField(_("运行主机"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("最近开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("最近完成时间"), null=True, blank=True)
    succeeded = models.BooleanField(_("最近运行成功"), null=True, blank=True)
    summary = models.TextField(_("最近运行结果"), blank=True)
    last_success_at = models.DateTimeField(_("最近成功时间"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self):
        return self.name


def runner_name() -> str:
    """Who holds a lease: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_run(job: Job, *, now: datetime, owner: str) -> bool:
    """Take the job's slot for one run if it is due and free; True if this caller won it."""
    try:
        with transaction.atomic():
            JobSlot.objects.get_or_create(name=job.name)
    except IntegrityError:
        pass  # another host created the row at the same moment
    won = (
        JobSlot.objects.filter(name=job.name)
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(lease_until=now + job.lease_for, leased_by=owner[:200], started_at=now)
    )
    return won == 1


def finish_run(job: Job, *, started: datetime, owner: str, succeeded: bool, summary: str) -> None:
    """Record the result and free the slot; the next run is due one interval after this one started.

    Only the holder's own run is recorded: if the lease ran out and another host took the slot meanwhile,
    that host's run is the one the dashboard shows."""
    finished = timezone.now()
    values = {
        "lease_until": None,
        "finished_at": finished,
        "succeeded": succeeded,
        "summary": summary[:4000],
        "due_at": started + job.interval,
        "runs": models.F("runs") + 1,
    }
    if succeeded:
        values["last_success_at"] = finished
    JobSlot.objects.filter(name=job.name, leased_by=owner[:200], started_at=started).update(**values)


def run_job(job: Job, *, now: datetime, owner: str) -> bool | None:
    """Run ``job`` once if this caller wins its slot: True/False for success/failure, None if not run."""
    if not claim_run(job, now=now, owner=owner):
        return None
    try:
        summary = str(job.run(now))
        succeeded = True
    except JobFailed as failure:
        summary, succeeded = str(failure), False
        logger.warning("定时任务 %s 未全部成功：%s", job.name, failure)
    except Exception as error:  # noqa: BLE001 - one failing job must not stop the others; it is recorded
        logger.exception("定时任务 %s 运行出错", job.name)
        summary = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"
        succeeded = False
    finish_run(job, started=now, owner=owner, succeeded=succeeded, summary=summary)
    return succeeded


def run_due_jobs(jobs: Iterable[Job], *, owner: str, now: Callable[[], datetime] = timezone.now) -> dict[str, bool]:
    """One pass: every job that is due and not held by another host, each in turn. Returns the jobs run."""
    ran = {}
    for job in jobs:
        outcome = run_job(job, now=now(), owner=owner)
        if outcome is not None:
            ran[job.name] = outcome
    return ran


def run_forever(jobs: Sequence[Job], *, tick: float, should_stop: Callable[[], bool], owner: str | None = None) -> None:
    """The runner's loop: a pass every ``tick`` seconds until ``should_stop()``; a database outage is logged
    and retried on the next pass rather than ending the loop."""
    owner = owner or runner_name()
    while not should_stop():
        close_old_connections()
        try:
            run_due_jobs(jobs, owner=owner)
        except Exception:  # noqa: BLE001 - e.g. the database is briefly unreachable; try again next tick
            logger.exception("定时任务运行器本轮出错，将在下一轮重试")
        slept = 0.0
        while slept < tick and not should_stop():
            time.sleep(min(0.2, tick - slept))
            slept += 0.2


@dataclass(frozen=True)
class JobStatus:
    """One line of the dashboard's job panel."""

    name: str
    label: str
    interval: timedelta
    finished_at: datetime | None
    succeeded: bool | None
    summary: str
    running_since: datetime | None
    overdue: bool


def job_statuses(jobs: Iterable[Job], *, now: datetime | None = None) -> list[JobStatus]:
    """Each job's last run, and whether it is overdue (no successful run for longer than ``warn_after``)."""
    now = now or timezone.now()
    jobs = list(jobs)
    slots = {slot.name: slot for slot in JobSlot.objects.filter(name__in=[job.name for job in jobs])}
    rows = []
    for job in jobs:
        slot = slots.get(job.name)
        last_success = slot.last_success_at if slot else None
        running = slot.started_at if slot and slot.lease_until and slot.lease_until > now else None
        rows.append(
            JobStatus(
                name=job.name,
                label=str(job.label),
                interval=job.interval,
                finished_at=slot.finished_at if slot else None,
                succeeded=slot.succeeded if slot else None,
                summary=(slot.summary if slot else "").splitlines()[0] if slot and slot.summary else "",
                running_since=running,
                overdue=last_success is None or now - last_success > job.warn_after,
            )
        )
    return rows
