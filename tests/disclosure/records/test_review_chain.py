"""The review chain (三审, disclosure/records/review_chain.py) and its moves in the records' transition table.

The county here reviews in the standard three steps (初审 → 保密审查 → 终审签发), one reviewer each; the
township keeps one step. Each move: allowed (state, step entry, audit row), wrong state or wrong step
(InvalidTransition), wrong user (PermissionDenied: not a reviewer, the author — even holding every role —,
a reviewer who already decided a step of the round), missing checks (ValidationError), and nothing
written on any refusal. Then the 审核表, the urgent path (紧急发布) and the chain's admin.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disclosure.core.access import Role
from disclosure.records import review_chain, services
from disclosure.records.models import AuditEntry, Record, Review, Status
from disclosure.records.review_models import (
    STANDARD_CHAIN,
    ReviewChain,
    ReviewCheck,
    ReviewPlan,
    ReviewStep,
    ReviewStepEntry,
)
from disclosure.records.workflow import InvalidTransition
from tests.admin_client import client_for, messages_of
from tests.factories import CatalogNodeFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
FIRST = [ReviewCheck.ACCURATE, ReviewCheck.OPENNESS]
SECOND = [ReviewCheck.NOT_SECRET, ReviewCheck.NO_PRIVACY]
THIRD = [ReviewCheck.SIGN_OFF]
ALL_ROLES = (Role.EDITOR, Role.REVIEWER, Role.ORG_ADMIN, Role.AUDITOR)


@pytest.fixture
def c(demo_orgs):
    county, township = demo_orgs[COUNTY], demo_orgs[TOWNSHIP]
    chain = ReviewChain.objects.create(organisation=county)
    review_chain.chain_set(chain, [(str(name), checks) for name, checks in STANDARD_CHAIN])
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county", "township"])
    item = CatalogNodeFactory(code="0205", name="配给管理", parent=domain, levels=["county", "township"])
    return SimpleNamespace(
        county=county,
        township=township,
        node=CatalogNodeFactory(code="020503", name="配租（分配）结果", parent=item, levels=["county", "township"]),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        first=make_staff(county, Role.REVIEWER, username="first", first_name="李建国"),
        second=make_staff(county, Role.REVIEWER, username="second", first_name="孙丽华"),
        third=make_staff(county, Role.REVIEWER, username="third", first_name="周国平"),
        # Writes and holds every role of the organisation.
        author_all=make_staff(county, *ALL_ROLES, username="all", first_name="赵敏"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor", first_name="陈静"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        town_editor=make_staff(township, Role.EDITOR, username="town_editor"),
        town_reviewer=make_staff(township, Role.REVIEWER, username="town_reviewer", first_name="赵红梅"),
        town_orgadmin=make_staff(township, Role.ORG_ADMIN, username="town_orgadmin"),
    )


def submitted(c, author=None, organisation=None, **overrides) -> Record:
    author = author or c.editor
    record = services.record_create(
        user=author, organisation=organisation or c.county, node=c.node, **record_fields(**overrides)
    )
    return services.record_submit(user=author, record=record)


def at_step(c, position: int, author=None) -> Record:
    """A submitted record whose steps before ``position`` were passed by the first reviewers."""
    record = submitted(c, author)
    for reviewer, checks in [(c.first, FIRST), (c.second, SECOND)][: position - 1]:
        record = services.record_pass_step(user=reviewer, record=record, checks=checks, comment="同意")
    return record


def db_state(record: Record) -> dict:
    return {
        "record": Record.objects.filter(pk=record.pk).values().get(),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "reviews": list(Review.objects.order_by("pk").values()),
        "steps": list(ReviewStepEntry.objects.order_by("pk").values()),
        "plans": list(ReviewPlan.objects.order_by("pk").values()),
    }


# ------------------------------------------------------------------------------------ the full chain


@pytest.mark.django_db
def test_three_steps_by_three_people_approve_and_log_each_step(c):
    """初审, 保密审查 and 终审签发 pass by three reviewers in turn: the record stays 待审核 until the last,
    each step leaves who, when, the checks confirmed and the comment, and the log one row per move."""
    record = submitted(c)
    since = timezone.now()
    record = services.record_pass_step(user=c.first, record=record, checks=FIRST, comment="内容准确")
    assert Record.objects.get(pk=record.pk).status == Status.SUBMITTED
    record = services.record_pass_step(user=c.second, record=record, checks=SECOND, comment="不涉密")
    assert Record.objects.get(pk=record.pk).status == Status.SUBMITTED
    record = services.record_approve(user=c.third, record=record, checks=THIRD, comment="同意签发")
    record.refresh_from_db()
    assert record.status == Status.APPROVED

    entries = list(ReviewStepEntry.objects.filter(review__record=record).order_by("position"))
    assert [(e.position, e.step_name, e.reviewer, e.reviewer_name, e.checks, e.comment, e.outcome) for e in entries] == [
        (1, "初审", c.first, "李建国", FIRST, "内容准确", "passed"),
        (2, "保密审查", c.second, "孙丽华", SECOND, "不涉密", "passed"),
        (3, "终审签发", c.third, "周国平", THIRD, "同意签发", "passed"),
    ]
    assert all(since <= e.decided_at <= timezone.now() for e in entries)
    review = record.reviews.get()
    assert (review.decision, review.reviewer, review.confidentiality_checked, review.openness_checked) == (
        Review.Decision.APPROVED, c.third, True, True,
    )
    assert review.plan.completed_at is not None
    log = list(record.audit_entries.order_by("id").values_list("action", "actor_name", "from_status", "to_status"))
    assert log[-3:] == [
        ("pass_step", "李建国", "submitted", "submitted"),
        ("pass_step", "孙丽华", "submitted", "submitted"),
        ("approve", "周国平", "submitted", "approved"),
    ]
    # Publication only now, after the last step.
    services.record_publish(user=c.first, record=record)
    assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_a_one_step_township_chain_approves_in_one_decision(c):
    """A township without a configured chain reviews in one step (保密审查 and the openness attribute)."""
    record = submitted(c, c.town_editor, organisation=c.township)
    record = services.record_approve(
        user=c.town_reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    assert record.status == Status.APPROVED
    entry = ReviewStepEntry.objects.get(review__record=record)
    assert (entry.step_name, entry.checks, entry.reviewer_name) == (
        "审核", [ReviewCheck.OPENNESS, ReviewCheck.NOT_SECRET], "赵红梅",
    )


# ------------------------------------------------------------------------------- wrong step, wrong state


@pytest.mark.django_db
@pytest.mark.parametrize(
    "position,move",
    [
        (1, "approve"),  # the last step's move at the first step
        (2, "approve"),
        (3, "pass_step"),  # the last step must approve
        (2, "approve_urgent"),  # only the first step publishes ahead
        (1, "follow_up"),  # nothing published urgently
    ],
)
def test_a_move_that_does_not_fit_the_step_is_invalid_and_writes_nothing(c, position, move):
    record = at_step(c, position)
    reviewer = [c.first, c.second, c.third][position - 1]
    checks = [FIRST, SECOND, THIRD][position - 1]
    calls = {
        "approve": lambda: services.record_approve(user=reviewer, record=record, checks=checks),
        "pass_step": lambda: services.record_pass_step(user=reviewer, record=record, checks=checks),
        "approve_urgent": lambda: services.record_approve_urgent(
            user=reviewer, record=record, checks=checks, reason="紧急"
        ),
        "follow_up": lambda: services.record_follow_up(user=reviewer, record=record, checks=checks),
    }
    before = db_state(record)
    with pytest.raises(InvalidTransition):
        calls[move]()
    assert db_state(record) == before


@pytest.mark.django_db
def test_step_moves_from_a_draft_are_invalid(c):
    draft = services.record_create(user=c.editor, organisation=c.county, node=c.node, **record_fields())
    before = db_state(draft)
    for call in (
        lambda: services.record_pass_step(user=c.first, record=draft, checks=FIRST),
        lambda: services.record_approve_urgent(user=c.first, record=draft, checks=FIRST, reason="紧急"),
        lambda: services.record_follow_up(user=c.first, record=draft, checks=FIRST),
    ):
        with pytest.raises(InvalidTransition):
            call()
    assert db_state(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize("position", [1, 2, 3])
def test_missing_checks_refuse_the_step_and_write_nothing(c, position):
    """Every check of the step must be confirmed; one missing: ValidationError naming it, nothing written."""
    record = at_step(c, position)
    reviewer = [c.first, c.second, c.third][position - 1]
    checks = [FIRST, SECOND, THIRD][position - 1][1:]
    before = db_state(record)
    call = services.record_approve if position == 3 else services.record_pass_step
    with pytest.raises(ValidationError):
        call(user=reviewer, record=record, checks=checks)
    assert db_state(record) == before


# ------------------------------------------------------------------------------------------ wrong user


@pytest.mark.django_db
@pytest.mark.parametrize("position", [1, 2, 3])
@pytest.mark.parametrize("superuser", [False, True])
def test_the_author_holding_every_role_passes_no_step_of_their_own_record(c, position, superuser):
    """The author holds 信息员, 审核员, 单位管理员 and 审计员 (and, in the second case, is a superuser):
    at every step every chain move is PermissionDenied, and nothing is written."""
    if superuser:
        c.author_all.is_superuser = True
        c.author_all.save()
    record = at_step(c, position, author=c.author_all)
    checks = [FIRST, SECOND, THIRD][position - 1]
    before = db_state(record)
    calls = [
        lambda: services.record_pass_step(user=c.author_all, record=record, checks=checks),
        lambda: services.record_approve(user=c.author_all, record=record, checks=checks),
        lambda: services.record_approve_urgent(user=c.author_all, record=record, checks=checks, reason="紧急"),
        lambda: services.record_request_changes(user=c.author_all, record=record, comment="退回"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert db_state(record) == before


@pytest.mark.django_db
def test_a_colleague_who_edited_the_record_passes_no_step(c):
    """Whoever changed any version is an author too: a reviewer who also edits, and edited, is refused."""
    both = make_staff(c.county, Role.EDITOR, Role.REVIEWER, username="both")
    record = services.record_create(user=c.editor, organisation=c.county, node=c.node, **record_fields())
    services.record_update(user=both, record=record, title="关于公布2026年度公租房配租结果的公告（更正）")
    record = services.record_submit(user=c.editor, record=record)
    before = db_state(record)
    with pytest.raises(PermissionDenied):
        services.record_pass_step(user=both, record=record, checks=FIRST)
    assert db_state(record) == before


@pytest.mark.django_db
def test_nobody_decides_two_steps_of_one_round(c):
    """The reviewer of 初审 may not also do 保密审查 or 终审签发 of the same round (PermissionDenied)."""
    record = at_step(c, 2)
    before = db_state(record)
    with pytest.raises(PermissionDenied):
        services.record_pass_step(user=c.first, record=record, checks=SECOND)
    with pytest.raises(PermissionDenied):
        services.record_request_changes(user=c.first, record=record, comment="我想再看看")
    assert db_state(record) == before
    record = services.record_pass_step(user=c.second, record=record, checks=SECOND)
    with pytest.raises(PermissionDenied):
        services.record_approve(user=c.second, record=record, checks=THIRD)
    with pytest.raises(PermissionDenied):
        services.record_approve(user=c.first, record=record, checks=THIRD)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "auditor", "orgadmin", "town_reviewer"])
def test_people_without_the_reviewer_role_of_the_organisation_pass_no_step(c, who):
    record = at_step(c, 1)
    before = db_state(record)
    with pytest.raises(PermissionDenied):
        services.record_pass_step(user=getattr(c, who), record=record, checks=FIRST)
    assert db_state(record) == before


# -------------------------------------------------------------------------------------- sending back


@pytest.mark.django_db
@pytest.mark.parametrize("position", [1, 2, 3])
def test_any_step_sends_back_with_a_reason_and_a_new_round_starts_at_the_first_step(c, position):
    """Sending back at any step closes the round (entry "退回修改" with the reason); resubmitted, the
    record starts again at 初审, and the people of the old round may decide again."""
    record = at_step(c, position)
    reviewer = [c.first, c.second, c.third][position - 1]
    with pytest.raises(ValidationError):
        services.record_request_changes(user=reviewer, record=record, comment="  ")
    record = services.record_request_changes(user=reviewer, record=record, comment="请核实配租人数")
    assert Record.objects.get(pk=record.pk).status == Status.CHANGES_REQUESTED
    returned = ReviewStepEntry.objects.get(review__record=record, outcome=ReviewStepEntry.Outcome.RETURNED)
    assert (returned.position, returned.reviewer, returned.comment, returned.checks) == (
        position, reviewer, "请核实配租人数", [],
    )
    assert record.reviews.get().decision == Review.Decision.CHANGES_REQUESTED

    record = services.record_submit(user=c.editor, record=record)
    progress = review_chain.progress_of(record)
    assert (progress.position, progress.next_step["name"]) == (1, "初审")
    services.record_pass_step(user=c.first, record=record, checks=FIRST)


@pytest.mark.django_db
def test_a_chain_changed_during_review_does_not_change_the_round(c):
    """The steps are fixed at submission: shortening the chain afterwards leaves the open round at three."""
    record = at_step(c, 2)
    review_chain.chain_set(c.county.review_chain, [("审核", [ReviewCheck.NOT_SECRET, ReviewCheck.OPENNESS])])
    progress = review_chain.progress_of(record)
    assert (progress.position, progress.total, progress.next_step["name"]) == (2, 3, "保密审查")


# ------------------------------------------------------------------------------------------ 紧急发布


@pytest.mark.django_db
def test_urgent_publication_after_the_first_step_then_the_others_follow_within_the_hours(c, settings):
    """紧急发布: the first step approves with a reason; the record may be published at once; the other
    two steps are due RECORD_URGENT_REVIEW_HOURS (here 6) hours later and pass on the published record;
    the last one completes the round."""
    settings.RECORD_URGENT_REVIEW_HOURS = 6
    record = submitted(c)
    with pytest.raises(ValidationError):  # a reason is required
        services.record_approve_urgent(user=c.first, record=record, checks=FIRST, reason="")
    record = services.record_approve_urgent(user=c.first, record=record, checks=FIRST, reason="暴雨预警须立即公布")
    assert Record.objects.get(pk=record.pk).status == Status.APPROVED
    plan = ReviewPlan.objects.get(review__record=record)
    assert plan.urgent_due_at - plan.urgent_at == timedelta(hours=6)
    entry = ReviewStepEntry.objects.get(review__record=record)
    assert (entry.urgent, entry.comment) == (True, "暴雨预警须立即公布")

    record = services.record_publish(user=c.second, record=record)
    assert record.status == Status.PUBLISHED
    record = services.record_follow_up(user=c.second, record=record, checks=SECOND, comment="补审：不涉密")
    assert record.status == Status.PUBLISHED and record.reviews.get().decision == Review.Decision.OPEN
    before = db_state(record)
    with pytest.raises(PermissionDenied):  # 保密审查 done by c.second: not the final step too
        services.record_follow_up(user=c.second, record=record, checks=THIRD)
    assert db_state(record) == before
    record = services.record_follow_up(user=c.third, record=record, checks=THIRD, comment="同意签发")
    plan.refresh_from_db()
    assert plan.completed_at is not None
    assert record.reviews.get().decision == Review.Decision.APPROVED
    with pytest.raises(InvalidTransition):  # nothing left to follow up
        services.record_follow_up(user=c.first, record=record, checks=THIRD)


@pytest.mark.django_db
def test_overdue_urgent_steps_are_flagged_on_the_dashboard(c, settings):
    """An urgent approval made 25 hours ago with 24 hours for the rest is overdue: the reviewers' 待办
    panel counts it and its link lists it; the change page says 已逾期. Once done, the flag goes."""
    settings.RECORD_URGENT_REVIEW_HOURS = 24
    record = submitted(c)
    yesterday = timezone.now() - timedelta(hours=25)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        services.record_approve_urgent(user=c.first, record=record, checks=FIRST, reason="紧急通知")
    assert review_chain.progress_of(record).overdue

    client = client_for(c.second)
    home = client.get("/admin/").content.decode()
    assert "紧急发布后逾期未补充审核的信息" in home
    listed = client.get("/admin/disclosure/record/?queue=urgent_overdue")
    assert [r.pk for r in listed.context["cl"].result_list] == [record.pk]
    assert "已逾期" in client.get(f"/admin/disclosure/record/{record.pk}/change/").content.decode()

    services.record_follow_up(user=c.second, record=record, checks=SECOND)
    services.record_follow_up(user=c.third, record=record, checks=THIRD)
    assert "紧急发布后逾期未补充审核的信息" not in client.get("/admin/").content.decode()


# ------------------------------------------------------------------------------------ the admin pages


def move_url(record, name):
    return f"/admin/disclosure/record/{record.pk}/move/{name}/"


@pytest.mark.django_db
def test_three_reviewers_pass_the_chain_in_the_admin_and_the_sheet_lists_all_three(c):
    """Each reviewer sees the button of their step (初审通过, 保密审查通过, 终审签发通过), must tick the
    step's checks, and the printable 审核表 then lists all three with their checks, comments and times;
    staff and the auditor can open it, another organisation cannot."""
    record = submitted(c)
    steps = [
        (c.first, "pass_step", "初审通过", {"check_accurate": "on", "openness_checked": "on"}, "内容准确无误"),
        (c.second, "pass_step", "保密审查通过", {"confidentiality_checked": "on", "check_no_privacy": "on"}, "不涉密"),
        (c.third, "approve", "终审签发通过", {"check_sign_off": "on"}, "同意签发"),
    ]
    for reviewer, move, label, checks, comment in steps:
        client = client_for(reviewer)
        page = client.get(f"/admin/disclosure/record/{record.pk}/change/").content.decode()
        assert label in page and move_url(record, move) in page
        position = ["first", "second", "third"].index(reviewer.username) + 1
        confirm = client.get(move_url(record, move)).content.decode()
        assert f"第 {position} 个环节（共 3 个）" in confirm and f"确认{label}" in confirm
        # A missing check is a form error; nothing moves.
        partial = dict(list(checks.items())[1:])
        response = client.post(move_url(record, move), {**partial, "comment": comment})
        assert response.status_code == 200 and "请确认" in response.content.decode()
        response = client.post(move_url(record, move), {**checks, "comment": comment})
        assert response.status_code == 302, messages_of(response)
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    services.record_publish(user=c.first, record=record)

    for viewer in (c.editor, c.first, c.auditor):
        sheet = client_for(viewer).get(f"/admin/disclosure/record/{record.pk}/review-sheet/")
        assert sheet.status_code == 200
        html = sheet.content.decode()
        assert "信息发布审核表" in html and record.title in html
        for name, step, comment in (("李建国", "初审", "内容准确无误"), ("孙丽华", "保密审查", "不涉密"), ("周国平", "终审签发", "同意签发")):
            assert name in html and step in html and comment in html
        for check in ("内容准确、表述规范", "保密审查结论：不涉及国家秘密、工作秘密", "同意签发"):
            assert check in html
        for entry in ReviewStepEntry.objects.filter(review__record=record):
            assert timezone.localtime(entry.decided_at).strftime("%Y-%m-%d %H:%M") in html
        assert "@page" not in html and "http://" not in html.split("</head>")[0]  # own stylesheet only
    assert client_for(c.town_reviewer).get(f"/admin/disclosure/record/{record.pk}/review-sheet/").status_code == 404


@pytest.mark.django_db
def test_the_author_with_every_role_sees_no_step_button_and_is_refused_in_the_admin(c):
    record = submitted(c, c.author_all)
    client = client_for(c.author_all)
    page = client.get(f"/admin/disclosure/record/{record.pk}/change/").content.decode()
    for move in ("pass_step", "approve", "approve_urgent", "request_changes"):
        assert move_url(record, move) not in page
    before = db_state(record)
    response = client.post(move_url(record, "pass_step"), {"check_accurate": "on", "openness_checked": "on"})
    assert response.status_code == 302
    assert "起草或修改过该信息的人员不能审核或发布该信息。" in messages_of(response)
    assert db_state(record) == before


@pytest.mark.django_db
def test_the_org_admin_configures_the_chain_in_the_admin(c):
    """The township's 单位管理员 adds a chain (offered as the standard three steps) and shortens it to one
    step; a chain without 保密审查 is refused with a Chinese message and nothing is saved; another
    organisation's administrator does not see it, and an editor cannot add one."""
    client = client_for(c.town_orgadmin)
    form = client.get("/admin/disclosure/reviewchain/add/")
    assert form.status_code == 200
    assert [f.initial["name"] for f in form.context["inline_admin_formsets"][0].formset.forms] == [
        "初审", "保密审查", "终审签发",
    ]
    base = {
        "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "5", "steps-TOTAL_FORMS": "1",
        "steps-0-position": "1", "steps-0-name": "审核",
    }
    refused = client.post("/admin/disclosure/reviewchain/add/", {**base, "steps-0-checks": ["accurate", "openness"]})
    assert refused.status_code == 200
    assert "审核流程中必须有环节确认" in refused.content.decode()
    assert not ReviewChain.objects.filter(organisation=c.township).exists()

    saved = client.post(
        "/admin/disclosure/reviewchain/add/", {**base, "steps-0-checks": ["not_secret", "openness"]}
    )
    assert saved.status_code == 302
    chain = ReviewChain.objects.get(organisation=c.township)
    assert list(chain.steps.values_list("position", "name", "checks")) == [(1, "审核", ["openness", "not_secret"])]
    assert review_chain.chain_steps(c.township.pk) == [{"name": "审核", "checks": ["openness", "not_secret"]}]

    # Renumbering (the two steps swap places) is saved whole, never tripping the unique position.
    county_chain = c.county.review_chain
    steps = list(county_chain.steps.order_by("position"))
    data = {
        "steps-INITIAL_FORMS": "3", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "5", "steps-TOTAL_FORMS": "3",
    }
    for i, (step, position) in enumerate(zip(steps, (2, 1, 3), strict=True)):
        data |= {f"steps-{i}-id": str(step.pk), f"steps-{i}-chain": str(county_chain.pk),
                 f"steps-{i}-position": str(position), f"steps-{i}-name": step.name}
        data[f"steps-{i}-checks"] = step.checks
    response = client_for(c.orgadmin).post(f"/admin/disclosure/reviewchain/{county_chain.pk}/change/", data)
    assert response.status_code == 302
    assert [s["name"] for s in review_chain.chain_steps(c.county.pk)] == ["保密审查", "初审", "终审签发"]

    assert client.get(f"/admin/disclosure/reviewchain/{county_chain.pk}/change/").status_code == 302  # "不存在", to the index
    assert client_for(c.editor).get("/admin/disclosure/reviewchain/add/").status_code == 403
    assert ReviewStep.objects.filter(chain=county_chain).count() == 3


