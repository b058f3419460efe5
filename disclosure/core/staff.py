"""Which organisation a member of staff works for; roles are Django groups (see disclosure/roles.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation


class StaffProfile(models.Model):
    """Invariant: a staff account belongs to exactly one organisation; its roles apply there
    (auditors: there and in every organisation beneath it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("工作人员单位")
        verbose_name_plural = _("工作人员单位")

    def __str__(self):
        return f"{self.user} @ {self.organisation}"
