"""Four eyes means four eyes: whoever wrote any part of a record never reviews, publishes or schedules it.

"Wrote any part" is read from the data: the record's creator and the author of every version
(``RecordVersion``), which every content write leaves (editing, attachments added or removed, related
records changed, a revision started). Holding both 信息员 and 审核员 changes nothing; a clean reviewer
passes; a refusal writes nothing; the admin shows no button the services would refuse.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from disclosure.core.access import Role
from disclosure.records import policy, services
from disclosure.records.models import AuditEntry, IndexSequence, Record, RecordVersion, Review, Status
from disclosure.records.workflow import TRANSITIONS
from tests.admin_client import client_for
from tests.factories import CatalogNodeFactory, make_staff, record_fields

COUNTY = "419901"
REFUSAL = "起草或修改过该信息的人员不能审核或发布该信息。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(demo_orgs):
    county = demo_orgs[COUNTY]
    domain = CatalogNodeFactory(code="02", name="保障性住房", levels=["county", "township"])
    item = CatalogNodeFactory(code="0205", name="配给管理", parent=domain, levels=["county", "township"])
    return SimpleNamespace(
        county=county,
        node=CatalogNodeFactory(code="020503", name="配租（分配）结果", parent=item, levels=["county"]),
        editor=make_staff(county, Role.EDITOR, username="editor", first_name="张晓梅"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer", first_name="李建国"),
        # Holds both roles: the account of the reported case.
        both=make_staff(county, Role.EDITOR, Role.REVIEWER, username="both", first_name="赵敏"),
    )


def draft(w, author=None, **overrides) -> Record:
    return services.record_create(user=author or w.editor, organisation=w.county, node=w.node, **record_fields(**overrides))


def submit(w, record: Record) -> Record:
    return services.record_submit(user=w.editor, record=record)


def approve(user, record: Record) -> Record:
    return services.record_approve(user=user, record=record, confidentiality_checked=True, openness_checked=True)


def pdf(name="配租名单.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def db_state() -> dict:
    """Everything a refused review or publication could have touched."""
    return {
        "records": list(Record.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "reviews": list(Review.objects.order_by("pk").values()),
        "sequences": list(IndexSequence.objects.order_by("pk").values()),
        "versions": RecordVersion.objects.count(),
    }


def refused(call) -> None:
    """``call`` is refused with the four-eyes message and the database stays as it was."""
    before = db_state()
    with pytest.raises(PermissionDenied) as error:
        call()
    assert str(error.value.args[0]) == REFUSAL
    assert db_state() == before


REVIEW_MOVES = {
    "approve": lambda user, record: approve(user, record),
    "request_changes": lambda user, record: services.record_request_changes(user=user, record=record, comment="请补充"),
}
PUBLISH_MOVES = {
    "publish": lambda user, record: services.record_publish(user=user, record=record),
    "schedule": lambda user, record: services.record_publish(
        user=user, record=record, publish_at=timezone.now() + timedelta(days=1)
    ),
}


# ---------------------------------------------------------------------------- the reported case


@pytest.mark.django_db
@pytest.mark.parametrize("name", REVIEW_MOVES)
def test_two_role_account_that_edited_anothers_draft_cannot_review_it(w, name):
    """信息员+审核员 rewrites a draft another editor created: after submission it may neither approve
    it nor send it back; nothing is written."""
    record = draft(w)
    services.record_update(user=w.both, record=record, title="关于公布公租房配租结果的公告（改写）")
    record = submit(w, record)
    refused(lambda: REVIEW_MOVES[name](w.both, record))
    assert Record.objects.get(pk=record.pk).status == Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLISH_MOVES)
def test_two_role_account_that_edited_anothers_draft_cannot_publish_it(w, name):
    """Even once a clean reviewer has approved it, the account that edited the draft may neither publish
    nor schedule it; no index number is spent and nothing is written."""
    record = draft(w)
    services.record_update(user=w.both, record=record, summary="改写的概述")
    record = approve(w.reviewer, submit(w, record))
    refused(lambda: PUBLISH_MOVES[name](w.both, record))
    assert not IndexSequence.objects.exists()


@pytest.mark.django_db
def test_the_reported_sequence_edit_submit_approve_publish_alone_stops_at_approval(w):
    """The account rewrites another's draft and submits it itself: approving it alone is refused."""
    record = draft(w)
    services.record_update(user=w.both, record=record, body="<p>改写后的正文</p>")
    record = services.record_submit(user=w.both, record=record)
    refused(lambda: approve(w.both, record))
    assert not policy.can(w.both, TRANSITIONS["approve"], Record.objects.get(pk=record.pk))


# ------------------------------------------------------------------------ every kind of writer


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*REVIEW_MOVES, *PUBLISH_MOVES])
def test_creator_holding_both_roles_is_refused(w, name):
    """The creator never reviews, publishes or schedules their own record, reviewer role or not."""
    record = submit(w, draft(w, author=w.both))
    if name in PUBLISH_MOVES:
        record = approve(w.reviewer, record)
    refused(lambda: {**REVIEW_MOVES, **PUBLISH_MOVES}[name](w.both, record))


