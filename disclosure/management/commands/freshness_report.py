from disclosure.reports import export
from disclosure.reports.cli import ReportCommand, parse_date
from disclosure.reports.freshness import freshness_report


class Command(ReportCommand):
    help = "栏目更新报表：超过更新周期未更新的栏目和空白栏目，以及网站普查结论（5个及以上不合格）。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计基准日，默认今天。")

    def handle(self, *args, **options):
        report = freshness_report(
            self.organisations(options["org"]),
            today=options["as_of"] and parse_date(options["as_of"], "--as-of"),
        )
        self.write(options, sheets=export.freshness_sheets(report), data=report.as_dict())
