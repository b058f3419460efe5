"""The timeline of an application: when it arrived, every pause, resumption and extension of its clock,
and the reply, in date order, for the staff's change page and for the applicant's status page.

Built from the application's dated fields and its pauses (not from the activity log, whose comments are
staff text). ``for_public=True`` leaves out everything personal or internal: the party consulted (a
third party is often a person or a company), the approver's name, the reasons and notes. What remains
are dates, the kind of event and the statutory rule behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.applications import clock
from disclosure.applications.models import ConsultationKind
from disclosure.core.workdays import Reckoner


@dataclass(frozen=True)
class Event:
    day: date
    label: str
    detail: str = ""
    provisional: bool = False


def _pause_events(application, pause, *, for_public: bool, today: date) -> list[Event]:
    reckoner = Reckoner(estimate=True)
    limit = clock.pause_limit(pause, reckoner)
    kind = ConsultationKind(pause.kind).label if pause.kind in ConsultationKind.values else pause.kind
    article = _("条例第三十四条") if pause.kind == ConsultationKind.AGENCY else _("条例第三十二条")
    started = _("%(kind)s，答复期限暂停计算；征求意见时间最长%(days)d个工作日，最迟至%(limit)s（%(article)s）。") % {
        "kind": kind,
        "days": clock.THIRD_PARTY_DAYS,
        "limit": clock.dated(limit, reckoner.provisional),
        "article": article,
    }
    if not for_public:
        started = f"{started} {_('征求意见对象：')}{pause.party}"
    events = [Event(pause.started_on, _("暂停计算"), started)]
    if pause.ended_on is not None:
        if pause.ended_on >= limit:
            text = _("征求意见期满，恢复计算答复期限。")
        else:
            text = _("收到意见，恢复计算答复期限。")
        if not for_public and pause.note:
            text = f"{text} {pause.note}"
        events.append(Event(pause.ended_on, _("恢复计算"), text))
    elif today > limit:
        events.append(Event(
            limit, _("恢复计算"), _("征求意见期满，答复期限自动恢复计算。"), provisional=reckoner.provisional
        ))
    return events


def application_timeline(application, *, for_public: bool, today: date | None = None) -> list[Event]:
    """The events of ``application`` in date order (reads ``application.pauses``: prefetch it)."""
    today = today or timezone.localdate()
    events = [Event(application.received_on, _("收到申请"), _("答复期限为%(days)d个工作日（条例第三十三条）。") % {
        "days": clock.REPLY_DAYS
    })]
    if application.correction_requested_on:
        text = _("告知申请人补正，补正期间答复期限不计算（条例第三十条）。")
        if not for_public and application.correction_note:
            text = f"{text} {application.correction_note}"
        events.append(Event(application.correction_requested_on, _("告知补正"), text))
    if application.correction_received_on:
        events.append(Event(
            application.correction_received_on, _("收到补正"), _("答复期限自收到补正之日起重新计算。")
        ))
    for pause in application.pauses.all():
        events.extend(_pause_events(application, pause, for_public=for_public, today=today))
    if application.extension_approved_on:
        text = _("经本机关负责人同意，答复期限延长%(days)d个工作日（条例第三十三条，最长%(max)d个工作日）。") % {
            "days": application.extension_days,
            "max": clock.MAX_EXTENSION_DAYS,
        }
        if not for_public:
            approver = application.extension_approved_by
            name = (approver.get_full_name() or approver.get_username()) if approver else "—"
            text = f"{text} {_('批准人：')}{name}。{_('理由：')}{application.extension_reason}"
        events.append(Event(application.extension_approved_on, _("延长答复期限"), text))
    if application.extension_notified_on:
        events.append(Event(application.extension_notified_on, _("告知延期"), _("已将延长答复期限告知申请人。")))
    if application.replied_on:
        events.append(Event(application.replied_on, _("答复"), application.get_reply_type_display()))
    if application.closed_at:
        events.append(Event(timezone.localdate(application.closed_at), _("办结"), ""))
    return sorted(events, key=lambda event: event.day)
