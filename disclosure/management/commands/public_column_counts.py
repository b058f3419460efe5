"""Compare the kept counts of public records per column with a recount; ``--rebuild`` replaces them."""

from django.core.management.base import BaseCommand, CommandError

from disclosure.records.column_counts import column_count_differences, column_counts_rebuild


class Command(BaseCommand):
    help = (
        "核对各单位各栏目的公开信息数（报表所读的计数，由数据库触发器维护）与重新统计的结果是否一致；"
        "--rebuild 按重新统计的结果重建。清空（TRUNCATE）信息表、禁用触发器恢复数据或手工修改计数之后运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="按重新统计的结果重建全部计数。")

    def handle(self, *args, **options):
        if options["rebuild"]:
            columns = column_counts_rebuild()
            self.stdout.write(self.style.SUCCESS(f"已按重新统计的结果重建 {columns} 个栏目的公开信息数。"))
            return
        differences, columns, records = column_count_differences()
        if not differences:
            self.stdout.write(self.style.SUCCESS(
                f"栏目公开信息数与重新统计一致：{columns} 个栏目，共 {records} 条公开信息。"
            ))
            return
        for difference in differences:
            self.stderr.write(
                f"单位 {difference.organisation_code} 栏目 {difference.node_code}："
                f"计数 {difference.kept}，重新统计 {difference.recounted}"
            )
        raise CommandError(
            f"{len(differences)} 个栏目的公开信息数与重新统计不一致；运行 manage.py public_column_counts --rebuild 重建。"
        )
