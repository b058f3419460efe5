"""The activity log, and the one table of the actions any log may name.

Records keep their own AuditEntry (disclosure/records/models.py); every other duty writes an
ActivityEntry here, so that an auditor reads one log whatever the object. Rows name their subject by
type and id rather than by foreign key, so they survive the deletion of the subject, its organisation
and the actor.

``ACTIONS`` is the register of action names: both logs write only names listed there, and read their
Chinese labels from it. The writer refuses any other name (``ValueError``), so a misspelt action fails
the duty's tests instead of leaving an unlabelled row in the log. A duty that needs a new action adds
it here, with its label. ``SUBJECT_TYPES`` and ``SUBJECT_STATUSES`` label the other free strings of a
row for the people who read it; the features own the values (tests/disclosure/core/test_activity_log.py
checks that the two agree).
"""

from collections.abc import Mapping
from types import MappingProxyType

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.models import LogEntryModel

# Action name → what the log's reader sees. A name means one thing in every duty; where duties share a
# name (create, close, …) the label says it in words that fit each of them.
ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        # Any duty.
        "create": _("新建"),
        "update": _("修改"),
        "assign": _("指定承办人"),
        "delete": _("删除"),
        "close": _("办结（结束）"),
        # Records: the review workflow (disclosure/records/workflow.py) and revising.
        "submit": _("提交"),
        "request_changes": _("退回修改"),
        "approve": _("审核通过"),
        "publish": _("发布"),
        "schedule": _("定时发布"),
        "unschedule": _("取消定时发布"),
        "publish_due": _("到时发布"),
        "withdraw": _("撤回"),
        "supersede": _("被新版本替代"),
        "revise": _("修订"),
        # Records: the review chain (disclosure/records/review_chain.py).
        "pass_step": _("本环节审核通过"),
        "approve_urgent": _("紧急发布（先行通过）"),
        "follow_up": _("补充审核"),
        # Records: the privacy guard (disclosure/records/privacy_guard.py).
        "privacy_scan": _("个人信息检查"),
        "privacy_keep": _("个人信息保留公开"),
        "privacy_masked": _("个人信息已脱敏"),
        "privacy_removed": _("个人信息已删除"),
        # Records: the 错敏词 warning at submission (disclosure/records/site_checks.py).
        "wording_check": _("错敏词检查"),
        # Policy interpretations, written on the interpretation record.
        "link_interpretation": _("关联所解读的政策文件"),
        "unlink_interpretation": _("取消解读关联"),
        # Decision consultations and their comments.
        "open": _("开始征求意见"),
        "publish_feedback": _("公布采纳情况"),
        "moderate": _("审核公众意见"),
        "export_comments": _("导出公众意见"),
        # Public concerns.
        "respond": _("登记回应"),
        # Applications for disclosure (submit: online by the applicant).
        "register": _("登记申请"),
        "request_correction": _("告知补正"),
        "receive_correction": _("收到补正"),
        "start_consultation": _("征求意见"),
        "end_consultation": _("结束征求意见"),
        "resume_consultation": _("征求意见期满恢复计算"),
        "extend": _("延长期限"),
        "notify_extension": _("登记延期告知"),
        "reply": _("答复"),
        # Staff accounts (disclosure/core/accounts.py, passwords.py).
        "login": _("登录"),
        "login_failed": _("登录失败"),
        "logout": _("退出登录"),
        "lockout": _("登录锁定"),
        "password_change": _("修改密码"),
        "purge_personal_data": _("保存期满清除申请人个人信息"),
        # 留言与纠错 (disclosure/feedback): received online (submit), assigned (assign), then handled.
        "unpublish": _("取消公开"),
        "dismiss": _("不予处理"),
        # E-mail subscriptions (disclosure/subscriptions), by the subscriber through their links.
        "subscribe": _("申请订阅"),
        "confirm": _("确认订阅"),
        "unsubscribe": _("退订"),
        "resubscribe": _("重新订阅"),
        # Validity of policy documents (disclosure/records/validity.py): system moves and links.
        "take_effect": _("施行（生效）"),
        "become_amended": _("被修改"),
        "become_repealed": _("被废止"),
        "become_expired": _("有效期届满失效"),
        "link_policy_change": _("登记修改废止关系"),
        "unlink_policy_change": _("删除修改废止关系"),
        # 公示期 (disclosure/records/publicity.py): the setting, the end of the period, objections.
        "set_public_notice": _("设置公示期"),
        "notice_keep": _("公示期满继续公开"),
        "notice_withdraw": _("公示期满撤下"),
        "notice_deidentify": _("公示期满替换为去标识化版本"),
        "publish_deidentified": _("发布去标识化版本"),
        "submit_objection": _("提交公示异议"),
        # Records brought in from a bureau's old site (disclosure/records/importing.py).
        "imported": _("导入历史信息"),
    }
)

