from django.core.management.base import BaseCommand

from disclosure.subscriptions.services import send_digests


class Command(BaseCommand):
    help = "向已确认的邮件订阅发送新公开信息摘要（每天运行一次；没有新信息的订阅不发送）。"

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"已发送订阅摘要邮件 {sent} 封。")
