"""The privacy guard: scans of record versions for personal data, and the findings with their decisions."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0004_log_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PrivacyScan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version_number', models.PositiveIntegerField(verbose_name='版本号')),
                ('scanned_at', models.DateTimeField(auto_now_add=True, verbose_name='检查时间')),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='操作人')),
                ('notes', models.TextField(blank=True, help_text='未能检查或只检查了一部分的附件。', verbose_name='检查说明')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='privacy_scans', to='disclosure.record', verbose_name='公开信息')),
            ],
            options={
                'verbose_name': '个人信息检查',
                'verbose_name_plural': '个人信息检查',
                'ordering': ['-id'],
            },
        ),
        migrations.CreateModel(
            name='PrivacyFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('id_number', '身份证号码'), ('mobile', '手机号码'), ('landline', '固定电话'), ('bank_card', '银行卡号')], max_length=20, verbose_name='类型')),
                ('source', models.CharField(help_text='“正文”或附件文件名。', max_length=200, verbose_name='所在文件')),
                ('where', models.CharField(max_length=300, verbose_name='位置')),
                ('masked', models.CharField(max_length=40, verbose_name='脱敏显示')),
                ('subject', models.CharField(blank=True, max_length=10, verbose_name='同行姓名（脱敏）')),
                ('value_digest', models.CharField(max_length=64, verbose_name='摘要')),
                ('decision', models.CharField(blank=True, choices=[('', '待处理'), ('masked', '已脱敏'), ('removed', '已删除'), ('kept', '保留公开')], default='', max_length=10, verbose_name='处理结果')),
                ('reason', models.TextField(blank=True, verbose_name='保留理由')),
                ('legal_basis', models.CharField(blank=True, max_length=300, verbose_name='法定依据')),
                ('decided_by_name', models.CharField(blank=True, max_length=150, verbose_name='处理人')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='privacy_findings', to='disclosure.record', verbose_name='公开信息')),
                ('scan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='disclosure.privacyscan')),
            ],
            options={
                'verbose_name': '个人信息检查结果',
                'verbose_name_plural': '个人信息检查结果',
                'ordering': ['id'],
                'indexes': [models.Index(fields=['record', 'decision'], name='privacy_finding_open_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('decision', 'kept'), _negated=True), models.Q(models.Q(('reason', ''), _negated=True), models.Q(('legal_basis', ''), _negated=True)), _connector='OR'), name='privacy_kept_has_reason')],
            },
        ),
    ]
