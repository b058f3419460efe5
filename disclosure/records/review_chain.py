"""The review chain (三审): which step a submitted record is at, what that step requires, and what it
leaves behind. The moves themselves are services (``disclosure/records/services.py``: ``record_pass_step``,
``record_approve``, ``record_approve_urgent``, ``record_follow_up``, ``record_request_changes``); they
call ``check_step`` after the kernel's state and right checks and ``write_entry`` after the move.

Rules:
- an organisation's chain is its configured ``ReviewChain``; without one, a single step "审核" (the
  confidentiality review and the openness attribute, as before chains existed);
- the chain is copied into the review round at submission (``ReviewPlan``), steps pass in order, and
  the record is approved only when the last step passes;
- each step's reviewer confirms every check of the step; nobody passes two steps of one round (the
  policy refuses it), and nobody who wrote the record passes any (the four-eyes rule of the policy);
- any step sends the record back with a reason (``request_changes``), which closes the round;
- 紧急发布: the first step of a chain of two or more may approve the record ahead of the others with a
  reason; the remaining steps are then due within ``RECORD_URGENT_REVIEW_HOURS`` hours (``follow_up``,
  also once the record is published), and an overdue one is flagged on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.core.models import actor_name
from disclosure.core.transitions import STALE, InvalidTransition
from disclosure.records.models import Record, Review, Status
from disclosure.records.review_models import (
    REQUIRED_CHECKS,
    SINGLE_STEP,
    ReviewChain,
    ReviewCheck,
    ReviewPlan,
    ReviewStep,
    ReviewStepEntry,
    check_label,
)

# The moves of the chain that pass a step (request_changes sends back).
STEP_MOVES = ("pass_step", "approve", "approve_urgent", "follow_up")
MAX_STEPS = 5


def urgent_hours() -> int:
    return int(getattr(settings, "RECORD_URGENT_REVIEW_HOURS", 24))


# ------------------------------------------------------------------------------------------- the chain


def chain_steps(organisation_id: int) -> list[dict]:
    """The organisation's steps as [{"name", "checks"}], in order; the single default step if it has
    configured none."""
    chain = ReviewChain.objects.filter(organisation_id=organisation_id).prefetch_related("steps").first()
    steps = [{"name": s.name, "checks": list(s.checks)} for s in chain.steps.all()] if chain else []
    return steps or [{"name": str(name), "checks": list(checks)} for name, checks in SINGLE_STEP]


def check_steps(steps: Sequence[tuple[str, Iterable[str]]]) -> None:
    """A chain's steps (name, checks) are valid: one to MAX_STEPS steps, each with a name and at least
    one known check, and together every check of REQUIRED_CHECKS. ValidationError in Chinese."""
    if not steps:
        raise ValidationError(_("审核流程至少要有一个环节。"))
    if len(steps) > MAX_STEPS:
        raise ValidationError(_("审核流程最多 %(n)s 个环节。") % {"n": MAX_STEPS})
    held = set()
    for name, checks in steps:
        checks = set(checks)
        if not (name or "").strip():
            raise ValidationError(_("每个环节都要有名称。"))
        if not checks:
            raise ValidationError(_("环节“%(name)s”至少要有一项审核要点。") % {"name": name})
        unknown = checks - set(ReviewCheck.values)
        if unknown:
            raise ValidationError(_("未知的审核要点：%(codes)s") % {"codes": "、".join(sorted(unknown))})
        held |= checks
    missing = [check for check in REQUIRED_CHECKS if check not in held]
    if missing:
        raise ValidationError(
            _("审核流程中必须有环节确认：%(checks)s。") % {"checks": "；".join(check_label(c) for c in missing)}
        )


def chain_set(chain: ReviewChain, steps: Sequence[tuple[str, Iterable[str]]]) -> None:
    """Replace the steps of ``chain`` by ``steps`` (name, checks), numbered 1..n, after checking them.
    Must run in a transaction (the admin's save does)."""
    check_steps(steps)
    ReviewStep.objects.filter(chain=chain).delete()
    ReviewStep.objects.bulk_create(
        ReviewStep(chain=chain, position=n, name=name.strip(), checks=normalise_checks(checks))
        for n, (name, checks) in enumerate(steps, start=1)
    )


# ------------------------------------------------------------------------------------- a round's progress


@dataclass
class Progress:
    """Where an open review round stands: its plan, the entries so far, and the next step."""

    review: Review
    steps: list[dict]
    entries: list[ReviewStepEntry]
    plan: ReviewPlan | None

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def position(self) -> int:
        """1-based position of the next step to decide."""
        return len(self.entries) + 1

    @property
    def next_step(self) -> dict | None:
        return self.steps[len(self.entries)] if len(self.entries) < len(self.steps) else None

    @property
    def is_last(self) -> bool:
        return self.position == self.total

    @property
    def urgent(self) -> bool:
        return self.plan is not None and self.plan.urgent_at is not None

    @property
    def overdue(self) -> bool:
        plan = self.plan
        return bool(plan and plan.urgent_due_at and plan.completed_at is None and plan.urgent_due_at < timezone.now())

    def passed_by(self, user) -> bool:
        return user is not None and any(entry.reviewer_id == user.pk for entry in self.entries)


def progress_of(record: Record) -> Progress | None:
    """The open review round of ``record`` and how far it has come, or None when none is open.

    A round opened before chains existed has no plan: it is the single default step."""
    review = Review.objects.filter(record_id=record.pk, decision=Review.Decision.OPEN).first()
    if review is None:
        return None
    plan = ReviewPlan.objects.filter(review=review).first()
    steps = plan.steps if plan else [{"name": str(name), "checks": list(checks)} for name, checks in SINGLE_STEP]
    entries = list(ReviewStepEntry.objects.filter(review=review).order_by("position"))
    return Progress(review=review, steps=steps, entries=entries, plan=plan)


def start_plan(review: Review) -> ReviewPlan:
    """Fix the chain a new review round follows (at submission)."""
    return ReviewPlan.objects.create(review=review, steps=chain_steps(review.record.organisation_id))


def normalise_checks(checks: Iterable[str]) -> list[str]:
    wanted = set(checks)
    return [code for code in ReviewCheck.values if code in wanted]


def check_step(record: Record, name: str, checks: Iterable[str] = (), *, position: int | None = None) -> Progress:
    """May the move ``name`` decide the next step of ``record`` now, with ``checks`` confirmed?

    Wrong step for the move → InvalidTransition; a check of the step not confirmed → ValidationError.
    Called after the state and the right are known good (``move(check=…)``)."""
    progress = progress_of(record)
    if progress is None or progress.next_step is None:
        if name == "follow_up":
            raise InvalidTransition(_("该信息没有待补充审核的环节。"))
        raise InvalidTransition(_("该信息没有进行中的审核。"))
    if position is not None and position != progress.position:
        # Someone else decided the step this reviewer was looking at.
        raise InvalidTransition(STALE)
    step = progress.next_step
    where = {"n": progress.position, "total": progress.total, "step": step["name"]}
    if name == "pass_step" and progress.is_last:
        raise InvalidTransition(_("当前是最后一个环节“%(step)s”，请使用“审核通过”。") % where)
    if name == "approve" and not progress.is_last:
        raise InvalidTransition(
            _("当前是第 %(n)s 个环节（共 %(total)s 个）“%(step)s”，后续环节审核通过后才能审核通过。") % where
        )
    if name == "approve_urgent" and (progress.position != 1 or progress.total < 2):
        raise InvalidTransition(_("只有多环节审核流程的第一个环节可以紧急发布。"))
    if name == "follow_up" and not progress.urgent:
        raise InvalidTransition(_("该信息没有待补充审核的环节。"))
    if name in STEP_MOVES:
        confirmed = set(checks)
        missing = [code for code in step["checks"] if code not in confirmed]
        if missing:
            raise ValidationError(
                _("“%(step)s”须逐项确认审核要点：%(checks)s。")
                % {"step": step["name"], "checks": "；".join(check_label(code) for code in missing)}
            )
    return progress


def write_entry(progress: Progress, *, user, outcome: str, checks: Iterable[str], comment: str, urgent=False):
    """The step's record; passing the last step completes the plan. Returns the entry."""
    now = timezone.now()
    entry = ReviewStepEntry.objects.create(
        review=progress.review,
        position=progress.position,
        step_name=progress.next_step["name"],
        outcome=outcome,
        checks=normalise_checks(checks) if outcome == ReviewStepEntry.Outcome.PASSED else [],
        urgent=urgent,
        reviewer=user,
        reviewer_name=actor_name(user),
        decided_at=now,
        comment=comment,
    )
    if progress.plan is not None:
        if urgent:
            progress.plan.urgent_at = now
            progress.plan.urgent_due_at = now + timedelta(hours=urgent_hours())
            progress.plan.save(update_fields=["urgent_at", "urgent_due_at"])
        elif outcome == ReviewStepEntry.Outcome.PASSED and progress.is_last:
            progress.plan.completed_at = now
            progress.plan.save(update_fields=["completed_at"])
    progress.entries.append(entry)
    return entry


def moves_that_apply(record: Record, progress: Progress | None = None) -> set[str]:
    """Of the chain's moves, those that fit the step ``record`` is at (the admin offers only these)."""
    progress = progress if progress is not None else progress_of(record)
    if progress is None or progress.next_step is None:
        return set()
    if progress.urgent:
        return {"follow_up"}
    moves = {"request_changes", "approve" if progress.is_last else "pass_step"}
    if progress.position == 1 and progress.total > 1:
        moves.add("approve_urgent")
    return moves


def has_passed_a_step(user, record: Record) -> bool:
    """Whether ``user`` already decided a step of the record's open round (nobody passes two)."""
    if user is None or user.pk is None:
        return False
    return ReviewStepEntry.objects.filter(
        review__record_id=record.pk, review__decision=Review.Decision.OPEN, reviewer_id=user.pk
    ).exists()


def follow_up_overdue(prefix: str = "") -> Q:
    """Records approved urgently (紧急发布) whose remaining steps are past their time: one condition, for
    the dashboard's count and the list filter it links to."""
    # Only where the follow-up can still be made (a withdrawn or superseded record takes no more steps).
    return Q(**{f"{prefix}status__in": [Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED]}) & Q(
        Exists(
            ReviewPlan.objects.filter(
                review__record=OuterRef(f"{prefix}pk"),
                review__decision=Review.Decision.OPEN,
                completed_at__isnull=True,
                urgent_due_at__lt=timezone.now(),
            )
        )
    )


# ------------------------------------------------------------------------------------ the 审核表


@dataclass(frozen=True)
class SheetRow:
    round: int
    position: int
    step_name: str
    reviewer_name: str
    decided_at: object
    outcome: str
    checks: list[str]
    comment: str
    urgent: bool


def review_sheet_rows(record: Record) -> list[SheetRow]:
    """Every step decided for ``record``, round by round (a round per submission), in order."""
    rows = []
    reviews = list(Review.objects.filter(record_id=record.pk).order_by("submitted_at", "pk"))
    entries = {}
    for entry in ReviewStepEntry.objects.filter(review__record_id=record.pk).order_by("position"):
        entries.setdefault(entry.review_id, []).append(entry)
    for number, review in enumerate(reviews, start=1):
        for entry in entries.get(review.pk, []):
            rows.append(
                SheetRow(
                    round=number,
                    position=entry.position,
                    step_name=entry.step_name,
                    reviewer_name=entry.reviewer_name,
                    decided_at=entry.decided_at,
                    outcome=entry.get_outcome_display(),
                    checks=entry.check_labels,
                    comment=entry.comment,
                    urgent=entry.urgent,
                )
            )
    return rows
