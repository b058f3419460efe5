from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disclosure.applications.services import applications_purge_expired


class Command(BaseCommand):
    help = (
        "清除办结后超过保存期限（APPLICATION_RETENTION_DAYS，默认1095天）的依申请公开申请中的申请人个人信息；"
        "保留申请人类型、日期、受理机关和答复类型供年度报告统计。可重复执行，建议每日运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保存期限（天），默认取环境变量 APPLICATION_RETENTION_DAYS。",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("保存期限应为正整数（天）。")
        retention = settings.APPLICATION_RETENTION_DAYS if days is None else days
        purged = applications_purge_expired(retention_days=retention)
        # Counts only: the command never prints an applicant or a tracking code.
        self.stdout.write(f"已清除 {purged} 件办结超过 {retention} 天的申请的申请人个人信息。")
