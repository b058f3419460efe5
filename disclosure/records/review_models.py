"""The review chain (三审): the steps an organisation's records pass before publication, and what each
step decided.

The chain an organisation configures (``ReviewChain`` with its ``ReviewStep``s) is copied into every
review round when a record is submitted (``ReviewPlan.steps``), so that changing the chain never changes
a review already under way. Each passed or returned step leaves a ``ReviewStepEntry``: who, when, which
checks, and the comment. The rules are ``disclosure/records/review_chain.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.records.models import Review


class ReviewCheck(models.TextChoices):
    """What a reviewer confirms at a step, one checkbox each. Every check of a step must be ticked to
    pass it; a chain must hold ``NOT_SECRET`` and ``OPENNESS`` in some step (保密审查 and the openness
    attribute are what review is for, DESIGN.md)."""

    ACCURATE = "accurate", _("内容准确、表述规范")
    OPENNESS = "openness", _("公开属性正确（主动公开、依申请公开或不予公开及其依据）")
    NOT_SECRET = "not_secret", _("保密审查结论：不涉及国家秘密、工作秘密")
    NO_PRIVACY = "no_privacy", _("不涉及商业秘密、个人隐私，或已依法处理")
    SIGN_OFF = "sign_off", _("同意签发")


REQUIRED_CHECKS = (ReviewCheck.NOT_SECRET, ReviewCheck.OPENNESS)

# The three-step chain of county bureaus (初审 by the section, 保密审查, 终审签发 by the responsible leader).
STANDARD_CHAIN = (
    (_("初审"), (ReviewCheck.ACCURATE, ReviewCheck.OPENNESS)),
    (_("保密审查"), (ReviewCheck.NOT_SECRET, ReviewCheck.NO_PRIVACY)),
    (_("终审签发"), (ReviewCheck.SIGN_OFF,)),
)
# An organisation that has not configured a chain reviews in one step, as before chains existed: one
# reviewer confirms the confidentiality review and the openness attribute.
SINGLE_STEP = ((_("审核"), (ReviewCheck.NOT_SECRET, ReviewCheck.OPENNESS)),)


class ReviewChain(models.Model):
    """An organisation's review chain: its steps in order. At most one per organisation.

    Invariants (checked by the chain's admin form, ``review_chain.check_steps``): one to five steps,
    numbered 1..n without gaps; together they hold every check of ``REQUIRED_CHECKS``.
    """

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="review_chain"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")

    def __str__(self):
        return str(_("%(organisation)s的审核流程") % {"organisation": self.organisation.name})


class ReviewStep(models.Model):
    """One step of a chain: its name and the checks its reviewer must confirm."""

    chain = models.ForeignKey(ReviewChain, verbose_name=_("审核流程"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("顺序"), help_text=_("从 1 开始，按顺序逐级审核。"))
    name = models.CharField(_("环节名称"), max_length=40, help_text=_("如：初审、保密审查、终审签发。"))
    checks = models.JSONField(_("审核要点"), default=list, help_text=_("本环节审核人须逐项确认的内容。"))

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="unique_review_step_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"


class ReviewPlan(models.Model):
    """The chain a review round follows, fixed at submission, and its urgent path (紧急发布).

    ``steps``: a list of {"name", "checks"} copied from the organisation's chain. ``urgent_due_at``: set
    when the first step published ahead of the others; the remaining steps are due by then.
    ``completed_at``: when the last step passed.
    """

    review = models.OneToOneField(Review, verbose_name=_("审核记录"), on_delete=models.CASCADE, related_name="plan")
    steps = models.JSONField(_("审核环节"))
    urgent_at = models.DateTimeField(_("紧急发布时间"), null=True, blank=True)
    urgent_due_at = models.DateTimeField(_("补审截止时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("全部环节完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审核环节安排")
        verbose_name_plural = _("审核环节安排")
        indexes = [models.Index(fields=["urgent_due_at", "completed_at"], name="review_plan_urgent_idx")]

    def __str__(self):
        return f"{self.review_id}: {' → '.join(step['name'] for step in self.steps)}"


class ReviewStepEntry(models.Model):
    """What one step decided: passed (with every check confirmed) or sent back (with a reason).

    Invariants: written once by ``review_chain``, never changed; one entry per step of a round
    (database constraint), so two reviewers racing for the same step cannot both pass it.
    """

    class Outcome(models.TextChoices):
        PASSED = "passed", _("通过")
        RETURNED = "returned", _("退回修改")

    review = models.ForeignKey(Review, verbose_name=_("审核记录"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("环节顺序"))
    step_name = models.CharField(_("环节名称"), max_length=40)
    outcome = models.CharField(_("结论"), max_length=10, choices=Outcome.choices)
    checks = models.JSONField(_("已确认的审核要点"), default=list)
    urgent = models.BooleanField(_("紧急发布"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(_("审核人姓名"), max_length=150)
    decided_at = models.DateTimeField(_("审核时间"))
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("审核环节记录")
        verbose_name_plural = _("审核环节记录")
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="one_entry_per_review_step"),
        ]

    def __str__(self):
        return f"{self.step_name} · {self.reviewer_name} · {self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        # Part of the history: written once (as LogEntryModel; a database trigger does not guard it yet).
        if not self._state.adding:
            raise ValueError("ReviewStepEntry rows are append-only.")
        super().save(*args, **kwargs)

    @property
    def check_labels(self) -> list[str]:
        return [check_label(code) for code in self.checks]


def check_label(code: str) -> str:
    try:
        return str(ReviewCheck(code).label)
    except ValueError:
        return code
