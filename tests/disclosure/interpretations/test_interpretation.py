"""Policy interpretation (政策解读, "谁起草、谁解读", 同步): linking, the publish rules, and the public links.

Linking is disclosure/interpretations/services.py; the rules (disclosure/records/interpretation_sync.py) are
enforced in the record services' publish path:
a policy marked as needing interpretation is published only with an approved interpretation; publishing
the policy publishes the interpretation in the same transaction; an interpretation never goes first.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.core.transitions import InvalidTransition
from disclosure.interpretations.selectors import interpretation_links
from disclosure.interpretations.services import interpretation_link, interpretation_unlink
from disclosure.records import services
from disclosure.records.models import (
    AuditEntry,
    IndexSequence,
    Interpretation,
    InterpretationForm,
    Record,
    RecordType,
    Status,
)
from disclosure.records.selectors import public_records
from tests.factories import make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
POLICY_NODE = "020102"  # 法规政策 › 政策文件
INTERPRETATION_NODE = "020801"  # 政策解读 › 政策解读


@pytest.fixture
def w(standard_catalog, demo_orgs):
    county = demo_orgs[COUNTY]
    return SimpleNamespace(
        county=county,
        township=demo_orgs[TOWNSHIP],
        policy_node=CatalogNode.objects.get(code=POLICY_NODE),
        interpretation_node=CatalogNode.objects.get(code=INTERPRETATION_NODE),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        reviewer2=make_staff(county, Role.REVIEWER, username="reviewer2", first_name="周强"),
        # Writes and reviews, but never reviews what they wrote.
        both=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both", first_name="赵敏"),
        town_editor=make_staff(demo_orgs[TOWNSHIP], Role.EDITOR, username="town_editor"),
    )


def make_policy(w, *, needs=True, author=None, organisation=None, node=None, **overrides) -> Record:
    fields = record_fields(
        title=overrides.pop("title", "清河县公共租赁住房管理办法"),
        record_type=RecordType.NORMATIVE,
        document_number="清建规〔2026〕1号",
        **overrides,
    )
    return services.record_create(
        user=author or w.editor,
        organisation=organisation or w.county,
        node=node or w.policy_node,
        needs_interpretation=needs,
        **fields,
    )


def make_interpretation(w, *, author=None, organisation=None, title="《清河县公共租赁住房管理办法》政策解读") -> Record:
    return services.record_create(
        user=author or w.editor,
        organisation=organisation or w.county,
        node=w.interpretation_node,
        **record_fields(title=title, record_type=RecordType.INTERPRETATION, document_number=""),
    )


def approve(record: Record, author, reviewer) -> Record:
    services.record_submit(user=author, record=record)
    return services.record_approve(
        user=reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )


def pair(w, *, interpretation_status=Status.APPROVED, interpretation_author=None, form=InterpretationForm.QA):
    """An approved policy needing interpretation, with a linked interpretation in the given state."""
    policy = approve(make_policy(w), w.editor, w.reviewer)
    author = interpretation_author or w.editor
    interpretation = make_interpretation(w, author=author)
    interpretation_link(user=author, interpretation=interpretation, policy=policy, form=form)
    if interpretation_status != Status.DRAFT:
        reviewer = w.reviewer2 if author == w.both else w.reviewer
        interpretation = approve(interpretation, author, reviewer)
    policy.refresh_from_db()
    interpretation.refresh_from_db()
    return policy, interpretation


def state() -> dict:
    """Everything a refused publication could have touched."""
    return {
        "records": list(Record.objects.order_by("pk").values("pk", "status", "index_number", "published_at", "publish_at")),
        "audit": AuditEntry.objects.count(),
        "sequences": list(IndexSequence.objects.values("organisation_id", "year", "last_serial")),
    }


# ------------------------------------------------------------------------------------------ links


@pytest.mark.django_db
def test_link_is_audited_and_validated(w):
    """An editor links an unpublished interpretation to a policy of the same organisation; the link is
    written to the interpretation's audit log; nonsense links are refused with Chinese messages."""
    policy = make_policy(w)
    interpretation = make_interpretation(w)
    link = interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form=InterpretationForm.VIDEO)
    assert (link.record, link.policy, link.form) == (interpretation, policy, "video")
    entry = AuditEntry.objects.filter(record=interpretation).order_by("-id").first()
    assert entry.action == "link_interpretation" and "视频解读" in entry.comment and policy.title in entry.comment

    other_policy = make_policy(w, title="另一份政策文件")
    # Changing the link of an unpublished interpretation moves it, it does not add a second one.
    interpretation_link(user=w.editor, interpretation=interpretation, policy=other_policy, form=InterpretationForm.TEXT)
    assert Interpretation.objects.get(record=interpretation).policy == other_policy

    with pytest.raises(ValidationError) as error:
        interpretation_link(user=w.editor, interpretation=policy, policy=other_policy, form="text")
    assert "政策解读" in str(error.value.message_dict["record"])
    with pytest.raises(ValidationError) as error:
        interpretation_link(user=w.editor, interpretation=interpretation, policy=interpretation, form="text")
    assert "policy" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="dance")
    assert "form" in error.value.message_dict


