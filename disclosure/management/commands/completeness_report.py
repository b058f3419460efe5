from disclosure.reports import export
from disclosure.reports.cli import ReportCommand, parse_date
from disclosure.reports.completeness import completeness_report


class Command(ReportCommand):
    help = "公开完整性报表：每个单位、每个适用的目录事项是否已公开。CSV 为栏目明细，XLSX 另含单位、领域、事项汇总。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="只统计此日起发布的信息。")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="只统计此日前（含）发布的信息。")

    def handle(self, *args, **options):
        report = completeness_report(
            self.organisations(options["org"]),
            published_from=options["date_from"] and parse_date(options["date_from"], "--from"),
            published_to=options["date_to"] and parse_date(options["date_to"], "--to"),
        )
        self.write(options, sheets=export.completeness_sheets(report), data=report.as_dict())
