"""The periodic jobs of every duty: the one place that lists them (``manage.py run_jobs`` runs them).

Like reminders.py, this module composes features; the loop, the claim of each run and the dashboard's
status live in disclosure/core/jobs.py. Adding a job is one line in ``JOBS``: a name (stable, it keys
the job's row in the database), a Chinese label for the dashboard, an interval, and a function
``run(now) -> str`` that does the work through the feature's services and returns a short summary; raise
``JobFailed`` for a partial failure. Daily jobs (expiry of validity, end of a 公示期, link checks, word
scans) are written with ``interval=DAILY``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from disclosure.applications.services import applications_purge_expired
from disclosure.consultations.services import close_due_consultations
from disclosure.core.jobs import Job, JobFailed
from disclosure.records import site_checks
from disclosure.records.publicity import public_notices_end_due
from disclosure.records.services import publish_due_records
from disclosure.records.validity import validity_update_all
from disclosure.reminders import send_deadline_reminders
from disclosure.subscriptions.services import send_digests

MINUTE = timedelta(minutes=1)
HOURLY = timedelta(hours=1)
DAILY = timedelta(days=1)


def publish_scheduled(now: datetime) -> str:
    published = publish_due_records(now=now)
    return f"发布 {len(published)} 条到期的定时发布信息"


def close_consultations(now: datetime) -> str:
    closed = close_due_consultations(now=now)
    return f"结束 {len(closed)} 项意见征集"


def check_deadlines(now: datetime) -> str:
    outcome = send_deadline_reminders(now=now)
    summary = f"发送 {len(outcome.sent)} 条时限提醒"
    if outcome.without_recipients:
        summary += f"，{len(outcome.without_recipients)} 项无人接收（请指定责任人）"
    if outcome.failed:
        raise JobFailed(f"{summary}，{len(outcome.failed)} 条发送失败，将在下次运行时重试")
    return summary


def purge_applicant_data(now: datetime) -> str:
    retention = settings.APPLICATION_RETENTION_DAYS
    purged = applications_purge_expired(now=now, retention_days=retention)
    # Counts only: never an applicant's name or a tracking code.
    return f"清除 {purged} 件办结超过 {retention} 天的申请的申请人个人信息"


def update_validity(now: datetime) -> str:
    changed = validity_update_all(today=timezone.localdate(now))
    return f"{len(changed)} 件政策文件的有效性按施行日期、有效期和修改废止关系更新"


def end_public_notices(now: datetime) -> str:
    ended = public_notices_end_due(now=now)
    return f"{len(ended)} 项公示期满，已按发布时的选择处理"


def check_site(now: datetime) -> str:
    links = site_checks.check_published_links()
    wording = site_checks.check_published_wording()
    return f"检查 {links.records} 条信息，链接和附件问题 {len(links.findings)} 处，错敏词 {len(wording)} 处"


def digests(now: datetime) -> str:
    return f"发送订阅摘要邮件 {send_digests(now=now)} 封"


JOBS: tuple[Job, ...] = (
    Job("publish_scheduled", "定时发布", interval=MINUTE, run=publish_scheduled),
    Job("close_consultations", "意见征集到期结束", interval=5 * MINUTE, run=close_consultations),
    Job("check_deadlines", "时限提醒", interval=5 * MINUTE, run=check_deadlines),
    Job("purge_applicant_data", "申请人个人信息到期清除", interval=DAILY, run=purge_applicant_data),
    Job("update_validity", "政策文件有效性更新", interval=HOURLY, run=update_validity),
    Job("end_public_notices", "公示期满处理", interval=15 * MINUTE, run=end_public_notices),
    Job("check_site", "链接与错敏词检查", interval=DAILY, run=check_site),
    Job("send_digests", "订阅摘要邮件", interval=DAILY, run=digests),
)