@pytest.mark.django_db
def test_link_across_organisations_or_by_wrong_user_is_refused(w):
    """谁起草、谁解读: the interpretation and the policy belong to one organisation, and only its editor links them."""
    township_policy = make_policy(w, author=w.town_editor, organisation=w.township, needs=False)
    interpretation = make_interpretation(w)
    with pytest.raises(ValidationError) as error:
        interpretation_link(user=w.editor, interpretation=interpretation, policy=township_policy, form="text")
    assert "同一单位" in str(error.value.message_dict["policy"])
    policy = make_policy(w)
    for user in (w.reviewer, w.town_editor, None):
        with pytest.raises(PermissionDenied):
            interpretation_link(user=user, interpretation=interpretation, policy=policy, form="text")
    assert not Interpretation.objects.exists()


@pytest.mark.django_db
def test_published_interpretation_keeps_its_link(w):
    """Once published, the link is history: it can neither be moved nor removed; before, it can be removed."""
    policy, interpretation = pair(w)
    services.record_publish(user=w.reviewer, record=policy)
    link = Interpretation.objects.get(record=interpretation)
    with pytest.raises(InvalidTransition):
        interpretation_unlink(user=w.editor, link=link)
    with pytest.raises(ValidationError):
        interpretation_link(user=w.editor, interpretation=interpretation, policy=make_policy(w), form="text")
    draft = make_interpretation(w, title="另一份解读")
    draft_link = interpretation_link(user=w.editor, interpretation=draft, policy=policy, form="text")
    interpretation_unlink(user=w.editor, link=draft_link)
    assert not Interpretation.objects.filter(record=draft).exists()
    assert AuditEntry.objects.filter(record=draft, action="unlink_interpretation").exists()


# ---------------------------------------------------------------------------------- publish rules


@pytest.mark.django_db
@pytest.mark.parametrize("interpretation_state", [None, Status.DRAFT, Status.SUBMITTED])
def test_policy_needing_interpretation_is_not_published_without_an_approved_one(w, interpretation_state):
    """No interpretation, or one not yet approved: neither publishing now nor scheduling is allowed,
    and nothing is written."""
    policy = approve(make_policy(w), w.editor, w.reviewer)
    if interpretation_state is not None:
        interpretation = make_interpretation(w)
        interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")
        if interpretation_state == Status.SUBMITTED:
            services.record_submit(user=w.editor, record=interpretation)
    before = state()
    with pytest.raises(InvalidTransition) as error:
        services.record_publish(user=w.reviewer, record=policy)
    assert "需要解读" in str(error.value)
    with pytest.raises(InvalidTransition):
        services.record_publish(user=w.reviewer, record=policy, publish_at=timezone.now() + timedelta(days=2))
    assert state() == before


@pytest.mark.django_db
def test_interpretation_of_another_organisation_does_not_count(w):
    """A link made behind the services' back to another organisation's interpretation does not satisfy the rule."""
    policy = approve(make_policy(w), w.editor, w.reviewer)
    town_reviewer = make_staff(w.township, Role.REVIEWER, username="town_reviewer")
    foreign = approve(make_interpretation(w, author=w.town_editor, organisation=w.township), w.town_editor, town_reviewer)
    Interpretation.objects.create(record=foreign, policy=policy, form="text")
    with pytest.raises(InvalidTransition):
        services.record_publish(user=w.reviewer, record=policy)


