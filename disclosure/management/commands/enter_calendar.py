"""Enter a year's holiday schedule from the State Council notice's text (disclosure/core/calendar_notice.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosure.core.calendar_notice import check_notice, enter_year, parse_notice


class Command(BaseCommand):
    help = (
        "按国务院办公厅节假日安排通知的原文录入一年的放假和调休日期：文件中每个节日一行，"
        "如“春节：2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。”。"
        "先核对（日期在当年、天数与“共N天”一致、调休上班日是周末、星期与通知一致），无误才保存。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="通知文本文件（UTF-8），“-”表示标准输入。")
        parser.add_argument("--year", type=int, required=True, help="年份，如 2027。")
        parser.add_argument("--note", default="", help="依据，如通知文号。")
        parser.add_argument("--dry-run", action="store_true", help="只核对并显示，不保存。")

    def handle(self, *args, file, year, note, dry_run, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("年份须在2000至2100之间。")
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取通知文件：{error}") from None
        parsed = parse_notice(year, text)
        problems = check_notice(parsed)
        if problems:
            raise CommandError("通知核对未通过，未保存：\n" + "\n".join(problems))
        for line in parsed.lines:
            off = line.days_off
            work = "、".join(f"{d.month}月{d.day}日" for d in line.workdays) or "无"
            self.stdout.write(
                f"{line.name}：{off[0].month}月{off[0].day}日至{off[-1].month}月{off[-1].day}日，"
                f"共{len(off)}天；调休上班：{work}"
            )
        self.stdout.write(f"{year}年：放假 {len(parsed.holidays)} 天，调休上班 {len(parsed.workdays)} 天。")
        if dry_run:
            self.stdout.write("（仅核对，未保存）")
            return
        enter_year(parsed, note=note)
        self.stdout.write(self.style.SUCCESS(f"{year}年的节假日安排已保存，工作日计算即刻按此执行。"))
