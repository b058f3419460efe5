from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from disclosure.core.workdays import CalendarUnknown, calendar_source


class Command(BaseCommand):
    help = "显示今年和明年的法定节假日安排是否已知（内置日历或管理员录入）；有未录入的年份时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="要检查的年份，默认今年和明年。")

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        years = options["years"] or [this_year, this_year + 1]
        missing = []
        for year in years:
            source = calendar_source(year)
            if source is None:
                missing.append(year)
                self.stdout.write(f"{year}年：未录入")
            else:
                self.stdout.write(f"{year}年：{source.label}")
        if missing:
            # Non-zero exit so that a scheduled run can alert the operator.
            raise CommandError("；".join(str(CalendarUnknown(year)) for year in missing))
