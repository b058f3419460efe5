from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.demo import DEMO_COUNTY, ensure_demo_organisations
from disclosure.applications.demo import ensure_demo_applications
from disclosure.concerns.demo import ensure_demo_concerns
from disclosure.consultations.demo import ensure_demo_consultations
from disclosure.core.demo import DEMO_PASSWORD, ensure_demo_accounts
from disclosure.feedback.demo import ensure_demo_feedback
from disclosure.interpretations.demo import ensure_demo_interpretations
from disclosure.records.demo import ensure_demo_records
from disclosure.records.models import Record
from disclosure.reports.demo import ensure_demo_annual_reports
from disclosure.service_guides.demo import ensure_demo_guides
from disclosure.site.demo import ensure_demo_reading_points


class Command(BaseCommand):
    help = "创建演示数据：虚构的清河县住建局、三个乡镇、各角色演示账号和各种状态的公开信息（可重复执行）。"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境不能创建演示数据。")
        with transaction.atomic():
            ensure_demo_organisations()
            accounts = ensure_demo_accounts()
            records = ensure_demo_records()
            applications = ensure_demo_applications()  # 依申请公开 in several states
            ensure_demo_reading_points()
            ensure_demo_consultations()  # decision drafts for comment
            ensure_demo_interpretations()  # a policy published with its interpretation, one waiting
            ensure_demo_guides()  # structured 办事指南, one lacking elements
            ensure_demo_concerns()  # 回应关切 with clocks (one overdue)
            ensure_demo_feedback()  # 留言与纠错: one published, one answered, one waiting, one overdue
            ensure_demo_annual_reports()  # the 政府信息公开 column; last year's report of the county
        self.stdout.write("演示账号（后台 http://127.0.0.1:8000/admin/，密码均为 %s）：" % DEMO_PASSWORD)
        for username, label in accounts:
            self.stdout.write(f"  {username:<12} {label}")
        for code, state in applications:
            self.stdout.write(f"依申请公开演示查询码 {code}（{state}），可在 /apply/status/ 查询。")
        if records:
            self.stdout.write(f"已通过审核流程创建 {records} 条演示信息（含待审核、定时发布、已撤回等各种状态）。")
        elif Record.objects.filter(organisation__code=DEMO_COUNTY).exists():
            self.stdout.write("演示信息已存在，未重复创建。")
        else:
            self.stdout.write("未创建演示信息：请先运行 python manage.py load_catalog 载入标准目录。")
