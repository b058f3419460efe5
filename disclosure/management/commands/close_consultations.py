from django.core.management.base import BaseCommand

from disclosure.consultations.services import close_due_consultations


class Command(BaseCommand):
    help = "将征求意见期限已届满的意见征集标记为“征求意见已结束”（可由 cron 定时执行，可重复执行）。"

    def handle(self, *args, **options):
        closed = close_due_consultations()
        for consultation in closed:
            self.stdout.write(f"已结束：{consultation.pk} {consultation.title}")
        self.stdout.write(f"共结束 {len(closed)} 项意见征集。")
