from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Organisation
from disclosure.records.importing import ImportRefused, check_import, run_import


class Command(BaseCommand):
    help = (
        "导入本单位旧网站已发布的信息：一个表格（.xlsx 或 .csv，表头见 disclosure/records/importing.py）和一个附件压缩包。"
        "默认只检查并列出每一行的问题，不写入任何内容；加 --commit 才导入（任何一行有问题则全部不导入）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("sheet", help="表格文件（.xlsx 或 .csv）")
        parser.add_argument("--attachments", help="附件压缩包（.zip），表格“附件”列中的文件名在其中查找")
        parser.add_argument("--org", required=True, help="单位代码")
        parser.add_argument("--user", required=True, help="执行导入的工作人员用户名（须同时为本单位信息员和单位管理员）")
        parser.add_argument("--commit", action="store_true", help="检查通过后导入；不加则只检查")

    def handle(self, *args, sheet, attachments=None, org, user, commit=False, **options):
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"单位代码“{org}”不存在。")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户“{user}”不存在。")
        sheet_path = Path(sheet)
        if not sheet_path.is_file():
            raise CommandError(f"找不到表格文件 {sheet}。")
        if attachments and not Path(attachments).is_file():
            raise CommandError(f"找不到附件压缩包 {attachments}。")
        action = run_import if commit else check_import
        try:
            report = action(
                user=account, organisation=organisation, sheet_name=sheet_path.name,
                sheet=sheet_path.read_bytes(), archive=attachments,
            )
        except (ImportRefused, PermissionDenied) as refusal:
            raise CommandError(str(refusal)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"共 {len(report.rows)} 行，发现问题 {len(report.lines())} 处，未导入任何内容。")
        if commit:
            self.stdout.write(f"已导入 {len(report.imported)} 条信息。")
        else:
            self.stdout.write(f"共 {len(report.rows)} 行，未发现问题。加 --commit 执行导入。")
