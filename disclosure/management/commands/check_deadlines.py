from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from disclosure.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "向责任人发送时限提醒邮件（到期前和逾期后各一次），适用于回应关切等有办理时限的事项。"
        "建议由定时任务每5至10分钟运行一次；多个进程同时运行时每项提醒只发送一次。"
    )

    def handle(self, *args, **options):
        outcome = send_deadline_reminders(now=timezone.now())
        self.stdout.write(f"本次发送了 {len(outcome.sent)} 条时限提醒。")
        if options["verbosity"] >= 2:
            for notice in outcome.sent:
                self.stdout.write(
                    f"  {notice.get_notice_kind_display()}  {notice.deadline_kind}  {notice.subject_title}"
                    f"  → {notice.recipients}"
                )
        for deadline in outcome.without_recipients:
            self.stderr.write(
                f"“{deadline.subject_title}”{deadline.label}需要提醒，但没有可接收邮件的责任人，请在后台指定。"
            )
        if outcome.failed:
            # Non-zero exit so that cron reports it; the failed reminders are retried on the next run.
            raise CommandError(f"{len(outcome.failed)} 条提醒发送失败，将在下次运行时重试。")
