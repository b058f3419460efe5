"""What the report commands share: options, the organisation subtree, writing the output."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosure.reports import export
from disclosure.reports.common import OrganisationNotFound, all_organisations, select_organisations

FORMATS = ("csv", "xlsx", "json")


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} 的日期“{value}”无效，请使用 YYYY-MM-DD 格式。") from None


class ReportCommand(BaseCommand):
    """A report over an organisation and its subtree, written as CSV, XLSX or JSON."""

    formats = FORMATS
    default_format = "csv"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", help="单位编码；报表包含该单位及其全部下级单位。不填则为全部单位。")
        parser.add_argument("--format", choices=self.formats, default=self.default_format, help="输出格式。")
        parser.add_argument("--output", metavar="FILE", help="输出文件；不填时 CSV/JSON 输出到标准输出。")

    def organisations(self, code: str | None):
        try:
            organisations = select_organisations(all_organisations(), code)
        except OrganisationNotFound:
            raise CommandError(f"找不到编码为“{code}”的单位（或该单位已停用）。") from None
        if not organisations:
            raise CommandError("没有可统计的单位，请先创建组织机构。")
        return organisations

    def write(self, options, *, sheets, data, all_tables_csv: bool = False) -> None:
        """``all_tables_csv``: the CSV holds every sheet one after the other (the annual report)."""
        fmt = options["format"]
        if fmt in ("csv", "xlsx") and options["output"] and not all_tables_csv:
            # Straight to the file, row by row: a million-row report never sits in memory.
            try:
                with open(options["output"], "wb") as target:
                    if fmt == "csv":
                        target.writelines(export.csv_chunks(sheets[0]))
                    else:
                        export.write_xlsx(sheets, target)
            except OSError as error:
                raise CommandError(f"无法写入文件 {options['output']}：{error.strerror}") from None
            self.stderr.write(f"已写入 {options['output']}")
            return
        if fmt == "csv":
            content = export.to_csv_tables(sheets) if all_tables_csv else export.to_csv(sheets[0])
        elif fmt == "xlsx":
            if not options["output"]:
                raise CommandError("XLSX 格式必须用 --output 指定输出文件。")
            content = export.to_xlsx(sheets)
        else:
            content = export.to_json(data)
        if options["output"]:
            try:
                Path(options["output"]).write_bytes(content)
            except OSError as error:
                raise CommandError(f"无法写入文件 {options['output']}：{error.strerror}") from None
            self.stderr.write(f"已写入 {options['output']}")
        else:
            sys.stdout.flush()
            self.stdout.write(content.decode("utf-8-sig"), ending="")