# subject_type → what kind of object the row is about.
SUBJECT_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "consultation": _("意见征集"),
        "consultation_comment": _("公众意见"),
        "concern": _("回应关切"),
        "service_guide": _("办事指南"),
        "application": _("依申请公开"),
        "account": _("工作人员账号"),
        "feedback": _("留言与纠错"),
        "subscription": _("邮件订阅"),
        "notice_objection": _("公示异议"),
    }
)

# subject_type → its statuses as the feature's choices label them (for from/to status in the log).
SUBJECT_STATUSES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "consultation": MappingProxyType(
            {
                "draft": _("草稿"),
                "open": _("征求意见中"),
                "closed": _("征求意见已结束"),
                "feedback_published": _("已公布采纳情况"),
            }
        ),
        "consultation_comment": MappingProxyType(
            {"pending": _("待审核"), "shown": _("公开显示"), "hidden": _("不予显示")}
        ),
        "concern": MappingProxyType({"open": _("待回应"), "responded": _("已回应"), "closed": _("已办结")}),
        "service_guide": MappingProxyType({}),
        "account": MappingProxyType({}),
        "feedback": MappingProxyType(
            {"received": _("待答复"), "replied": _("已答复"), "published": _("已公开"), "dismissed": _("不予处理")}
        ),
        "subscription": MappingProxyType(
            {"pending": _("待确认"), "confirmed": _("已订阅"), "unsubscribed": _("已退订")}
        ),
        "notice_objection": MappingProxyType(
            {"received": _("待答复"), "replied": _("已答复"), "closed": _("不予答复（已办结）")}
        ),
        "application": MappingProxyType(
            {
                "received": _("办理中"),
                "correction": _("待补正"),
                "consultation": _("征求意见中"),
                "replied": _("已答复"),
                "closed": _("已办结"),
            }
        ),
    }
)


def check_action(name: str) -> str:
    """``name`` if it is a registered action; ValueError otherwise (a programming error, not user input)."""
    if name not in ACTIONS:
        raise ValueError(f"Unregistered log action {name!r}: add it, with its label, to disclosure.core.log.ACTIONS.")
    return name


def action_label(name: str) -> str:
    """The Chinese label of an action (an old row's unregistered name is shown as it was written)."""
    label = ACTIONS.get(name)
    return str(label) if label is not None else name


def subject_type_label(subject_type: str) -> str:
    label = SUBJECT_TYPES.get(subject_type)
    return str(label) if label is not None else subject_type


def status_label(subject_type: str, status: str) -> str:
    """The Chinese label of a status of a subject type; "—" for none."""
    if not status:
        return "—"
    label = SUBJECT_STATUSES.get(subject_type, {}).get(status)
    return str(label) if label is not None else status


class ActivityEntry(LogEntryModel):
    """One state change of a non-record object.

    Invariants: append-only (``save`` refuses to update an existing row, ``delete`` always refuses);
    ``action`` is a name registered in ``ACTIONS`` (the writers refuse any other);
    ``subject_type`` + ``subject_id`` name the object (e.g. "concern", 42) and ``subject_title`` keeps
    what it was called at the time.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(_("对象类型"), max_length=40, db_index=True)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject_title = models.CharField(_("对象名称"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, blank=True)

    class Meta(LogEntryModel.Meta):
        verbose_name = _("业务操作日志")
        verbose_name_plural = _("业务操作日志")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="activity_subject_idx"),
        ]

    def __str__(self):
        return f"{self.actor_name} {action_label(self.action)} {self.subject_title}"

    @classmethod
    def write(cls, *, actor, nobody=_("系统"), action: str, **fields):
        """Append one entry; refuses (ValueError) an action not registered in ``ACTIONS``."""
        return super().write(actor=actor, nobody=nobody, action=check_action(action), **fields)

    @classmethod
    def write_for(cls, subject, *, subject_type: str, title: str, organisation_id, user, action: str,
                  from_status: str = "", to_status: str = "", comment: str = "", nobody=_("系统")):
        """Append the entry of ``user`` doing ``action`` to ``subject`` (any saved model instance)."""
        return cls.write(
            actor=user,
            nobody=nobody,
            organisation_id=organisation_id,
            subject_type=subject_type,
            subject_id=subject.pk,
            subject_title=title[:300],
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
