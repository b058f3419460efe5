"""`seed_demo`: accounts for every role and a living portal made through the real workflow."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.demo import DEMO_PASSWORD
from disclosure.core.workdays import working_days_between
from disclosure.records.demo import EMPTY_COUNTY_COLUMNS
from disclosure.records.models import (
    Attachment,
    AuditEntry,
    Openness,
    Record,
    RecordVersion,
    Review,
    SearchDocument,
    Status,
)
from disclosure.records.selectors import public_records

ACCOUNTS = {
    # username: (role, organisation code)
    "editor": (Role.EDITOR, "419901"),
    "reviewer": (Role.REVIEWER, "419901"),
    # The county's 保密审查 and 终审签发 steps (its review chain has three).
    "secrecy": (Role.REVIEWER, "419901"),
    "leader": (Role.REVIEWER, "419901"),
    "orgadmin": (Role.ORG_ADMIN, "419901"),
    "auditor": (Role.AUDITOR, "419901"),
    "editor2": (Role.EDITOR, "419901001"),
    "reviewer2": (Role.REVIEWER, "419901001"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path):
    """Passwords hash fast and attachments go to a temporary media folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (get_user_model(), Organisation, Record, Attachment, AuditEntry, Review, RecordVersion)
    }


@pytest.mark.django_db
def test_seed_demo_twice_does_not_duplicate(seeded_demo):
    """The second run finds everything in place and creates nothing. (The first run, on the standard
    catalog, is the one ``seeded_demo`` restores; ``first`` is what it printed.)"""
    first = seeded_demo
    after_first = counts()
    second = seed()
    assert counts() == after_first
    assert "条演示信息" in first and "演示信息已存在" in second
    assert after_first["Record"] >= 50


@pytest.mark.django_db
def test_seed_demo_without_the_catalog_makes_accounts_and_says_what_is_missing():
    """Without the standard catalog no record can be filed: accounts are made, the output says why."""
    output = seed()
    assert "load_catalog" in output
    assert not Record.objects.exists()
    assert get_user_model().objects.filter(username="reviewer").exists()


@pytest.mark.django_db
def test_every_role_has_a_demo_account_in_its_organisation(seeded_demo):
    """One account per role with its group, organisation, Chinese name and the demo password; the
    account table printed by the command (its run on the standard catalog, restored by ``seeded_demo``)
    lists each."""
    output = seeded_demo
    for username, (role, code) in ACCOUNTS.items():
        user = get_user_model().objects.get(username=username)
        assert access.roles_of(user) == {role}
        assert access.organisation_of(user).code == code
        assert user.is_staff and not user.is_superuser and user.is_active
        assert user.first_name and all("\u4e00" <= ch <= "\u9fff" for ch in user.first_name)
        assert user.check_password(DEMO_PASSWORD)
        assert username in output and user.first_name in output
    assert get_user_model().objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_every_state_and_openness_attribute_is_present(seeded_demo):
    """Records exist in every workflow state and with every openness attribute; withheld ones carry a
    legal ground; there are records at a township too."""
    assert set(Record.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Record.objects.values_list("openness", flat=True)) == set(Openness.values)
    assert not Record.objects.exclude(openness=Openness.PROACTIVE).filter(withholding_ground="").exists()
    assert Record.objects.filter(organisation__code="419901001", status=Status.PUBLISHED).exists()


@pytest.mark.django_db
def test_the_demo_history_is_real(seeded_demo):
    """Made through the services: every record has a create audit entry by its author and a version;
    every published one has a publish audit entry by a reviewer who is not its author and an approved
    review with both checks; the withdrawn one has its notice; a revision is in review while its
    original stays public; the superseded one's number lives on in its revision."""
    for record in Record.objects.all():
        create = record.audit_entries.get(action="create")
        assert create.actor_id == record.created_by_id
        assert record.versions.exists()
    for record in Record.objects.filter(status=Status.PUBLISHED, revises__isnull=True):
        publish = record.audit_entries.get(action="publish")
        assert publish.actor_id != record.created_by_id
        review = record.reviews.get(decision=Review.Decision.APPROVED)
        assert review.confidentiality_checked and review.openness_checked
    withdrawn = Record.objects.get(status=Status.WITHDRAWN)
    assert withdrawn.withdrawal_notice and withdrawn.audit_entries.get(action="withdraw").comment
    in_review = Record.objects.get(revises__isnull=False, status=Status.SUBMITTED)
    assert in_review.revises in public_records()
    superseded = Record.objects.get(status=Status.SUPERSEDED)
    assert superseded.revisions.get().index_number == superseded.index_number


