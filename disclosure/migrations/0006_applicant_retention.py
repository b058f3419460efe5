"""Applicants' personal data: the time it was removed after retention, and the demo's own applications."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0005_privacy_guard")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="is_demo",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="由 seed_demo 创建的虚构申请；演示命令只读取和显示这些申请。",
                verbose_name="演示数据",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="personal_data_removed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="办结后保存期满，申请人个人信息已被清除（manage.py purge_applicant_data）。",
                null=True,
                verbose_name="个人信息清除时间",
            ),
        ),
    ]
