from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError

from disclosure.reports import export
from disclosure.reports.annual import annual_report
from disclosure.reports.cli import ReportCommand


class Command(ReportCommand):
    help = (
        "政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）第二至四部分的统计表。"
        "默认只统计该单位本级，--subtree 含全部下级单位。"
    )
    formats = ("xlsx", "json")
    default_format = "json"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="报告年度，如 2025。")
        parser.add_argument("--subtree", action="store_true", help="包含全部下级单位的数字。")
        parser.add_argument("--fees", metavar="万元", help="本年行政事业性收费金额（万元），默认 0。")

    def handle(self, *args, **options):
        if not options["org"]:
            raise CommandError("请用 --org 指定编制年度报告的单位编码。")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("年度应在 2000 至 2100 之间。")
        fees = None
        if options["fees"]:
            try:
                fees = Decimal(options["fees"])
            except InvalidOperation:
                raise CommandError(f"收费金额“{options['fees']}”不是有效的数字。") from None
            if not fees.is_finite() or fees < 0:
                raise CommandError("收费金额应为不小于 0 的数字。")
        organisations = self.organisations(options["org"])
        if not options["subtree"]:
            organisations = organisations[:1]
        data = annual_report(organisations, options["year"], fees=fees)
        self.write(options, sheets=export.annual_sheets(data), data=data)
