"""待办事项: the work waiting for the signed-in member of staff, shown at the top of the admin home page.

``todo_panel(user, app_list)`` returns plain rows: a label, a count and the admin changelist link that lists
exactly the counted objects. Each count starts from the queryset the linked changelist itself starts
from, which each duty's policy or selectors define (``records.policy.visible_records``,
``applications.policy.visible_applications``, ``concerns.policy.visible_concerns``,
``consultations.selectors.comments_for_staff`` / ``consultations_for_staff``): the panel never works out
from roles which objects a user may act on. It applies the same condition as the filter in the link (an
existing list filter, a plain field lookup, or ``id__in`` where no filter exists), so that nobody sees a
count of objects they could not open. A row is offered only when the
admin home page itself offers the changelist (its ``app_list``, built from each ModelAdmin's own
permission checks); rows counting nothing are left out.

The panel costs a fixed number of queries whatever the data (one aggregate per kind, the open
applications with their pauses), once the user's roles and the working-day calendar are loaded;
the application clocks are computed in Python with ``applications.clock.application_clock`` because the
official calendar is not SQL. "Due soon" is ``core.deadlines.DUE_SOON_WORKING_DAYS``, the same window
the reminder e-mails use.

How it reaches the page: templates/admin/index.html calls the ``{% admin_todo_panel %}`` inclusion tag
(disclosure/templatetags/admin_todo.py), the way Django's own admin index loads its "recent actions"
box through ``{% get_admin_log %}``. No AdminSite subclass, no monkeypatched ``index`` view and no
site-wide context processor: the queries run only where the panel is rendered, and the tag reuses the
``request`` and ``app_list`` the index view already put in the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from disclosure.applications import policy as application_policy
from disclosure.applications import selectors as application_selectors
from disclosure.applications.clock import application_clock
from disclosure.applications.models import Application
from disclosure.concerns import policy as concern_policy
from disclosure.concerns import selectors as concern_selectors
from disclosure.concerns.clock import next_deadline as concern_next_deadline
from disclosure.concerns.models import Concern
from disclosure.concerns.workflow import NOT_CLOSED as OPEN_CONCERN_STATUSES
from disclosure.consultations import selectors as consultation_selectors
from disclosure.consultations.clock import feedback_clock
from disclosure.consultations.models import Consultation, ConsultationComment, ConsultationStatus, Moderation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.calendar import CalendarYear
from disclosure.core.dates import cn_datetime
from disclosure.core.deadlines import DUE_SOON_WORKING_DAYS, format_duration
from disclosure.core.workdays import Reckoner, year_is_known
from disclosure.feedback import policy as feedback_policy
from disclosure.feedback.clock import feedback_clock as message_clock
from disclosure.feedback.models import Feedback, FeedbackStatus
from disclosure.records import policy, publicity, review_chain
from disclosure.records.models import Record, Status
from disclosure.records.publicity_models import NoticeObjection, ObjectionStatus
from disclosure.reports.deadline import annual_reports_due

# What application_clock reads: the applicant's particulars (personal data) are never loaded here.
CLOCK_FIELDS = (
    "id",
    "status",
    "received_on",
    "clock_start",
    "correction_requested_on",
    "correction_received_on",
    "extension_days",
    "replied_on",
)


@dataclass(frozen=True)
class TodoRow:
    """One line of the panel. ``count`` None: it cannot be computed (``note`` says why)."""

    label: str
    count: int | None
    url: str = ""
    unit: str = "条"
    urgent: bool = False
    note: str = ""
    # Shown in place of the count for a reminder that is not a number of items (e.g. "未录入").
    status: str = ""


@dataclass
class TodoSection:
    title: str
    rows: list[TodoRow] = field(default_factory=list)

    def add(self, row: TodoRow) -> None:
        """Keep rows with something to do or to say; a zero is left out."""
        if row.count or row.note or row.status:
            self.rows.append(row)


@dataclass(frozen=True)
class TodoPanel:
    title: str
    scope: str
    read_only: bool
    sections: list[TodoSection]

    @property
    def is_empty(self) -> bool:
        return not self.sections


def _link(base: str, **params) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def changelist_urls(app_list) -> dict[type, str]:
    """Model → changelist URL, for the models the admin home page links to (those the user may view)."""
    return {
        model["model"]: model["admin_url"]
        for app in app_list
        for model in app["models"]
        if model.get("admin_url")
    }


def _local(moment: datetime) -> str:
    return cn_datetime(moment)


# --- records -----------------------------------------------------------------------------------


def _record_section(user, base: str, *, is_super: bool) -> TodoSection | None:
    # Which rows to offer; which records they count is the records policy's (visible_records, written_by).
    editor = access.has_role_anywhere(user, Role.EDITOR)
    reviewer = access.has_role_anywhere(user, Role.REVIEWER)
    overseer = not reviewer and access.has_role_anywhere(user, Role.AUDITOR)
    if not (editor or reviewer or overseer):
        return None
    mine = Q(created_by=user)
    # ReviewQueueFilter ("待我审核"): submitted, no part written by them, of the reviewer's own organisation.
    queue = Q(status=Status.SUBMITTED) & ~policy.written_by(user) & ~policy.decided_a_step(user)
    if not is_super:
        queue &= Q(organisation=access.organisation_of(user))
    figures = policy.visible_records(user).aggregate(
        returned=Count("pk", filter=mine & Q(status=Status.CHANGES_REQUESTED)),
        drafts=Count("pk", filter=mine & Q(status=Status.DRAFT)),
        queue=Count("pk", filter=queue),
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        scheduled=Count("pk", filter=Q(status=Status.SCHEDULED)),
        next_scheduled=Min("publish_at", filter=Q(status=Status.SCHEDULED)),
        # 紧急发布 whose remaining review steps are past their time (records.review_chain).
        urgent_overdue=Count("pk", filter=review_chain.follow_up_overdue(), distinct=True),
    )
    section = TodoSection(_("信息发布"))
    by_me = {"created_by__id__exact": user.pk}
    if editor:
        section.add(TodoRow(
            _("退回修改的信息（我起草的）"), figures["returned"],
            _link(base, status__exact=Status.CHANGES_REQUESTED, **by_me),
        ))
        section.add(TodoRow(
            _("尚未提交审核的草稿（我起草的）"), figures["drafts"], _link(base, status__exact=Status.DRAFT, **by_me)
        ))
    if reviewer:
        section.add(TodoRow(_("待我审核的信息"), figures["queue"], _link(base, queue="mine")))
    elif overseer:
        section.add(TodoRow(_("待审核的信息"), figures["submitted"], _link(base, status__exact=Status.SUBMITTED)))
    if reviewer or overseer:
        section.add(TodoRow(
            _("审核通过待发布的信息") if reviewer else _("审核通过尚未发布的信息"),
            figures["approved"], _link(base, status__exact=Status.APPROVED),
        ))
        section.add(TodoRow(
            _("紧急发布后逾期未补充审核的信息"), figures["urgent_overdue"], _link(base, queue="urgent_overdue"),
            urgent=True,
        ))
        next_at = figures["next_scheduled"]
        section.add(TodoRow(
            _("定时发布的信息"), figures["scheduled"], _link(base, status__exact=Status.SCHEDULED),
            note=_("最近一条将于 %(when)s 发布") % {"when": _local(next_at)} if next_at else "",
        ))
    return section


# --- applications for disclosure ---------------------------------------------------------------


def _application_section(user, base: str, *, today: date) -> TodoSection:
    open_ones = list(
        application_selectors.open_applications(application_policy.visible_applications(user))
        .only(*CLOCK_FIELDS)
        .prefetch_related("pauses")
    )
    # The same reckoning as the clocks': a year whose holidays are not entered is estimated (预计).
    horizon = Reckoner(estimate=True).add(today, DUE_SOON_WORKING_DAYS)
    overdue, soon, provisional = [], [], []
    most_late = 0
    for application in open_ones:
        clock = application_clock(application, today=today)
        if clock.due_on is None or clock.paused:
            continue  # awaiting a correction (no clock) or paused for consultation: nothing falls due
        if clock.provisional:
            provisional.append(application.pk)
        if clock.overdue:
            overdue.append(application.pk)
            most_late = max(most_late, clock.overdue_days)
        elif clock.due_on <= horizon:
            soon.append(application.pk)
    section = TodoSection(_("依申请公开"))
    section.add(TodoRow(
        _("办理中、尚未答复的申请"), len(open_ones),
        _link(base, status__in=",".join(application_selectors.OPEN_STATUSES)), unit=_("件"),
    ))
    section.add(TodoRow(
        _("已逾期未答复的申请"), len(overdue), _link(base, due="overdue"), unit=_("件"), urgent=True,
        note=_("最长已逾期%(days)d个工作日") % {"days": most_late} if overdue else "",
    ))
    section.add(TodoRow(
        _("%(days)s个工作日内到期的申请") % {"days": DUE_SOON_WORKING_DAYS}, len(soon),
        _link(base, id__in=",".join(map(str, soon))), unit=_("件"),
    ))
    if provisional:
        section.add(TodoRow(
            _("答复期限为预计日期的申请"), len(provisional), _link(base, id__in=",".join(map(str, provisional))),
            unit=_("件"), note=_("所涉年度的法定节假日安排尚未录入，暂按周末休息计算；录入后自动更正。"),
        ))
    return section


# --- concerns ------------------------------------------------------------------------------------


def _concern_section(user, base: str, *, now: datetime) -> TodoSection:
    figures = concern_policy.visible_concerns(user).aggregate(
        unfinished=Count("pk", filter=Q(status__in=OPEN_CONCERN_STATUSES)),
        overdue=Count("pk", filter=concern_selectors.overdue_condition(now)),
    )
    section = TodoSection(_("回应关切"))
    section.add(TodoRow(
        _("尚未办结的关切事项"), figures["unfinished"], _link(base, status__in=",".join(OPEN_CONCERN_STATUSES)),
        unit=_("件"),
    ))
    note = ""
    if figures["overdue"]:
        # How late: the concerns' limits are clock hours (concerns/clock.py), so the lateness is a duration.
        overdue = concern_selectors.overdue_concerns(concern_policy.visible_concerns(user), now=now)
        late = [
            deadline.overdue_by
            for concern in overdue.prefetch_related("responses")
            if (deadline := concern_next_deadline(concern, now=now)) is not None and deadline.overdue_by
        ]
        if late:
            note = _("最长已逾期%(span)s") % {"span": format_duration(max(late))}
    section.add(TodoRow(
        _("已逾期的关切事项（有时限未完成）"), figures["overdue"], _link(base, clock="overdue"), unit=_("件"), urgent=True,
        note=note,
    ))
    return section


# --- consultations -----------------------------------------------------------------------------


def _consultation_section(
    user, comments_base: str | None, consultations_base: str | None, *, now: datetime | None = None
) -> TodoSection:
    section = TodoSection(_("意见征集"))
    if comments_base:
        pending = consultation_selectors.comments_for_staff(user).filter(moderation=Moderation.PENDING).count()
        section.add(TodoRow(
            _("待审核的公众意见"), pending, _link(comments_base, moderation__exact=Moderation.PENDING)
        ))
    if consultations_base:
        closed = consultation_selectors.consultations_for_staff(user).filter(status=ConsultationStatus.CLOSED).count()
        section.add(TodoRow(
            _("已结束、尚未公布采纳情况的意见征集"), closed,
            _link(consultations_base, status__exact=ConsultationStatus.CLOSED), unit=_("项"),
        ))
        # The feedback's time limit (consultations/clock.py), the admin's own 采纳情况 逾期未公布 filter.
        late = [
            feedback_clock(c, now=now)
            for c in consultation_selectors.awaiting_feedback(consultation_selectors.consultations_for_staff(user), now=now)
        ]
        late = [clock for clock in late if clock.overdue]
        section.add(TodoRow(
            _("采纳情况逾期未公布的意见征集"), len(late), _link(consultations_base, feedback="overdue"), unit=_("项"),
            urgent=True,
            note=_("最长已逾期%(days)d个工作日") % {"days": max(c.overdue_days for c in late)} if late else "",
        ))
    return section


# --- 留言与纠错 ----------------------------------------------------------------------------------


def _feedback_section(user, base: str, *, today: date) -> TodoSection:
    open_ones = list(
        feedback_policy.visible_feedback(user)
        .filter(status__in=(FeedbackStatus.RECEIVED, FeedbackStatus.REPLIED))
        .only("kind", "received_at", "replied_at", "status")
    )
    waiting = [f for f in open_ones if f.status == FeedbackStatus.RECEIVED]
    overdue = [f for f in waiting if message_clock(f, today=today).overdue]
    replied = len(open_ones) - len(waiting)
    section = TodoSection(_("留言与纠错"))
    section.add(TodoRow(_("待答复的留言"), len(waiting), _link(base, clock="waiting")))
    section.add(TodoRow(_("已逾期未答复的留言"), len(overdue), _link(base, clock="overdue"), urgent=True))
    section.add(TodoRow(_("已答复、尚未公开的留言"), replied, _link(base, status__exact=FeedbackStatus.REPLIED)))
    return section


# --- objections to a 公示 (disclosure/records/publicity.py) -------------------------------------


def _objection_section(user, base: str, *, today: date) -> TodoSection:
    """Unanswered objections the user is responsible for (异议承办人), and how many are past their reply date."""
    mine = publicity.visible_objections(user).filter(publicity.mine_condition(user), status=ObjectionStatus.RECEIVED)
    figures = mine.aggregate(open=Count("pk", distinct=True),
                             overdue=Count("pk", filter=Q(reply_due_on__lt=today), distinct=True))
    section = TodoSection(_("公示异议"))
    section.add(TodoRow(
        _("待答复的公示异议（我负责的）"), figures["open"],
        _link(base, mine="1", status__exact=ObjectionStatus.RECEIVED), unit=_("件"),
    ))
    section.add(TodoRow(
        _("已过答复期限的公示异议（我负责的）"), figures["overdue"],
        _link(base, mine="1", status__exact=ObjectionStatus.RECEIVED, reply_due_on__lt=today.isoformat()),
        unit=_("件"), urgent=True,
    ))
    return section


# --- the panel ---------------------------------------------------------------------------------


# --- the working-day calendar ----------------------------------------------------------------------

# From this month on, next year's holiday schedule is due: the State Council publishes it in
# November, and every working-day deadline that reaches into January needs it.
CALENDAR_WARNING_MONTH = 11


def _calendar_section(today: date, entry_url: str | None) -> TodoSection:
    """A reminder while this year's, or (from November) next year's, holiday schedule is unknown."""
    section = TodoSection(_("系统提醒"))
    years = [today.year] + ([today.year + 1] if today.month >= CALENDAR_WARNING_MONTH else [])
    for year in years:
        if year_is_known(year):
            continue
        section.add(TodoRow(
            _("%(year)s年法定节假日安排尚未录入") % {"year": year},
            None,
            entry_url or "",
            status=_("未录入"),
            note=(
                _("请按国务院办公厅放假安排通知录入（日历年度 › 按通知录入）；录入前，跨入该年的工作日期限无法准确计算。")
                if entry_url
                else _("请系统管理员按国务院办公厅放假安排通知录入；录入前，跨入该年的工作日期限无法准确计算。")
            ),
        ))
    return section


def _annual_report_section(user, today: date) -> TodoSection:
    """From 1 January, last year's annual report of each organisation in scope until it is published;
    urgent once 31 January has passed (条例 article 49)."""
    section = TodoSection(_("政府信息公开工作年度报告"))
    organisations = access.organisations_in_scope(user).filter(
        pk__in=catalog_selectors.disclosing_organisations().values("pk")
    )
    for due in annual_reports_due(organisations.order_by("tree_id", "lft"), today):
        if due.published_on is not None:
            continue
        section.add(TodoRow(
            _("%(org)s%(year)s年年度报告") % {"org": due.organisation.name, "year": due.year},
            None,
            # No link: the panel's links list exactly what a row counts, and this row counts no rows.
            urgent=due.overdue,
            status=_("逾期未发布") if due.overdue else _("待发布"),
            note=_("应于%(day)s前发布（条例第四十九条）；在“政府信息公开工作年度报告”中编写并生成信息稿。")
            % {"day": f"{due.due_on:%Y年%-m月%-d日}"},
        ))
    return section


def todo_panel(user, app_list, *, now: datetime | None = None) -> TodoPanel | None:
    """The panel for ``user``, or None for an account without a role (nothing could be waiting).

    ``app_list`` is the admin home page's list of apps and models (``AdminSite.get_app_list``): only
    the changelists it links to are counted and linked.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    is_super = access.is_superuser(user)
    if not (is_super or access.roles_of(user)):
        return None
    urls = changelist_urls(app_list)
    # Read-only: someone who handles neither applications nor concerns (an auditor) acts on nothing.
    read_only = not (application_policy.is_handler(user) or concern_policy.may_register_anywhere(user))
    sections = []
    if url := urls.get(Record):
        sections.append(_record_section(user, url, is_super=is_super))
    if url := urls.get(Application):
        sections.append(_application_section(user, url, today=today))
    if url := urls.get(Concern):
        sections.append(_concern_section(user, url, now=now))
    if url := urls.get(Feedback):
        sections.append(_feedback_section(user, url, today=today))
    comments_url, consultations_url = urls.get(ConsultationComment), urls.get(Consultation)
    if comments_url or consultations_url:
        sections.append(_consultation_section(user, comments_url, consultations_url, now=now))
    if url := urls.get(NoticeObjection):
        sections.append(_objection_section(user, url, today=today))
    calendar_url = urls.get(CalendarYear) and reverse("admin:disclosure_calendaryear_enter_notice")
    sections.append(_calendar_section(today, calendar_url))
    sections.append(_annual_report_section(user, today))
    if is_super:
        scope = _("全部单位")
    elif access.has_role_anywhere(user, Role.AUDITOR):
        # visible_applications: an application carries personal data, so only the own organisation's.
        scope = _("本单位及下级单位（依申请公开仅本单位）")
    else:
        scope = _("本单位")
    return TodoPanel(
        title=_("待办情况（只读）") if read_only else _("待办事项"),
        scope=scope,
        read_only=read_only,
        sections=[section for section in sections if section is not None and section.rows],
    )
