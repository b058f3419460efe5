from django.core.management.base import BaseCommand

from disclosure.records.disclosure_column import ensure_disclosure_column_nodes


class Command(BaseCommand):
    help = (
        "创建“政府信息公开”专栏的目录栏目（政府信息公开制度、政府信息公开年报；国办公开办函〔2019〕61号），"
        "已存在的不改动。载入标准目录后运行一次。"
    )

    def handle(self, *args, **options):
        nodes = ensure_disclosure_column_nodes()
        for node in nodes.values():
            self.stdout.write(f"{node.code} {node.name}")
