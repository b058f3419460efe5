import dataclasses
import signal
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from disclosure.core.jobs import run_due_jobs, run_forever, runner_name
from disclosure.jobs import JOBS


def _interval(text: str) -> tuple[str, timedelta]:
    name, _sep, seconds = text.partition("=")
    try:
        value = float(seconds)
    except ValueError:
        raise CommandError(f"--interval 的格式应为 任务名=秒数，收到“{text}”。") from None
    if value <= 0:
        raise CommandError(f"--interval 的秒数应为正数，收到“{text}”。")
    return name.strip(), timedelta(seconds=value)


class Command(BaseCommand):
    help = (
        "运行全部定时任务（定时发布、意见征集到期结束、时限提醒、申请人个人信息到期清除等，见 disclosure/jobs.py），"
        "按各自的间隔循环执行，直到收到 Ctrl-C 或 SIGTERM。多台主机可同时运行：每次运行由数据库分配给一台主机，"
        "每条信息只发布一次、每条提醒只发送一次。make run 会随网站一起启动它；生产环境见 deploy/portal-jobs.service。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一轮到期的任务后退出。")
        parser.add_argument(
            "--tick", type=float, default=10.0, help="每隔多少秒检查一次有无到期任务（默认10秒）。"
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="任务名", help="只运行指定的任务，可重复。"
        )
        parser.add_argument(
            "--interval",
            action="append",
            default=[],
            metavar="任务名=秒数",
            help="改变某个任务的运行间隔（用于测试和演示），可重复。",
        )

    def handle(self, *args, once=False, tick=10.0, only=(), interval=(), **options):
        if tick <= 0:
            raise CommandError("--tick 应为正数（秒）。")
        known = {job.name for job in JOBS}
        overrides = dict(_interval(text) for text in interval)
        unknown = (set(only) | set(overrides)) - known
        if unknown:
            raise CommandError(f"没有这些任务：{'、'.join(sorted(unknown))}。可用的任务：{'、'.join(sorted(known))}。")
        jobs = [
            dataclasses.replace(job, interval=overrides[job.name]) if job.name in overrides else job
            for job in JOBS
            if not only or job.name in only
        ]
        owner = runner_name()
        if once:
            ran = run_due_jobs(jobs, owner=owner)
            self.stdout.write(f"本轮运行了 {len(ran)} 个任务：" + ("、".join(ran) or "无"))
            if not all(ran.values()):
                raise CommandError("有任务未成功，详见管理后台首页的“定时任务”。")
            return

        stop = []

        def request_stop(signum, frame):
            stop.append(signum)

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"定时任务运行器已启动（{owner}）：{'、'.join(str(job.label) for job in jobs)}。", ending="\n")
        self.stdout.flush()
        run_forever(jobs, tick=tick, should_stop=lambda: bool(stop), owner=owner)
        self.stdout.write("定时任务运行器已停止。")
