from django.core.management.base import BaseCommand

from catalog.services import catalog_load_standard


class Command(BaseCommand):
    help = "按编码载入或更新标准目录（可重复执行；标准事项的属性恢复为标准值，本单位细化事项与本单位栏目设置保留）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-extras",
            action="store_true",
            help="同时载入外省目录中出现、河南指引未列的扩展事项。",
        )

    def handle(self, *args, include_extras, **options):
        report = catalog_load_standard(include_extras=include_extras)
        self.stdout.write(
            f"标准目录：新增 {len(report.created)} 项，更新 {len(report.updated)} 项，"
            f"恢复被改动的标准事项 {len(report.restored)} 项。"
        )
