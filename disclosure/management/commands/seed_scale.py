"""Seed a synthetic province at scale for benchmarks (disclosure/records/scale_seed.py)."""

from django.core.management.base import BaseCommand, CommandError

from disclosure.records.scale_seed import SEED_PREFIX, SeedRefused, seed_scale


class Command(BaseCommand):
    help = (
        "生成用于性能测试的模拟省份：省厅、市、县、乡镇单位及大量公开信息（含检索索引）。"
        f"造数单位的编码以 {SEED_PREFIX} 开头；只用于测试库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=150, help="单位数（默认 150）")
        parser.add_argument("--records", type=int, default=100_000, help="信息条数（默认 100000）")
        parser.add_argument("--replace", action="store_true", help="先删除上次造数的单位和信息")
        parser.add_argument("--force", action="store_true", help="库中已有非造数的已发布信息时仍然造数")
        parser.add_argument("--workers", type=int, default=2,
                            help="PostgreSQL：并行写检索文档的连接数（默认 2；0 表示全部在一个事务中写入）")
        parser.add_argument("--seed", type=int, default=20261206, help="随机数种子（相同种子得到相同数据）")

    def handle(self, *args, organisations, records, replace, force, seed, workers, **options):
        if organisations < 1 or records < 0:
            raise CommandError("单位数至少为 1，信息条数不能为负数。")
        try:
            result = seed_scale(organisations=organisations, records=records, replace=replace, force=force,
                                stream=self.stderr, seed=seed, workers=workers)
        except SeedRefused as refused:
            raise CommandError(str(refused)) from refused
        timings = "，".join(f"{name} {seconds:.1f} 秒" for name, seconds in result.timings.items())
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {result.organisations} 个单位、{result.records} 条信息（公开 {result.public} 条，"
            f"检索文档 {result.documents} 条），用时 {result.seconds:.1f} 秒（{timings}）。"
        ))