@pytest.mark.django_db
def test_publishing_the_policy_publishes_its_interpretation_in_the_same_transaction(w):
    """One call publishes both: each its own audit entry and index number, both public at once."""
    policy, interpretation = pair(w)
    audit_before = AuditEntry.objects.count()
    published = services.record_publish(user=w.reviewer, record=policy)
    interpretation.refresh_from_db()
    assert published.status == interpretation.status == Status.PUBLISHED
    # Never before its policy, and in the same moment for a reader.
    assert published.published_at <= interpretation.published_at < published.published_at + timedelta(seconds=5)
    year = timezone.localdate().year
    assert published.index_number == f"{COUNTY}/{year}-00001"
    assert interpretation.index_number == f"{COUNTY}/{year}-00002"
    new = list(AuditEntry.objects.order_by("id")[audit_before:].values_list("record_id", "action", "actor_id"))
    assert new == [(policy.pk, "publish", w.reviewer.pk), (interpretation.pk, "publish", w.reviewer.pk)]
    assert set(public_records().values_list("pk", flat=True)) == {policy.pk, interpretation.pk}


@pytest.mark.django_db
def test_unscheduling_the_policy_unschedules_its_interpretation(w):
    """An interpretation scheduled on its own after its scheduled policy comes off the schedule with
    the policy; publishing the policy now then publishes it too."""
    policy = approve(make_policy(w, needs=False), w.editor, w.reviewer)
    later = timezone.now() + timedelta(days=3)
    services.record_publish(user=w.reviewer, record=policy, publish_at=later)
    interpretation = approve(make_interpretation(w), w.editor, w.reviewer)
    interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")
    services.record_publish(user=w.reviewer, record=interpretation, publish_at=later + timedelta(hours=1))
    services.record_unschedule(user=w.reviewer, record=policy)
    interpretation.refresh_from_db()
    # Taking the policy off the schedule takes its interpretation with it.
    assert interpretation.status == Status.APPROVED and interpretation.publish_at is None
    services.record_publish(user=w.reviewer, record=policy)
    interpretation.refresh_from_db()
    assert interpretation.status == Status.PUBLISHED


@pytest.mark.django_db
def test_failure_while_publishing_the_interpretation_writes_nothing(w):
    """The publishing reviewer wrote the interpretation (four eyes forbid publishing it): the policy is
    not published either, no index number is spent, no audit entry written; the refusal names the
    interpretation."""
    policy, interpretation = pair(w, interpretation_author=w.both)
    before = state()
    with pytest.raises(PermissionDenied) as error:
        services.record_publish(user=w.both, record=policy)
    assert "起草或修改过该信息的人员不能审核或发布" in str(error.value)
    assert interpretation.title in str(error.value)
    assert state() == before
    # Someone else may publish both.
    services.record_publish(user=w.reviewer, record=policy)
    assert Record.objects.get(pk=interpretation.pk).status == Status.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["now", "scheduled"])