@pytest.mark.django_db
def test_an_account_that_only_added_an_attachment_is_refused(w):
    """Adding a file is writing part of the record: that account may not approve or publish it."""
    record = draft(w)
    services.attachment_add(user=w.both, record=record, upload=pdf())
    record = submit(w, record)
    refused(lambda: approve(w.both, record))
    record = approve(w.reviewer, record)
    refused(lambda: services.record_publish(user=w.both, record=record))


@pytest.mark.django_db
def test_an_account_that_only_removed_an_attachment_is_refused(w):
    """Removing a file another editor added is a change too."""
    record = draft(w)
    attachment = services.attachment_add(user=w.editor, record=record, upload=pdf())
    services.attachment_remove(user=w.both, attachment=attachment)
    record = submit(w, record)
    refused(lambda: approve(w.both, record))


@pytest.mark.django_db
def test_an_account_that_only_changed_the_related_records_is_refused(w):
    """Setting 相关信息 leaves a version by its author, and that author may not approve the record."""
    other = draft(w, title="公租房配租工作实施方案")
    record = draft(w)
    services.record_set_related(user=w.both, record=record, related=[other])
    version = record.versions.order_by("-number").first()
    assert (version.author, version.data["related"]) == (w.both, [other.pk])
    record = submit(w, record)
    refused(lambda: approve(w.both, record))


@pytest.mark.django_db
def test_setting_the_same_related_records_again_is_no_change(w):
    """Saving the related records unchanged writes no version (the admin saves them with every form)."""
    record = draft(w)
    versions = record.versions.count()
    services.record_set_related(user=w.both, record=record, related=[])
    assert record.versions.count() == versions


@pytest.mark.django_db
def test_the_account_that_started_a_revision_may_not_review_it(w):
    """修订: whoever started the revision wrote it; a clean reviewer approves and publishes it."""
    original = services.record_publish(user=w.reviewer, record=approve(w.reviewer, submit(w, draft(w))))
    revision = services.record_revise(user=w.both, record=original)
    revision = services.record_submit(user=w.both, record=revision)
    refused(lambda: approve(w.both, revision))
    revision = approve(w.reviewer, revision)
    assert services.record_publish(user=w.reviewer, record=revision).status == Status.PUBLISHED


@pytest.mark.django_db
def test_a_clean_reviewer_passes(w):
    """A reviewer who wrote nothing of the record approves and publishes it, even after others edited it."""
    record = draft(w)
    services.record_update(user=w.both, record=record, title="关于公布公租房配租结果的公告（改写）")
    services.attachment_add(user=w.both, record=record, upload=pdf())
    record = approve(w.reviewer, submit(w, record))
    assert record.status == Status.APPROVED
    record = services.record_publish(user=w.reviewer, record=record)
    assert record.status == Status.PUBLISHED
    assert list(AuditEntry.objects.filter(record=record, action__in=["approve", "publish"]).values_list(
        "action", "actor"
    ).order_by("id")) == [("approve", w.reviewer.pk), ("publish", w.reviewer.pk)]


@pytest.mark.django_db
def test_a_two_role_account_that_wrote_nothing_passes(w):
    """Holding both roles is allowed: the account reviews and publishes what it did not write."""
    record = approve(w.both, submit(w, draft(w)))
    assert services.record_publish(user=w.both, record=record).status == Status.PUBLISHED


# ------------------------------------------------------------------------------------ the admin



@pytest.mark.django_db
def test_admin_hides_review_buttons_from_a_contributor_and_leaves_them_for_a_clean_reviewer(w):
    """The change page offers 审核通过 / 退回修改 to the clean reviewer only; the account that edited the
    draft gets a 403 on the confirmation page, and the review queue does not list the record for it."""
    record = draft(w, title="由他人改写的配租公告")
    services.record_update(user=w.both, record=record, summary="改写的概述")
    record = submit(w, record)
    change = reverse("admin:disclosure_record_change", args=[record.pk])
    approve_url = reverse("admin:disclosure_record_move", args=[record.pk, "approve"])
    back_url = reverse("admin:disclosure_record_move", args=[record.pk, "request_changes"])

    contributor = client_for(w.both)
    page = contributor.get(change).content.decode()
    assert approve_url not in page and back_url not in page
    assert contributor.get(approve_url).status_code == 403
    queue = contributor.get(reverse("admin:disclosure_record_changelist"), {"queue": "mine"}).content.decode()
    assert "由他人改写的配租公告" not in queue

    reviewer = client_for(w.reviewer)
    page = reviewer.get(change).content.decode()
    assert approve_url in page and back_url in page
    queue = reviewer.get(reverse("admin:disclosure_record_changelist"), {"queue": "mine"}).content.decode()
    assert "由他人改写的配租公告" in queue


@pytest.mark.django_db
def test_admin_hides_publish_buttons_from_an_account_that_changed_an_attachment(w):
    """After approval, the account that added a file sees no 发布 / 定时发布 button."""
    record = draft(w)
    services.attachment_add(user=w.both, record=record, upload=pdf())
    record = approve(w.reviewer, submit(w, record))
    publish_url = reverse("admin:disclosure_record_move", args=[record.pk, "publish"])
    schedule_url = reverse("admin:disclosure_record_move", args=[record.pk, "schedule"])
    change = reverse("admin:disclosure_record_change", args=[record.pk])
    page = client_for(w.both).get(change).content.decode()
    assert publish_url not in page and schedule_url not in page
    page = client_for(w.reviewer).get(change).content.decode()
    assert publish_url in page and schedule_url in page
