from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError

from disclosure.reports import documents, export
from disclosure.reports.annual import annual_report
from disclosure.reports.cli import ReportCommand
from disclosure.reports.models import AnnualReportDocument


class Command(ReportCommand):
    help = (
        "政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）第二至四部分的统计表。"
        "默认只统计该单位本级，--subtree 含全部下级单位；该单位已编写的年度报告正文一并输出。"
    )
    formats = ("csv", "xlsx", "json")
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
        # The organisation's report document of the year, if staff wrote one: its narrative and fees.
        document = None
        if len(organisations) == 1:
            document = AnnualReportDocument.objects.filter(organisation=organisations[0], year=options["year"]).first()
        if fees is None and document is not None:
            fees = document.administrative_fees
        data = annual_report(organisations, options["year"], fees=fees)
        sections = (
            documents.filled_sections(document, data)
            if document
            else [[heading, ""] for _field, heading in documents.SECTIONS]
        )
        if options["format"] == "json":
            data = {**data, "sections": sections}
        self.write(options, sheets=export.annual_sheets(data, sections), data=data, all_tables_csv=True)
