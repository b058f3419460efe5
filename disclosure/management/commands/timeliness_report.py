from disclosure.reports import export
from disclosure.reports.cli import ReportCommand, parse_date
from disclosure.reports.timeliness import timeliness_report


class Command(ReportCommand):
    help = "公开及时性报表：有时限的信息是否在信息形成之日起的工作日时限内发布，以及当前超期未发布的信息。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="信息形成日期自。")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="信息形成日期至（含）。")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计基准日（计算超期），默认今天。")

    def handle(self, *args, **options):
        report = timeliness_report(
            self.organisations(options["org"]),
            today=options["as_of"] and parse_date(options["as_of"], "--as-of"),
            formed_from=options["date_from"] and parse_date(options["date_from"], "--from"),
            formed_to=options["date_to"] and parse_date(options["date_to"], "--to"),
        )
        self.write(options, sheets=export.timeliness_sheets(report), data=report.as_dict())
