"""Editing a draft one person at a time: the edit lock, and the refusal of a stale save.

Opening an editable record's change form takes (or renews) the lock for the user; anyone else who opens it
meanwhile sees who holds it and since when ("张晓梅 正在编辑，10:32 起"). The lock goes when its holder
saves, or lapses RECORD_EDIT_LOCK_MINUTES after it was taken. While someone else holds a live lock, a
save is refused; and a save made from a form opened before someone else's save (the record's latest
version is not the one the form was opened on) is refused too, with the user's input shown again.
The checks run inside ``services.record_update``, under the row lock, when it is given the version the form
was opened on; scripts and jobs that pass none are not affected.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.core.models import actor_name
from disclosure.records.models import Record, RecordVersion


class RecordEditLock(models.Model):
    """Who is editing a record now. One row per record at most (the primary key); a row older than
    RECORD_EDIT_LOCK_MINUTES is no lock at all and is replaced by the next taker."""

    record = models.OneToOneField(
        Record, verbose_name=_("公开信息"), primary_key=True, on_delete=models.CASCADE, related_name="edit_lock"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编辑人"), on_delete=models.CASCADE, related_name="+"
    )
    holder_name = models.CharField(_("编辑人姓名"), max_length=150)
    taken_at = models.DateTimeField(_("开始编辑时间"))

    class Meta:
        verbose_name = _("编辑锁")
        verbose_name_plural = _("编辑锁")

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        """张晓梅 正在编辑，10:32 起"""
        return _t("%(name)s 正在编辑，%(time)s 起") % {
            "name": self.holder_name,
            "time": timezone.localtime(self.taken_at).strftime("%H:%M"),
        }

    @property
    def is_live(self) -> bool:
        return self.taken_at > timezone.now() - lock_timeout()


class StaleEdit(ValidationError):
    """A save from a form opened on an older version; ``current_version`` is the one saved since."""

    def __init__(self, message: str, *, current_version: int):
        super().__init__(message, code="stale_edit")
        self.current_version = current_version


def lock_timeout() -> timedelta:
    return timedelta(minutes=settings.RECORD_EDIT_LOCK_MINUTES)


def current_version(record: Record) -> int:
    """The number of the record's latest content version (0 before the first)."""
    return record.versions.order_by("-number").values_list("number", flat=True).first() or 0


def held_by_other(record: Record, user) -> RecordEditLock | None:
    """The live lock of someone other than ``user`` on ``record``, if any."""
    lock = RecordEditLock.objects.filter(record=record).exclude(holder=user).first()
    return lock if lock is not None and lock.is_live else None


def lock_take(*, user, record: Record) -> RecordEditLock | None:
    """Take or renew ``user``'s lock on ``record``; when someone else holds a live one, leave it and
    return it."""
    other = held_by_other(record, user)
    if other is not None:
        return other
    RecordEditLock.objects.update_or_create(
        record=record, defaults={"holder": user, "holder_name": actor_name(user), "taken_at": timezone.now()}
    )
    return None


def lock_release(*, user, record: Record) -> None:
    RecordEditLock.objects.filter(record=record, holder=user).delete()


def check_save(*, user, record: Record, opened_version: int) -> None:
    """Refuse a save by ``user`` of ``record`` (locked for update by the caller) from a form opened on
    ``opened_version``: when someone else is editing it now, or has saved since."""
    other = held_by_other(record, user)
    if other is not None:
        raise ValidationError(
            _t("%(lock)s。为避免互相覆盖，暂不能保存；您填写的内容仍在下方，请待其保存后再修改，或请其退出编辑。")
            % {"lock": other.describe()},
            code="edit_locked",
        )
    latest = RecordVersion.objects.filter(record=record).order_by("-number").first()
    if latest is not None and latest.number != opened_version:
        raise StaleEdit(
            _t(
                "保存未成功：您打开本页后，%(name)s 已于 %(time)s 保存了新的内容（第 %(number)s 版）。"
                "您填写的内容仍在下方，未丢失；请对照“修改历史”或预览核对后再次保存，再次保存将以您的内容为准。"
            )
            % {
                "name": latest.author_name,
                "time": timezone.localtime(latest.created_at).strftime("%H:%M"),
                "number": latest.number,
            },
            current_version=latest.number,
        )
