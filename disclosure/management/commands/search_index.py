"""Rebuild the search index from the public records."""

from django.core.management.base import BaseCommand

from disclosure.records.search_index import search_index_rebuild


class Command(BaseCommand):
    help = "重建全文检索索引（批量导入之后，或停用/启用机构、目录栏目之后运行）。"

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"已为 {count} 条公开信息建立检索索引。"))
