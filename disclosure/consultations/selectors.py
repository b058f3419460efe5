"""Reads of decision drafts for comment and their comments (writes: services.py; rights: policy.py).

``public_consultations`` is THE definition of what the public may see of them, and ``public_comments``
of their comments; every public page, count and download starts from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.consultations import policy
from disclosure.consultations.clock import feedback_clock
from disclosure.consultations.models import (
    PUBLIC_CONSULTATION_STATUSES,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    ConsultationStatus,
    Moderation,
)
from disclosure.core.access import Role
from disclosure.core.deadlines import Deadline, warn_before_working_days
from disclosure.core.staff import StaffProfile
from disclosure.core.visibility import visibly_placed
from disclosure.core.workdays import Reckoner


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
    return visibly_placed(Consultation).filter(
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


# -- the feedback owed after the window (clock.py) ------------------------------------------------------

FEEDBACK_SUBJECT = "consultation"  # the reminders' source, as the activity log names consultations


def awaiting_feedback(queryset: QuerySet[Consultation], *, now: datetime | None = None) -> QuerySet[Consultation]:
    """Those of ``queryset`` whose window has ended and whose feedback is not published yet."""
    return queryset.filter(
        status__in=(ConsultationStatus.OPEN, ConsultationStatus.CLOSED), closes_at__lte=now or timezone.now()
    )


def feedback_overdue_ids(queryset: QuerySet[Consultation], *, now: datetime | None = None) -> list[int]:
    """Ids of consultations of ``queryset`` whose feedback is past its time limit and not published."""
    now = now or timezone.now()
    return [c.pk for c in awaiting_feedback(queryset, now=now) if feedback_clock(c, now=now).overdue]


def reviewer_emails_by_organisation(org_ids) -> dict[int, tuple[str, ...]]:
    """The e-mail addresses of the active reviewers (审核员: they publish the feedback) of each organisation."""
    emails: dict[int, set[str]] = {}
    rows = StaffProfile.objects.filter(
        organisation_id__in=org_ids, user__is_active=True, user__groups__name=Role.REVIEWER
    ).exclude(user__email="").values_list("organisation_id", "user__email")
    for org_id, email in rows:
        emails.setdefault(org_id, set()).add(email)
    return {org_id: tuple(sorted(found)) for org_id, found in emails.items()}


def feedback_deadline_source(now: datetime) -> Iterator[Deadline]:
    """The feedback deadlines (采纳情况) of consultations whose window has ended, for the organisation's
    reviewers; a provisional date (预计) is used while a year's holidays are not entered, and the kind
    carries the date, so that a confirmed date gets its own reminders."""
    consultations = list(awaiting_feedback(Consultation.objects.all(), now=now).order_by("closes_at", "pk"))
    recipients = reviewer_emails_by_organisation({c.organisation_id for c in consultations})
    tz = timezone.get_current_timezone()
    for consultation in consultations:
        clock = feedback_clock(consultation, now=now)
        due_at = datetime.combine(clock.due_on + timedelta(days=1), time.min, tzinfo=tz)
        yield Deadline(
            source=FEEDBACK_SUBJECT,
            subject_id=consultation.pk,
            subject_title=consultation.title,
            organisation_id=consultation.organisation_id,
            kind=f"feedback:{clock.due_on.isoformat()}",
            label=_("公布意见采纳情况（预计日期）") if clock.provisional else _("公布意见采纳情况"),
            due_at=due_at,
            warn_before=warn_before_working_days(clock.due_on, due_at, reckoner=Reckoner(estimate=True)),
            recipients=recipients.get(consultation.organisation_id, ()),
            admin_path=reverse("admin:disclosure_consultation_change", args=[consultation.pk]),
            subject_label=_("意见征集"),
        )
