from django.core.management.base import BaseCommand

from disclosure.records.publicity import public_notices_end_due


class Command(BaseCommand):
    help = "公示期满的信息按发布时的选择继续公开、撤下或替换为去标识化版本。每天零点后运行一次；重复运行无副作用。"

    def handle(self, *args, **options):
        ended = public_notices_end_due()
        self.stdout.write(f"本次处理了 {len(ended)} 条公示期满的信息。")
        for notice in ended:
            self.stdout.write(f"  {notice.record.index_number}  {notice.get_status_display()}  {notice.record.title}")
