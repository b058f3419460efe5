import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.fixture import build

# The reference table, copied from ../shared/reference/ so the fixture can be rebuilt (and checked) anywhere.
DEFAULT_SOURCE = settings.BASE_DIR / "fixtures" / "source" / "standard-catalog.yaml"
DEFAULT_TARGET = settings.BASE_DIR / "fixtures" / "standard-catalog.json"


class Command(BaseCommand):
    help = "从 standard-catalog.yaml 重新生成 fixtures/standard-catalog.json（开发用，需要 PyYAML）。"

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
        parser.add_argument("--output", type=Path, default=DEFAULT_TARGET)

    def handle(self, *args, source, output, **options):
        try:
            import yaml
        except ImportError:
            raise CommandError("需要 PyYAML：pip install -e '.[test]'") from None
        if not source.exists():
            raise CommandError(f"找不到标准目录源文件：{source}")
        table = yaml.safe_load(source.read_text(encoding="utf-8"))
        fixture = build(table)
        output.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"已写入 {output}")
