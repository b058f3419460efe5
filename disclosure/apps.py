from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("政务公开")

    def ready(self):
        from django.db.models.signals import post_migrate

        from disclosure.core.access import sync_role_groups

        # After auth's own post_migrate has created the permissions (auth is installed first).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="disclosure.sync_role_groups")

        from disclosure.core.accounts import connect_signals

        # Sign-ins, failed sign-ins, sign-outs and lockouts go to the activity log.
        connect_signals()
