"""Reads of messages from the public (writes: services.py; rights: policy.py).

``public_feedback`` is THE definition of what the public may see of them: published, of an organisation
that is switched on; and of those only the restated question and the reply (``only``), never the
citizen's name, contact or original text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from disclosure.core.access import Role
from disclosure.core.deadlines import Deadline, warn_before_working_days
from disclosure.core.workdays import CalendarUnknown
from disclosure.feedback.clock import feedback_clock
from disclosure.feedback.models import Feedback, FeedbackStatus

SUBJECT_TYPE = "feedback"
PUBLIC_FIELDS = ("pk", "organisation_id", "kind", "subject", "public_text", "reply", "received_at", "replied_at",
                 "published_at")


def public_feedback() -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        status=FeedbackStatus.PUBLISHED,
        organisation__in=catalog_selectors.disclosing_organisations(),
    ).only(*PUBLIC_FIELDS)


def public_feedback_of(organisation) -> QuerySet[Feedback]:
    return public_feedback().filter(organisation=organisation).order_by("-published_at", "-id")


def handler_emails(organisation_ids) -> dict[int, tuple[str, ...]]:
    """The e-mail addresses of each organisation's active handling staff."""
    found: dict[int, set[str]] = {}
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_profile__organisation_id__in=organisation_ids,
            groups__name__in=[Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN],
        )
        .exclude(email="")
        .values_list("staff_profile__organisation_id", "email")
    )
    for organisation_id, email in rows:
        found.setdefault(organisation_id, set()).add(email)
    return {key: tuple(sorted(value)) for key, value in found.items()}


def feedback_deadline_source(now: datetime) -> Iterator[Deadline]:
    """Reply deadlines of unanswered messages, for the handler if one is assigned, else the organisation's
    handling staff. The deadline kind carries the due date, so a changed limit gets its own reminders."""
    today = timezone.localdate(now)
    waiting = list(Feedback.objects.filter(status=FeedbackStatus.RECEIVED).select_related("handler"))
    emails = handler_emails({f.organisation_id for f in waiting})
    tz = timezone.get_current_timezone()
    for feedback in waiting:
        due_on = feedback_clock(feedback, today=today).due_on
        if due_on is None:
            continue
        due_at = datetime.combine(due_on + timedelta(days=1), time.min, tzinfo=tz)
        try:
            warn_before = warn_before_working_days(due_on, due_at)
        except CalendarUnknown:
            warn_before = timedelta(0)
        handler = feedback.handler
        recipients = (handler.email,) if handler is not None and handler.email else emails.get(
            feedback.organisation_id, ()
        )
        yield Deadline(
            source=SUBJECT_TYPE,
            subject_id=feedback.pk,
            subject_title=str(feedback),
            organisation_id=feedback.organisation_id,
            kind=f"reply:{due_on.isoformat()}",
            label=_("答复"),
            due_at=due_at,
            warn_before=warn_before,
            recipients=recipients,
            admin_path=reverse("admin:disclosure_feedback_change", args=[feedback.pk]),
            subject_label=_("留言与纠错"),
        )