def test_an_account_that_edited_the_interpretation_cannot_publish_the_policy_with_it(w, when):
    """Four eyes reach the interpretations that go with a policy: the two-role account that only edited
    the interpretation (another editor created it) may neither publish nor schedule the policy, and
    nothing is written; a clean reviewer then publishes both."""
    policy = approve(make_policy(w), w.editor, w.reviewer)
    interpretation = make_interpretation(w)
    services.record_update(user=w.both, record=interpretation, summary="补充的解读要点")
    interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")
    approve(interpretation, w.editor, w.reviewer)
    before = state()
    publish_at = timezone.now() + timedelta(days=1) if when == "scheduled" else None
    with pytest.raises(PermissionDenied) as error:
        services.record_publish(user=w.both, record=policy, publish_at=publish_at)
    assert "起草或修改过该信息的人员不能审核或发布" in str(error.value)
    assert state() == before
    services.record_publish(user=w.reviewer2, record=policy)
    assert Record.objects.get(pk=interpretation.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_interpretation_alone_is_refused_until_its_policy_is_published(w):
    """Publishing or scheduling an interpretation before its policy is refused; once the policy is
    published, the interpretation may follow on its own."""
    policy = approve(make_policy(w, needs=False), w.editor, w.reviewer)
    interpretation = make_interpretation(w)
    interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")
    interpretation = approve(interpretation, w.editor, w.reviewer)
    before = state()
    with pytest.raises(InvalidTransition) as error:
        services.record_publish(user=w.reviewer, record=interpretation)
    assert "不能先于" in str(error.value)
    with pytest.raises(InvalidTransition):
        services.record_publish(user=w.reviewer, record=interpretation, publish_at=timezone.now() + timedelta(days=1))
    assert state() == before

    # The policy goes first (the approved interpretation goes with it, 同步).
    services.record_publish(user=w.reviewer, record=policy)
    assert Record.objects.get(pk=interpretation.pk).status == Status.PUBLISHED

    # A later interpretation of the published policy is published on its own.
    second = make_interpretation(w, title="图解：公共租赁住房管理办法")
    interpretation_link(user=w.editor, interpretation=second, policy=policy, form=InterpretationForm.GRAPHIC)
    second = services.record_publish(user=w.reviewer, record=approve(second, w.editor, w.reviewer))
    assert second.status == Status.PUBLISHED


@pytest.mark.django_db
def test_unlinked_interpretation_of_a_superior_policy_publishes_freely(w):
    """An interpretation of a provincial policy (上级政策解读) has no policy here and no link: no rule applies."""
    interpretation = approve(make_interpretation(w, title="省住建厅保障性住房政策解读"), w.editor, w.reviewer)
    assert services.record_publish(user=w.reviewer, record=interpretation).status == Status.PUBLISHED


@pytest.mark.django_db
def test_scheduling_the_policy_schedules_its_interpretation_and_the_job_publishes_policy_first(w, caplog):
    """Scheduled together for the same time; the publish_scheduled job publishes the policy, then the
    interpretation with it, and logs no refusal whatever the row order."""
    policy, interpretation = pair(w)
    when = timezone.now() + timedelta(days=2)
    services.record_publish(user=w.reviewer, record=policy, publish_at=when)
    interpretation.refresh_from_db()
    assert interpretation.status == Status.SCHEDULED and interpretation.publish_at == when
    assert AuditEntry.objects.filter(record=interpretation, action="schedule").count() == 1

    with caplog.at_level(logging.WARNING, logger="disclosure.records.services"):
        published = services.publish_due_records(now=when + timedelta(minutes=1))
    assert [r.pk for r in published] == [policy.pk]  # the interpretation went with it
    assert not [r for r in caplog.records if "定时发布失败" in r.getMessage()]
    interpretation.refresh_from_db()
    assert interpretation.status == Status.PUBLISHED
    assert AuditEntry.objects.filter(record=interpretation, action="publish_due", actor=None).count() == 1


@pytest.mark.django_db
def test_job_refuses_a_policy_whose_interpretation_was_taken_off_the_schedule(w, caplog):
    """If the interpretation was unscheduled meanwhile, the job does not publish the policy alone: it
    logs the refusal and leaves both as they are."""
    policy, interpretation = pair(w)
    when = timezone.now() + timedelta(days=2)
    services.record_publish(user=w.reviewer, record=policy, publish_at=when)
    services.record_unschedule(user=w.reviewer, record=Record.objects.get(pk=interpretation.pk))
    with caplog.at_level(logging.WARNING, logger="disclosure.records.services"):
        assert services.publish_due_records(now=when + timedelta(minutes=1)) == []
    assert any("定时发布失败" in r.getMessage() for r in caplog.records)
    assert Record.objects.get(pk=policy.pk).status == Status.SCHEDULED


@pytest.mark.django_db
def test_revision_of_a_policy_keeps_its_published_interpretations(w):
    """A revision copies the 需要解读 flag; the interpretations already published for the original
    satisfy it, and the public links follow the index number to the revision."""
    policy, interpretation = pair(w)
    services.record_publish(user=w.reviewer, record=policy)
    revision = services.record_revise(user=w.editor, record=Record.objects.get(pk=policy.pk))
    assert revision.needs_interpretation
    revision = services.record_publish(user=w.reviewer, record=approve(revision, w.editor, w.reviewer))
    assert revision.index_number == Record.objects.get(pk=policy.pk).index_number
    links = interpretation_links(Record.objects.get(pk=interpretation.pk))
    assert links["policy"] == revision


# ------------------------------------------------------------------------------------ public links


@pytest.mark.django_db
def test_links_appear_only_when_both_sides_are_public(w):
    """The selector and the public pages show the counterpart only when it is public."""
    policy = approve(make_policy(w, needs=False), w.editor, w.reviewer)
    interpretation = make_interpretation(w)
    interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form=InterpretationForm.QA)
    policy = services.record_publish(user=w.reviewer, record=policy)

    # The interpretation is still a draft: the policy page does not mention it.
    assert interpretation_links(policy) == {"policy": None, "interpretations": []}
    html = public_html(policy)
    assert interpretation.title not in html and "政策解读</h2>" not in html

    interpretation = services.record_publish(user=w.reviewer, record=approve(interpretation, w.editor, w.reviewer))
    policy_html, interpretation_html = public_html(policy), public_html(interpretation)
    assert interpretation.get_absolute_url() in policy_html and "【问答】" in policy_html
    assert policy.get_absolute_url() in interpretation_html and "解读的政策文件" in interpretation_html

    # Withdrawing one side removes the link from the other side.
    services.record_withdraw(user=w.reviewer, record=policy, reason="政策调整")
    assert policy.get_absolute_url() not in public_html(interpretation)
    assert interpretation_links(interpretation)["policy"] is None


