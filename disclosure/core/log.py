"""Append-only log of state changes of objects other than records (concerns, consultations, …).

Records keep their own AuditEntry (disclosure/models/records.py); every other duty writes here, so
that an auditor reads one log whatever the object. Rows name their subject by type and id rather
than by foreign key, so they survive the deletion of the subject, its organisation and the actor.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.models import LogEntryModel


class ActivityEntry(LogEntryModel):
    """One state change of a non-record object.

    Invariants: append-only (``save`` refuses to update an existing row, ``delete`` always refuses);
    ``subject_type`` + ``subject_id`` name the object (e.g. "concern", 42) and ``subject_title`` keeps
    what it was called at the time.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(_("对象类型"), max_length=40, db_index=True)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject_title = models.CharField(_("对象名称"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, blank=True)

    class Meta(LogEntryModel.Meta):
        verbose_name = _("业务操作日志")
        verbose_name_plural = _("业务操作日志")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="activity_subject_idx"),
        ]

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.subject_title}"

    @classmethod
    def write_for(cls, subject, *, subject_type: str, title: str, organisation_id, user, action: str,
                  from_status: str = "", to_status: str = "", comment: str = "", nobody=_("系统")):
        """Append the entry of ``user`` doing ``action`` to ``subject`` (any saved model instance)."""
        return cls.write(
            actor=user,
            nobody=nobody,
            organisation_id=organisation_id,
            subject_type=subject_type,
            subject_id=subject.pk,
            subject_title=title[:300],
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
