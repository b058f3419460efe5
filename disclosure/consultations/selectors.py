"""Reads of decision drafts for comment and their comments (writes: services.py; rights: policy.py).

``public_consultations`` is THE definition of what the public may see of them, and ``public_comments``
of their comments; every public page, count and download starts from them.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from catalog.models import Organisation
from disclosure.consultations import policy
from disclosure.consultations.models import (
    PUBLIC_CONSULTATION_STATUSES,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    Moderation,
)
from disclosure.core.visibility import visible_placement


def consultations_for_staff(user) -> QuerySet[Consultation]:
    """Consultations a member of staff may see in the admin (the policy decides; for the dashboard)."""
    return policy.visible_consultations(user)


def comments_for_staff(user) -> QuerySet[ConsultationComment]:
    """Comments a member of staff may handle (the policy decides; for the dashboard)."""
    return policy.handled_comments(user)


def public_consultations(*, now: datetime | None = None) -> QuerySet[Consultation]:
    """THE definition of what the public may see: opened (not a draft), opening time reached, and its
    organisation and catalog node, with all their ancestors, active. Every public page, count and
    download starts here."""
    return Consultation.objects.filter(
        visible_placement(),
        status__in=PUBLIC_CONSULTATION_STATUSES,
        opens_at__lte=now or timezone.now(),
    )


def public_comments(*, now: datetime | None = None) -> QuerySet[ConsultationComment]:
    """The comments the public may read: shown ones of public consultations, loaded without the contact
    (``only``)."""
    return ConsultationComment.objects.filter(
        moderation=Moderation.SHOWN, consultation__in=public_consultations(now=now)
    ).only("pk", "name", "text", "submitted_at", "consultation_id")


def public_consultation_list(
    *, organisation: Organisation | None = None, now: datetime | None = None
) -> QuerySet[Consultation]:
    """An organisation's public consultations (every organisation's without one), those open for comment
    first (closing soonest first), then the others, newest first; each with ``is_open`` and
    ``shown_count``."""
    now = now or timezone.now()
    accepting = Q(status=ConsultationStatus.OPEN, closes_at__gt=now)
    consultations = public_consultations(now=now).select_related("organisation")
    if organisation is not None:
        consultations = consultations.filter(organisation=organisation)
    return (
        consultations
        .annotate(
            is_open=Case(When(accepting, then=Value(1)), default=Value(0), output_field=IntegerField()),
            shown_count=Count("comments", filter=Q(comments__moderation=Moderation.SHOWN)),
        )
        .order_by("-is_open", Case(When(accepting, then="closes_at")), "-opens_at", "-id")
    )


def public_consultation(*, org_code: str, pk: int) -> Consultation | None:
    return (
        public_consultations()
        .select_related("organisation", "node")
        .filter(organisation__code=org_code, pk=pk)
        .first()
    )


def shown_comments(consultation: Consultation) -> QuerySet[ConsultationComment]:
    """The public comments on one consultation, oldest first."""
    return public_comments().filter(consultation=consultation).order_by("submitted_at", "id")


def public_attachment(*, org_code: str, pk: int, attachment_id: int) -> ConsultationAttachment | None:
    return ConsultationAttachment.objects.filter(
        pk=attachment_id,
        consultation__in=public_consultations().filter(organisation__code=org_code, pk=pk),
    ).first()
