"""Every write to a message from the public (留言与纠错): receive it, assign, reply, publish, unpublish,
dismiss.

Each change of an existing message is a move of workflow.py carried out by the kernel's
``transitions.move()``: lock the row, check the state (``InvalidTransition``), check the right through
policy.py (``PermissionDenied``), validate, compare-and-set the status (a lost race hears
``transitions.STALE``), write the ActivityEntry. Nothing is written when a step refuses. The public form,
the admin, the demo and scripts all call these functions.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.core import privacy, transitions
from disclosure.core.contact import clean_contact
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.feedback import policy
from disclosure.feedback.models import (
    CONTACT_MAX_CHARS,
    NAME_MAX_CHARS,
    PAGE_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    TEXT_MAX_CHARS,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
)
from disclosure.feedback.selectors import SUBJECT_TYPE
from disclosure.feedback.workflow import TRANSITIONS

REPLY_MAX_CHARS = 5000
# A page of this site the message came from: a path, never an address elsewhere.
LOCAL_PATH = re.compile(r"^/(?!/)[^\s\\]*$")


def _log(feedback: Feedback, user, action: str, from_status: str = "", to_status: str = "", comment: str = ""):
    ActivityEntry.write_for(
        feedback,
        subject_type=SUBJECT_TYPE,
        title=str(feedback),
        organisation_id=feedback.organisation_id,
        user=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        nobody=_("公众"),
    )


def _move(*, user, feedback: Feedback, name: str, comment: str = "", changes=None, check=None) -> Feedback:
    locked, _previous = transitions.move(
        feedback,
        table=TRANSITIONS,
        name=name,
        user=user,
        denial=policy.denial_reason,
        log=lambda locked, previous, target, text: _log(locked, user, name, previous, target, text),
        comment=comment,
        changes=changes,
        check=check,
    )
    return locked


def clean_page_url(value: str) -> str:
    """The page of this site a message was sent from, as a path; anything else is dropped (never an
    error: the citizen did not type it)."""
    value = (value or "").strip()[:PAGE_MAX_CHARS]
    return value if LOCAL_PATH.match(value) else ""


def validate_submission(*, kind: str, subject: str, text: str, name: str, contact: str) -> dict:
    """The cleaned fields, or ValidationError in Chinese keyed by field."""
    errors, cleaned = {}, {}
    if kind not in FeedbackKind.values:
        errors["kind"] = _("请选择留言类型。")
    cleaned["subject"] = (subject or "").strip()
    if not cleaned["subject"]:
        errors["subject"] = _("请填写标题。")
    elif len(cleaned["subject"]) > SUBJECT_MAX_CHARS:
        errors["subject"] = _("标题最多%(n)d字。") % {"n": SUBJECT_MAX_CHARS}
    cleaned["text"] = (text or "").strip()
    if not cleaned["text"]:
        errors["text"] = _("请填写留言内容。")
    elif len(cleaned["text"]) > TEXT_MAX_CHARS:
        errors["text"] = _("留言内容最多%(n)d字。") % {"n": TEXT_MAX_CHARS}
    cleaned["name"] = (name or "").strip()
    if len(cleaned["name"]) > NAME_MAX_CHARS:
        errors["name"] = _("姓名或称呼最多%(n)d字。") % {"n": NAME_MAX_CHARS}
    contact = (contact or "").strip()
    if contact or kind == FeedbackKind.QUESTION:
        try:
            contact = clean_contact(
                contact,
                required_message=_("咨询需要答复，请填写联系电话或电子邮箱（不会公开）。"),
                max_chars=CONTACT_MAX_CHARS,
            )
        except ValidationError as error:
            errors["contact"] = error.messages
    cleaned["contact"] = contact
    if errors:
        raise ValidationError(errors)
    return cleaned


def feedback_submit(
    *, organisation: Organisation, kind: str, subject: str, text: str, name: str = "", contact: str = "",
    page_url: str = "", now: datetime | None = None,
) -> Feedback:
    """Save a message from the public; returns it once committed. ValidationError for bad input."""
    cleaned = validate_submission(kind=kind, subject=subject, text=text, name=name, contact=contact)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            organisation=organisation,
            kind=kind,
            page_url=clean_page_url(page_url),
            received_at=now or timezone.now(),
            **cleaned,
        )
        _log(feedback, None, "submit", "", FeedbackStatus.RECEIVED)
    return feedback


def feedback_assign(*, user, feedback: Feedback, handler) -> Feedback:
    def check(locked, transition):
        staff = get_user_model().objects.filter(
            pk=getattr(handler, "pk", None), is_active=True, staff_profile__organisation_id=locked.organisation_id
        )
        if not staff.exists():
            raise ValidationError({"handler": _("办理人必须是本单位在职的工作人员。")})

    with transaction.atomic():
        return _move(
            user=user, feedback=feedback, name="assign", comment=actor_name(handler) if handler else "",
            changes={"handler": handler}, check=check,
        )


def feedback_reply(*, user, feedback: Feedback, reply: str, now: datetime | None = None) -> Feedback:
    """Answer the message; an answer to an e-mail address is also sent there once committed."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("请填写答复内容。")})
    if len(reply) > REPLY_MAX_CHARS:
        raise ValidationError({"reply": _("答复内容最多%(n)d字。") % {"n": REPLY_MAX_CHARS}})
    with transaction.atomic():
        replied = _move(
            user=user, feedback=feedback, name="reply",
            changes={"reply": reply, "replied_at": now or timezone.now(), "replied_by_name": actor_name(user)},
        )
        if "@" in replied.contact:
            transaction.on_commit(lambda: _mail_reply(replied))
    return replied


