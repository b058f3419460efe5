"""Consultations made the way staff make them (through disclosure.consultations.services), for the
workflow, admin and leak tests of this folder."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.consultations import services
from disclosure.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    DecisionKind,
)
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from tests.factories import make_staff

COUNTY = "419901"
TOWNSHIP = "419901001"
CLOSED_TOWNSHIP = "419901002"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "清河县公共租赁住房保障办法（征求意见稿）"
BODY = "<p>第一条 为了规范公共租赁住房管理，制定本办法。</p>"


def pdf(name: str = "征求意见稿.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


EDITOR = object()  # the default author of Desk.draft: the desk's editor


class Desk:
    """An editor and a reviewer of one organisation, moving consultations through the real services."""

    def __init__(self, organisation: Organisation, *, editor=None, reviewer=None):
        self.organisation = organisation
        self.editor = editor or make_staff(organisation, Role.EDITOR, username=f"{organisation.code}-editor")
        self.reviewer = reviewer or make_staff(organisation, Role.REVIEWER, username=f"{organisation.code}-reviewer")

    def draft(self, *, author=EDITOR, node: str | CatalogNode | None = None, opens_at: datetime | None = None,
              closes_at: datetime | None = None, files=(), **fields) -> Consultation:
        """A major decision's draft, by default open for comment from yesterday for 40 days, with
        ``files`` (uploads) attached by the desk's editor."""
        if isinstance(node, str):
            node = CatalogNode.objects.get(code=node)
        # Whole seconds, as the admin's form posts them.
        opens_at = opens_at or (timezone.now() - timedelta(days=1)).replace(microsecond=0)
        consultation = services.consultation_create(
            user=self.editor if author is EDITOR else author,
            organisation=self.organisation,
            node=node,
            title=fields.pop("title", TITLE),
            decision_kind=fields.pop("decision_kind", DecisionKind.MAJOR),
            body=fields.pop("body", BODY),
            opens_at=opens_at,
            closes_at=closes_at or opens_at + timedelta(days=40),
            **fields,
        )
        for upload in files:
            services.consultation_attachment_add(user=self.editor, consultation=consultation, upload=upload)
        return consultation

    def bring_to(self, state: str, *, while_open=None, **fields) -> Consultation:
        """A consultation in ``state``, one of STATES, reached through the services.

        ``while_open(consultation, moment)`` runs once it is open for comment at ``moment`` (before it
        closes), e.g. to receive comments; never for a draft or one not yet open."""
        if state in ("open_ended", "closed", "feedback_published"):
            # Opened, as it was then, 32 days ago; its window ended yesterday.
            start = timezone.now() - timedelta(days=32)
            consultation = self.draft(opens_at=start, closes_at=start + timedelta(days=31), **fields)
            consultation = services.consultation_open(user=self.reviewer, consultation=consultation, now=start)
            if while_open is not None:
                while_open(consultation, start + timedelta(hours=1))
            if state == "closed":
                return services.consultation_close(consultation=consultation)
            if state == "feedback_published":
                return services.consultation_publish_feedback(
                    user=self.reviewer, consultation=consultation, feedback="共收到意见5条，采纳3条。"
                )
            return consultation
        if state == "open_not_yet":
            start = timezone.now() + timedelta(days=7)
            consultation = self.draft(opens_at=start, **fields)
            return services.consultation_open(user=self.reviewer, consultation=consultation)
        consultation = self.draft(**fields)
        if state == "draft":
            return consultation
        if state == "open":
            consultation = services.consultation_open(user=self.reviewer, consultation=consultation)
            if while_open is not None:
                while_open(consultation, timezone.now())
            return consultation
        raise ValueError(state)


# The states a consultation can be in, as far as the public is concerned: "open" runs now,
# "open_ended" is still marked open with its window over (the closing job has not run), "open_not_yet"
# is opened with an opening time still ahead.
STATES = ["draft", "open", "open_not_yet", "open_ended", "closed", "feedback_published"]
STATUS_OF = {
    "draft": ConsultationStatus.DRAFT,
    "open": ConsultationStatus.OPEN,
    "open_not_yet": ConsultationStatus.OPEN,
    "open_ended": ConsultationStatus.OPEN,
    "closed": ConsultationStatus.CLOSED,
    "feedback_published": ConsultationStatus.FEEDBACK_PUBLISHED,
}


def activity(consultation: Consultation) -> list[tuple]:
    """The consultation's log: (action, from, to, actor id), oldest first."""
    return list(
        ActivityEntry.objects.filter(subject_type="consultation", subject_id=consultation.pk)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "actor_id")
    )


def db_state(consultation: Consultation) -> dict:
    """Everything a refused write to a consultation could have touched."""
    return {
        "consultation": Consultation.objects.filter(pk=consultation.pk).values().first(),
        "consultations": Consultation.objects.count(),
        "log": list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "attachments": list(ConsultationAttachment.objects.order_by("pk").values_list("pk", "original_name")),
        "comments": list(ConsultationComment.objects.order_by("pk").values()),
    }