def public_html(record: Record) -> str:
    from django.test import Client

    response = Client().get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_policy_page_query_count_does_not_grow_with_interpretations(w, client):
    """A policy page with one interpretation and one with five, and an interpretation page, run a fixed
    number of queries."""
    policy, interpretation = pair(w)
    services.record_publish(user=w.reviewer, record=policy)
    policy = Record.objects.get(pk=policy.pk)

    interpretation = Record.objects.get(pk=interpretation.pk)

    def count(record) -> int:
        url = record.get_absolute_url()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    client.get(policy.get_absolute_url())  # warm the per-process caches (site settings)
    before = (count(policy), count(interpretation))
    for n in range(4):
        extra = make_interpretation(w, title=f"解读{n}")
        interpretation_link(user=w.editor, interpretation=extra, policy=policy, form="text")
        services.record_publish(user=w.reviewer, record=approve(extra, w.editor, w.reviewer))
    after = (count(policy), count(interpretation))
    # The record page's own queries (the tree version, the record) plus two: the linked index numbers, then
    # the interpretations of a policy or an interpretation's policy; a policy document's page one more: the
    # documents that amended or repealed it (records/library.py). No attachment, no related record here: no
    # query for them.
    assert before == after == (5, 4)
    html = client.get(policy.get_absolute_url()).content.decode()
    assert html.count("【") == 5


# ------------------------------------------------------------------------------------------ admin


@pytest.mark.django_db
def test_admin_links_through_the_service_and_offers_only_own_records(w):
    """An editor links an interpretation in the admin (audited like the service); choices hold only the
    organisation's unpublished interpretations and its policies; a reviewer may look but not link."""
    from django.test import Client

    policy = make_policy(w)
    interpretation = make_interpretation(w)
    foreign = make_policy(w, author=w.town_editor, organisation=w.township, title="乡镇政策文件", needs=False)
    editor = Client()
    editor.force_login(w.editor)
    form = editor.get("/admin/disclosure/interpretation/add/").content.decode()
    assert policy.title in form and interpretation.title in form and "乡镇政策文件" not in form
    response = editor.post(
        "/admin/disclosure/interpretation/add/",
        {"record": interpretation.pk, "policy": foreign.pk, "form": "text"},
    )
    assert response.status_code == 200 and not Interpretation.objects.exists()
    response = editor.post(
        "/admin/disclosure/interpretation/add/",
        {"record": interpretation.pk, "policy": policy.pk, "form": "video"},
    )
    assert response.status_code == 302
    assert Interpretation.objects.get(record=interpretation).policy == policy
    assert AuditEntry.objects.filter(record=interpretation, action="link_interpretation").exists()

    reviewer = Client()
    reviewer.force_login(w.reviewer)
    assert reviewer.get("/admin/disclosure/interpretation/").status_code == 200
    assert reviewer.get("/admin/disclosure/interpretation/add/").status_code == 403


@pytest.mark.django_db
def test_deleting_a_draft_policy_drops_its_links_not_its_interpretations(w):
    """A never-published policy draft can be deleted although an interpretation is linked to it: the
    link goes, the interpretation stays (as an unlinked draft)."""
    policy = make_policy(w)
    interpretation = make_interpretation(w)
    interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")
    Record.objects.get(pk=policy.pk).delete()
    assert not Interpretation.objects.exists()
    assert Record.objects.filter(pk=interpretation.pk).exists()
