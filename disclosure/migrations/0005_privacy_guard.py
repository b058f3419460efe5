"""Placeholder reserved for work in progress; filled in by the change that needs it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_log_triggers")]

    operations = []