@pytest.mark.django_db
def test_a_withdrawn_urgent_record_is_no_longer_flagged(c):
    """A record withdrawn before its remaining steps passed takes no more steps (补充审核 is not a move
    from 已撤回), so the overdue flag leaves it."""
    record = submitted(c)
    yesterday = timezone.now() - timedelta(hours=25)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        record = services.record_approve_urgent(user=c.first, record=record, checks=FIRST, reason="紧急通知")
        record = services.record_publish(user=c.second, record=record)
    assert list(Record.objects.filter(review_chain.follow_up_overdue())) == [record]
    services.record_withdraw(user=c.second, record=record, reason="情况已变化")
    assert not Record.objects.filter(review_chain.follow_up_overdue()).exists()
    with pytest.raises(InvalidTransition):
        services.record_follow_up(user=c.third, record=record, checks=SECOND)


@pytest.mark.django_db
def test_a_step_entry_is_never_rewritten(c):
    record = services.record_pass_step(user=c.first, record=at_step(c, 1), checks=FIRST, comment="同意")
    entry = ReviewStepEntry.objects.get(review__record=record)
    entry.comment = "改写"
    with pytest.raises(ValueError):
        entry.save()
    assert ReviewStepEntry.objects.get(pk=entry.pk).comment == "同意"


@pytest.mark.django_db
def test_a_decision_on_a_step_someone_else_decided_meanwhile_is_refused_as_stale(c):
    """Two reviewers open 初审 at once; the first passes it. The second's decision carries the step it
    was made on (1): it is refused as stale, not applied to 保密审查, and nothing is written — in the
    service and through the admin's form."""
    record = submitted(c)
    services.record_pass_step(user=c.first, record=record, checks=FIRST, position=1)
    before = db_state(record)
    with pytest.raises(InvalidTransition) as refused:
        services.record_pass_step(user=c.second, record=record, checks=SECOND, position=1)
    assert "已被他人更改" in str(refused.value)
    with pytest.raises(InvalidTransition):
        services.record_request_changes(user=c.second, record=record, comment="退回", position=1)
    response = client_for(c.second).post(
        move_url(record, "pass_step"),
        {"confidentiality_checked": "on", "check_no_privacy": "on", "step_position": "1"},
    )
    assert response.status_code == 302 and "该事项已被他人更改，请刷新后重试。" in messages_of(response)
    assert db_state(record) == before
    # The form the second reviewer gets now is that of step 2.
    page = client_for(c.second).get(move_url(record, "pass_step")).content.decode()
    assert 'name="step_position" value="2"' in page
