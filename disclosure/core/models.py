"""Abstract building blocks shared by the disclosure models.

They are abstract models (not plain mixins) so that migrations never name them: Django folds an
abstract base's fields into each concrete model, and each model keeps its own table, verbose names
and constraints.
"""

import hashlib
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.files import check_upload
from disclosure.core.metadata import cleaned_content


def actor_name(user, *, nobody=_("系统")) -> str:
    """How logs and snapshots name who acted: the account's full name, else its username; ``nobody``
    when no member of staff did (a scheduled job, or a citizen submitting online)."""
    if user is None:
        return str(nobody)
    return user.get_full_name() or user.get_username()


def staff_field(verbose_name, *, blank: bool = False):
    """The member of staff who did something to the row (created it, approved, moderated): set by a
    service, never by a form; the row outlives the account. ``blank`` for acts that may not have
    happened yet."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


class TimestampedModel(models.Model):
    """When the row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        abstract = True


class AuthoredModel(TimestampedModel):
    """Content drafted by a staff member (起草人), with its creation and last-change times."""

    created_by = staff_field(_("起草人"))

    class Meta:
        abstract = True


class RegisteredModel(models.Model):
    """A fact a staff member registers (登记): who registered it, and when."""

    created_by = staff_field(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        abstract = True


class LogEntryModel(models.Model):
    """One entry of an append-only log: who did what, with which comment, and when.

    Written once, never changed, never deleted: ``save`` refuses to update an existing row and
    ``delete`` always refuses, so neither the admin nor a service can rewrite history by accident.
    Entries name their actor by name as well as by account, so they survive the account's deletion.
    """

    actor_name = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=30)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @classmethod
    def write(cls, *, actor, nobody=_("系统"), **fields):
        """Append one entry by ``actor`` (None: ``nobody``, e.g. the system), named as well as linked."""
        return cls.objects.create(actor=actor, actor_name=actor_name(actor, nobody=nobody), **fields)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.object_name} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.object_name} rows are append-only.")


def attachment_path(instance, filename):
    # Random stored names: nothing about the file or its owner can be guessed from them.
    suffix = PurePath(filename).suffix.lower()
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class UploadedFileModel(models.Model):
    """A file staff uploaded, kept under a random name and served only for download.

    Invariants: the bytes were checked by ``disclosure.core.files.check_upload`` (an accepted kind whose
    content matches its extension, within ``ATTACHMENT_MAX_BYTES``) before anything was stored, and
    ``kind``, ``size`` and ``sha256`` describe the stored bytes. Who may download it is for the owner's
    public selector to say, never for this model.
    """

    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=10, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    def store_upload(self, upload) -> None:
        """Check ``upload`` and store it, without its document metadata (disclosure.core.metadata), under
        a random name; the caller saves the row. ``metadata_removed`` and ``metadata_note`` then say what
        was removed, or why nothing was, for the caller's log.

        Raises ValidationError (with a message for the user) for a file that is refused.
        """
        facts = check_upload(upload)
        content, self.metadata_removed, self.metadata_note = cleaned_content(upload, facts)
        self.original_name = facts["name"]
        self.kind = facts["kind"]
        self.size = content.size
        self.sha256 = hashlib.sha256(content.read()).hexdigest()
        content.seek(0)
        self.file.save(facts["name"], content, save=False)


class NoticeKind(models.TextChoices):
    BEFORE = "before", _("到期前提醒")
    AFTER = "after", _("逾期提醒")


class DeadlineNotice(models.Model):
    """A deadline reminder that was (or is being) sent.

    Invariant: at most one row per (source, subject, deadline kind, notice kind), enforced by the
    database: ``check_deadlines`` claims a notice by inserting its row and sends the email only after
    that insert commits, so two concurrent runs never send the same reminder twice. For concerns,
    ``source`` is "concern" and ``subject_id`` the concern's id; other duties (e.g. applications)
    pass their source to ``check_deadlines`` (see disclosure/core/deadlines.py).
    """

    source = models.CharField(_("事项类型"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("事项编号"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_title = models.CharField(_("事项名称"), max_length=300)
    deadline_kind = models.CharField(_("时限"), max_length=40)
    notice_kind = models.CharField(_("提醒类型"), max_length=10, choices=NoticeKind.choices)
    due_at = models.DateTimeField(_("到期时间"))
    recipients = models.TextField(_("收件人"), blank=True)
    claimed_at = models.DateTimeField(_("生成时间"))
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=1)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("发送错误"), blank=True)

    class Meta:
        verbose_name = _("时限提醒")
        verbose_name_plural = _("时限提醒")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "subject_id", "deadline_kind", "notice_kind"],
                name="one_notice_per_deadline",
            ),
        ]

    def __str__(self):
        # The kind is a stable key in English ("press_conference"); the admin list shows its name.
        return f"{self.subject_title} · {self.get_notice_kind_display()}"
