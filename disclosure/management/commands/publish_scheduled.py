from django.core.management.base import BaseCommand
from django.utils import timezone

from disclosure.records.services import publish_due_records


class Command(BaseCommand):
    help = "发布已到定时发布时间的信息（可由定时任务每分钟运行；多个进程同时运行时每条信息只发布一次）。"

    def handle(self, *args, **options):
        published = publish_due_records()
        self.stdout.write(f"本次发布了 {len(published)} 条到期的定时发布信息。")
        if options["verbosity"] >= 2:
            for record in published:
                when = timezone.localtime(record.published_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"  {record.index_number}  {when}  {record.title}")
