"""The periodic jobs' slots (disclosure/core/jobs.py), the job list (disclosure/jobs.py), the run_jobs command
and the dashboard's 定时任务 panel, against the real database. The runs across real processes are in
tests/disclosure/test_jobs_processes.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from disclosure.core.access import Role
from disclosure.core.jobs import Job, JobFailed, JobSlot, claim_run, finish_run, job_statuses, run_due_jobs, run_job
from disclosure.jobs import JOBS
from tests.factories import make_staff

MINUTE = timedelta(minutes=1)


def counting_job(calls, *, name="count", interval=MINUTE, fail=None):
    def run(now):
        calls.append(now)
        if fail is not None:
            raise fail
        return f"第 {len(calls)} 次"

    return Job(name, "计数任务", interval=interval, run=run)


@pytest.mark.django_db
def test_a_slot_is_won_by_one_claimant_only():
    """Two hosts claiming the same due run: the first wins, the second is told no and runs nothing."""
    job = counting_job([])
    now = timezone.now()
    assert claim_run(job, now=now, owner="host-a:1") is True
    assert claim_run(job, now=now, owner="host-b:2") is False
    slot = JobSlot.objects.get(name="count")
    assert slot.leased_by == "host-a:1" and slot.lease_until == now + job.lease_for


@pytest.mark.django_db
def test_a_job_runs_again_only_after_its_interval():
    """After a run, the next one is due an interval after that run started, whichever host asks."""
    calls = []
    job = counting_job(calls)
    start = timezone.now()
    assert run_job(job, now=start, owner="a:1") is True
    assert run_job(job, now=start + timedelta(seconds=59), owner="b:2") is None
    assert run_job(job, now=start + MINUTE, owner="b:2") is True
    assert calls == [start, start + MINUTE]
    slot = JobSlot.objects.get(name="count")
    assert slot.runs == 2 and slot.succeeded is True and slot.summary == "第 2 次" and slot.lease_until is None


@pytest.mark.django_db
def test_a_dead_runners_slot_is_taken_over_when_its_lease_ends():
    """A runner that died mid-run holds the slot until its lease ends; then another host runs the job, and
    the dead runner's late report does not overwrite the new run's result."""
    calls = []
    job = counting_job(calls)
    start = timezone.now()
    assert claim_run(job, now=start, owner="dead:1")
    assert run_job(job, now=start + job.lease_for - timedelta(seconds=1), owner="b:2") is None
    assert run_job(job, now=start + job.lease_for, owner="b:2") is True
    finish_run(job, started=start, owner="dead:1", succeeded=False, summary="迟到的结果")
    slot = JobSlot.objects.get(name="count")
    assert slot.succeeded is True and slot.summary == "第 1 次" and slot.runs == 1


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run():
    """An exception in one job is recorded as its failed run; the next job of the pass runs anyway."""
    broken = counting_job([], name="broken", fail=RuntimeError("数据库暂时不可用"))
    partial = counting_job([], name="partial", fail=JobFailed("发送 1 条时限提醒，1 条发送失败"))
    calls = []
    fine = counting_job(calls, name="fine")
    assert run_due_jobs([broken, partial, fine], owner="a:1") == {"broken": False, "partial": False, "fine": True}
    slots = {slot.name: slot for slot in JobSlot.objects.all()}
    assert slots["broken"].succeeded is False and "数据库暂时不可用" in slots["broken"].summary
    assert slots["partial"].summary == "发送 1 条时限提醒，1 条发送失败"
    assert slots["broken"].last_success_at is None and slots["fine"].last_success_at is not None
    assert slots["broken"].lease_until is None  # a failed run frees its slot too


@pytest.mark.django_db
def test_statuses_warn_when_a_job_has_not_succeeded_for_too_long():
    """Never run, or no success for longer than warn_after: overdue. A recent success: not overdue."""
    job = counting_job([], interval=MINUTE)
    now = timezone.now()
    assert job_statuses([job], now=now)[0].overdue is True  # never ran
    run_job(job, now=now, owner="a:1")
    assert job_statuses([job], now=now + timedelta(minutes=9))[0].overdue is False
    status = job_statuses([job], now=now + timedelta(minutes=11))[0]
    assert status.overdue is True and status.succeeded is True and status.summary == "第 1 次"


@pytest.mark.django_db
def test_run_jobs_once_runs_every_listed_job_then_waits_for_the_interval(capsys):
    """`run_jobs --once` runs each job of disclosure/jobs.py once; a second pass at once runs none."""
    call_command("run_jobs", "--once")
    assert set(JobSlot.objects.filter(succeeded=True).values_list("name", flat=True)) == {job.name for job in JOBS}
    assert "发布 0 条到期的定时发布信息" in JobSlot.objects.get(name="publish_scheduled").summary
    call_command("run_jobs", "--once")
    assert "本轮运行了 0 个任务" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments",
    [["--only", "nonexistent"], ["--interval", "publish_scheduled=abc"], ["--interval", "publish_scheduled=0"], ["--tick", "0"]],
)
def test_run_jobs_refuses_bad_options_in_chinese(arguments):
    with pytest.raises(CommandError, match="[\u4e00-\u9fff]"):
        call_command("run_jobs", "--once", *arguments)
    assert not JobSlot.objects.exists()


def test_every_job_has_a_distinct_name_and_a_chinese_label():
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(job.label)) for job in JOBS)


@pytest.mark.django_db
def test_the_admin_home_shows_each_jobs_last_run_and_warns_of_a_stale_one(client, county):
    """The dashboard lists every job with its last run time and result; a job that never ran is flagged."""
    call_command("run_jobs", "--once", "--only", "publish_scheduled", "--only", "check_deadlines")
    JobSlot.objects.filter(name="check_deadlines").update(last_success_at=timezone.now() - timedelta(hours=2))
    client.force_login(make_staff(county, Role.EDITOR))
    page = client.get("/admin/").content.decode()
    panel = page[page.index('id="jobs-module"'):]
    panel = panel[: panel.index("</table>")]
    for job in JOBS:
        assert job.label in panel
    when = timezone.localtime(JobSlot.objects.get(name="publish_scheduled").finished_at).strftime("%m-%d %H:%M")
    assert when in panel and "发布 0 条到期的定时发布信息" in panel and "成功" in panel
    rows = {job.label: row for job in JOBS for row in panel.split("<tr")[1:] if job.label in row}
    assert "长时间未成功运行" in rows["时限提醒"]
    assert "从未运行" in rows["意见征集到期结束"]
    assert "请检查" not in rows["定时发布"]
