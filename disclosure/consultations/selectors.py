"""Reads of decision drafts for comment and their comments (writes: disclosure/consultations.py).

``public_consultations`` is THE definition of what the public may see of them; every public page,
count and download starts from it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.consultations.models import (
    PUBLIC_CONSULTATION_STATUSES,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    Moderation,
)
from disclosure.core import access
from disclosure.core.access import Role

# Roles that handle citizens' comments, whose contacts are personal data. Auditors are not among them.
COMMENT_HANDLING_ROLES = (Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN)


def consultations_for_staff(user) -> QuerySet[Consultation]:
    """Consultations a member of staff may see in the admin (their scope, as for records)."""
    return Consultation.objects.filter(organisation__in=access.organisations_in_scope(user))


def comments_for_staff(user) -> QuerySet[ConsultationComment]:
    """Comments a member of staff may handle: their own organisation's (all, for a superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return ConsultationComment.objects.all()
    organisation = access.organisation_of(user)
    if organisation is None or not set(COMMENT_HANDLING_ROLES) & access.roles_of(user):
        return ConsultationComment.objects.none()
    return ConsultationComment.objects.filter(consultation__organisation=organisation)


def public_consultations(*, now: datetime | None = None) -> QuerySet[Consultation]:
    """THE definition of what the public may see: opened (not a draft), opening time reached, and the
    organisation visible. Every public page, count and download starts here."""
    return Consultation.objects.filter(
        status__in=PUBLIC_CONSULTATION_STATUSES,
        opens_at__lte=now or timezone.now(),
        organisation__in=catalog_selectors.visible_organisations(),
    )


def public_consultation_list(*, organisation: Organisation, now: datetime | None = None) -> QuerySet[Consultation]:
    """An organisation's public consultations, those open for comment first (closing soonest first),
    then the others, newest first; each with ``is_open`` and ``shown_count``."""
    now = now or timezone.now()
    accepting = Q(status=ConsultationStatus.OPEN, closes_at__gt=now)
    return (
        public_consultations(now=now)
        .filter(organisation=organisation)
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
    """The comments the public may read: shown ones only, loaded without the contact (``only``)."""
    return (
        consultation.comments.filter(moderation=Moderation.SHOWN)
        .only("pk", "name", "text", "submitted_at", "consultation_id")
        .order_by("submitted_at", "id")
    )


def public_attachment(*, org_code: str, pk: int, attachment_id: int) -> ConsultationAttachment | None:
    return ConsultationAttachment.objects.filter(
        pk=attachment_id,
        consultation__in=public_consultations().filter(organisation__code=org_code, pk=pk),
    ).first()
