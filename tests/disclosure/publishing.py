"""Records made the way staff make them (through disclosure.records.services), for the search, feed, sitemap and
API tests; and a world holding a record in every state and openness, to prove that none leaks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.models import Openness, Record, WithholdingGround
from tests.factories import make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
CLOSED_TOWNSHIP = "419901002"


class Desk:
    """An editor and a reviewer of one organisation, moving records through the real services."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.editor = make_staff(organisation, Role.EDITOR)
        self.reviewer = make_staff(organisation, Role.REVIEWER)

    def draft(self, node: str | CatalogNode, **fields) -> Record:
        if isinstance(node, str):
            node = CatalogNode.objects.get(code=node)
        return services.record_create(
            user=self.editor, organisation=self.organisation, node=node, **record_fields(**fields)
        )

    def approve(self, record: Record) -> Record:
        record = services.record_submit(user=self.editor, record=record)
        return services.record_approve(
            user=self.reviewer, record=record, confidentiality_checked=True, openness_checked=True
        )

    def publish(self, node: str | CatalogNode, **fields) -> Record:
        """A record drafted, submitted, approved and published now."""
        return services.record_publish(user=self.reviewer, record=self.approve(self.draft(node, **fields)))

    def withdraw(self, record: Record, notice: bool = False) -> Record:
        return services.record_withdraw(
            user=self.reviewer, record=record, reason="内容有误", public_notice=notice
        )

    def revise(self, original: Record, **fields) -> Record:
        """Revise a published record with new content and publish the revision."""
        revision = services.record_revise(user=self.editor, record=original)
        revision = services.record_update(user=self.editor, record=revision, **fields)
        return services.record_publish(user=self.reviewer, record=self.approve(revision))

    def bring_to(self, record: Record, state: str) -> Record:
        return bring_to(record, state, editor=self.editor, reviewer=self.reviewer)


def bring_to(record: Record, state: str, *, editor, reviewer) -> Record:
    """Drive a fresh draft to ``state`` (one of PROACTIVE_STATES) the way staff would."""
    if state == "draft":
        return record
    record = services.record_submit(user=editor, record=record)
    if state == "submitted":
        return record
    if state == "changes_requested":
        return services.record_request_changes(user=reviewer, record=record, comment="请补充依据")
    record = services.record_approve(
        user=reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    if state == "approved":
        return record
    if state == "scheduled":
        return services.record_publish(user=reviewer, record=record, publish_at=timezone.now() + timedelta(days=1))
    if state == "published_not_yet":
        # The due-run publishes at the scheduled time, which here still lies ahead: the record is
        # "published" but its publication time has not been reached.
        scheduled = services.record_publish(
            user=reviewer, record=record, publish_at=timezone.now() + timedelta(hours=1)
        )
        return services.record_publish_due(record=scheduled, now=timezone.now() + timedelta(hours=2))
    record = services.record_publish(user=reviewer, record=record)
    if state == "published":
        return record
    if state in ("withdrawn_notice", "withdrawn_silent"):
        return services.record_withdraw(
            user=reviewer, record=record, reason="内容有误", public_notice=state == "withdrawn_notice"
        )
    raise ValueError(state)


# Every marker is letters only, so that it is one search term ("mk" + key).
PROACTIVE_STATES = [
    "draft",
    "submitted",
    "changes_requested",
    "approved",
    "scheduled",
    "published",
    "published_not_yet",
    "withdrawn_notice",
    "withdrawn_silent",
]
# 依申请公开 and 不予公开 cannot be published (service and database both refuse); this is how far they go.
WITHHELD_STATES = ["draft", "submitted", "changes_requested", "approved"]
PUBLIC_KEYS = {"published", "revision", "township"}
LEAK_WORDS = "公租房配租泄露检查"


def marker(key: str) -> str:
    return "mk" + key.replace("_", "")


def _leak_fields(key: str, count: int) -> dict:
    return {
        "title": f"关于{LEAK_WORDS}的公告 {marker(key)}",
        "body": f"<p>{LEAK_WORDS}正文 {marker(key)}</p>",
        "document_number": f"清建〔2026〕{count + 1}号",
    }


def notice_withdrawn_by_the_job(desk: Desk, draft: Record) -> Record:
    """A 公示 published with a 7-day period to be withdrawn at its end, published eight days ago, and withdrawn
    by the 公示 job (disclosure/records/publicity.py): no longer public anywhere."""
    from django.db.models import F

    from disclosure.records import publicity
    from disclosure.records.publicity_models import DayKind, EndAction

    publicity.public_notice_set(
        user=desk.editor, record=draft, day_count=7, day_kind=DayKind.CALENDAR, contact="0371-12345678",
        end_action=EndAction.WITHDRAW, responsible_staff=[desk.editor],
    )
    record = bring_to(draft, "published", editor=desk.editor, reviewer=desk.reviewer)
    Record.objects.filter(pk=record.pk).update(published_at=F("published_at") - timedelta(days=8))
    publicity.public_notice_end(notice=record.public_notice)
    record.refresh_from_db()
    return record


def leak_world(demo_orgs) -> dict[str, Record]:
    """A record in every reachable state × openness, a superseded original, and public-looking records
    hidden by a switched-off organisation or catalog node. Only PUBLIC_KEYS are public. Every title
    holds LEAK_WORDS and the record's marker; every body holds the marker too."""
    county = demo_orgs[COUNTY]
    desk = Desk(county)
    node = "020502"

    def make(key, state, *, on=desk, where=node, **fields):
        fields.setdefault("title", f"关于{LEAK_WORDS}的公告 {marker(key)}")
        fields.setdefault("body", f"<p>{LEAK_WORDS}正文 {marker(key)}</p>")
        fields.setdefault("document_number", f"清建〔2026〕{len(records) + 1}号")
        return on.bring_to(on.draft(where, **fields), state)

    records: dict[str, Record] = {}
    for state in PROACTIVE_STATES:
        records[state] = make(state, state)
    for openness in (Openness.ON_APPLICATION, Openness.WITHHELD):
        for state in WITHHELD_STATES:
            key = f"{openness}_{state}"
            records[key] = make(key, state, openness=openness, withholding_ground=WithholdingGround.THIRD_PARTY)
    records["superseded"] = make("superseded", "published")
    records["revision"] = desk.revise(
        records["superseded"],
        title=f"关于{LEAK_WORDS}的公告（修订） {marker('revision')}",
        body=f"<p>{LEAK_WORDS}修订正文 {marker('revision')}</p>",
    )
    records["notice_withdrawn"] = notice_withdrawn_by_the_job(
        desk, desk.draft(node, **_leak_fields("notice_withdrawn", len(records)))
    )
    records["inactive_node"] = make("inactive_node", "published", where="020503")
    records["inactive_ancestor"] = make("inactive_ancestor", "published", where="030101")
    records["township"] = make("township", "published", on=Desk(demo_orgs[TOWNSHIP]), where="020102")
    records["inactive_org"] = make("inactive_org", "published", on=Desk(demo_orgs[CLOSED_TOWNSHIP]), where="020102")
    # Switching off an organisation or a node hides its records without any record service running.
    Organisation.objects.filter(code=CLOSED_TOWNSHIP).update(is_active=False)
    CatalogNode.objects.filter(code="020503").update(is_active=False)
    CatalogNode.objects.filter(code="0301").update(is_active=False)
    for record in records.values():
        record.refresh_from_db()
    return records
