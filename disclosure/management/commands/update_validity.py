from django.core.management.base import BaseCommand

from disclosure.records.validity import validity_update_all


class Command(BaseCommand):
    help = (
        "按施行日期、有效期至和修改废止关系更新政策文件的有效性（尚未生效、现行有效、已修改、已废止、已失效）。"
        "每天零点后运行一次；重复运行无副作用。"
    )

    def handle(self, *args, **options):
        updated = validity_update_all()
        self.stdout.write(f"本次更新了 {len(updated)} 条信息的有效性。")
        for record, previous in updated:
            self.stdout.write(f"  {record.index_number or record.pk}  {previous} → {record.validity}  {record.title}")