@pytest.mark.django_db
def test_the_demo_has_a_review_queue_a_schedule_and_attachments(seeded_demo):
    """The reviewers have submitted records waiting (county and township), one record is scheduled for
    the future and not public, and published records carry real PDF attachments."""
    assert Record.objects.filter(organisation__code="419901", status=Status.SUBMITTED).count() >= 3
    assert Record.objects.filter(organisation__code="419901001", status=Status.SUBMITTED).exists()
    scheduled = Record.objects.get(status=Status.SCHEDULED)
    assert scheduled.publish_at > timezone.now() and scheduled not in public_records()
    attachments = Attachment.objects.filter(record__in=public_records())
    assert attachments.count() >= 3
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert len(content) == attachment.size


@pytest.mark.django_db
def test_publication_dates_spread_over_the_last_18_months_some_late(seeded_demo):
    """Published records were formed over about 18 months, all published in the past, a few more than
    20 working days after formation (the timeliness report has something to show)."""
    today = timezone.localdate()
    published = list(public_records())
    assert len(published) >= 30
    formed = [r.formed_on for r in published]
    assert (today - min(formed)).days >= 450 and (today - max(formed)).days <= 120
    assert all(r.published_at <= timezone.now() for r in published)
    # The search documents carry the same (demo history) publication times.
    assert {r.pk: r.published_at for r in published} == dict(
        SearchDocument.objects.values_list("record_id", "published_at")
    )
    late = [r for r in published if working_days_between(r.formed_on, timezone.localtime(r.published_at).date()) > 20]
    assert len(late) >= 3


@pytest.mark.django_db
def test_some_applicable_columns_are_left_empty(seeded_demo):
    """Auditors need a missing item: applicable county columns exist with no record at all."""
    empty = CatalogNode.objects.filter(code__in=EMPTY_COUNTY_COLUMNS)
    assert empty.count() == len(EMPTY_COUNTY_COLUMNS) >= 1
    for node in empty:
        assert "county" in node.levels and node.method == "proactive"
        assert not node.records.exists()
    # … while many columns have several records.
    busy = {code for code in Record.objects.values_list("node__code", flat=True)}
    assert len(busy) >= 30


@pytest.mark.django_db
def test_seed_demo_prints_and_touches_only_its_own_applications():
    """A citizen applies online at the demo county; running seed_demo again (every `make run` does)
    neither prints the citizen's tracking code nor changes the citizen's application, and still
    lists the demo's own codes. (No catalog: the applications do not need it, and the test stays fast.)"""
    from disclosure.applications import services as application_services
    from disclosure.applications.models import Application

    seed()
    citizen = application_services.application_submit(
        organisation=Organisation.objects.get(code="419901"),
        applicant_type="natural_person",
        name="孙公民",
        id_type="resident_id",
        id_number="11010519491231002X",
        phone="13700001111",
        description="请公开本县2026年度老旧小区改造计划。",
        delivery_form="paper",
        obtain_method="post",
    )
    before = Application.objects.filter(pk=citizen.pk).values().get()
    output = seed()
    assert citizen.tracking_code_display not in output and citizen.tracking_code not in output
    assert Application.objects.filter(pk=citizen.pk).values().get() == before
    demo_codes = Application.objects.filter(is_demo=True).values_list("tracking_code", flat=True)
    assert demo_codes and all(f"{code[:4]}-{code[4:8]}-{code[8:]}" in output for code in demo_codes)
    assert not Application.objects.get(pk=citizen.pk).is_demo