def _mail_reply(feedback: Feedback) -> None:
    organisation = Organisation.objects.get(pk=feedback.organisation_id)
    send_mail(
        subject=_("【%(org)s】对您留言“%(subject)s”的答复") % {"org": organisation.name, "subject": feedback.subject},
        message=_("您于%(date)s的留言：\n%(text)s\n\n答复：\n%(reply)s\n\n%(org)s")
        % {
            "date": timezone.localtime(feedback.received_at).strftime("%Y年%m月%d日"),
            "text": feedback.text,
            "reply": feedback.reply,
            "org": organisation.name,
        },
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[feedback.contact],
        fail_silently=True,  # the answer is saved and shown to staff; a mail failure must not undo it
    )


def personal_data_in(feedback: Feedback, public_text: str) -> list[str]:
    """What in the text to be published, or in the reply, is personal data: the citizen's own name and
    contact, and ID, phone and bank card numbers (disclosure.core.privacy); each as a masked example."""
    problems = []
    key = ("feedback:" + settings.SECRET_KEY).encode()
    for label, text in ((_("公开的留言内容"), public_text), (_("答复内容"), feedback.reply)):
        if feedback.contact and feedback.contact in text:
            problems.append(_("%(where)s含留言人的联系方式。") % {"where": label})
        if len(feedback.name) >= 2 and feedback.name in text:
            problems.append(_("%(where)s含留言人的姓名或称呼。") % {"where": label})
        for finding in privacy.scan_text(text, key=key, where=str(label)).findings:
            problems.append(
                _("%(where)s含%(kind)s（%(masked)s）。")
                % {"where": finding.where, "kind": finding.kind_label, "masked": finding.masked}
            )
    return problems


def feedback_publish(*, user, feedback: Feedback, public_text: str, now: datetime | None = None) -> Feedback:
    """Show the question (restated without personal data) and its answer on the 互动 page."""
    public_text = (public_text or "").strip()
    if not public_text:
        raise ValidationError({"public_text": _("请填写公开的留言内容（去除个人信息后的留言）。")})
    if len(public_text) > TEXT_MAX_CHARS:
        raise ValidationError({"public_text": _("公开的留言内容最多%(n)d字。") % {"n": TEXT_MAX_CHARS}})

    def check(locked, transition):
        problems = personal_data_in(locked, public_text)
        if problems:
            raise ValidationError({"public_text": [*problems, _("请删除或隐去个人信息后再公开。")]})

    with transaction.atomic():
        return _move(
            user=user, feedback=feedback, name="publish",
            changes={"public_text": public_text, "published_at": now or timezone.now()}, check=check,
        )


def feedback_unpublish(*, user, feedback: Feedback, comment: str) -> Feedback:
    with transaction.atomic():
        return _move(user=user, feedback=feedback, name="unpublish", comment=comment, changes={"published_at": None})


def feedback_dismiss(*, user, feedback: Feedback, comment: str) -> Feedback:
    with transaction.atomic():
        return _move(user=user, feedback=feedback, name="dismiss", comment=comment)
