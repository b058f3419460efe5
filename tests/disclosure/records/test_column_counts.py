"""The counts of public records per (organisation, catalog node) that the database keeps (PublicColumnCount,
migration 0014_public_column_counts), and ``public_column_figures``, which the reports read instead of
counting the records.

Expected values are counted by hand from the steps each test takes (written beside them), or, for the
seeded demo, by a GROUP BY the test runs itself over the records; never by the code under test.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.records.models import Openness, PublicColumnCount, Record, Status
from disclosure.records.selectors import public_column_figures
from tests.disclosure.publishing import CLOSED_TOWNSHIP, COUNTY, TOWNSHIP, Desk, leak_world


def kept() -> dict[tuple[str, str], int]:
    """(organisation code, node code) → the count the database keeps, for every row above 0."""
    counts = {
        (row.organisation_id, row.node_id): row.records for row in PublicColumnCount.objects.filter(records__gt=0)
    }
    organisations = dict(Organisation.objects.values_list("pk", "code"))
    nodes = dict(CatalogNode.objects.values_list("pk", "code"))
    return {(organisations[o], nodes[n]): count for (o, n), count in counts.items()}


def figures(organisation, **kwargs) -> dict[str, tuple[int, object]]:
    nodes = dict(CatalogNode.objects.values_list("pk", "code"))
    return {nodes[node]: (count, latest) for _org, node, count, latest in public_column_figures([organisation.pk], **kwargs)}


@pytest.mark.django_db
def test_the_leak_world_keeps_what_is_published_and_the_figures_what_is_public(standard_catalog, demo_orgs):
    """The leak world (tests/disclosure/publishing.py), by hand. Published and 主动公开, on 020502 of the
    county: "published", "revision" and "published_not_yet" (its time an hour ahead): 3 kept. Not counted:
    drafts, submitted, returned, approved, scheduled, both withdrawals, the notice withdrawn by the job,
    the superseded original and every 依申请公开 / 不予公开 record. Elsewhere one each: 020503 and 030101 of
    the county (switched off afterwards: the database still counts them, the reports drop them as they
    drop the nodes), 020102 of the township and of the closed township.

    The figures of the county: 020502 has 2 public (3 less the one ahead), the latest being the newer of
    "published" and "revision"; three hours on, 3, the latest being "published_not_yet"."""
    records = leak_world(demo_orgs)
    assert kept() == {
        (COUNTY, "020502"): 3,
        (COUNTY, "020503"): 1,
        (COUNTY, "030101"): 1,
        (TOWNSHIP, "020102"): 1,
        (CLOSED_TOWNSHIP, "020102"): 1,
    }
    county = demo_orgs[COUNTY]
    newest = max(records["published"].published_at, records["revision"].published_at)
    assert figures(county) == {
        "020502": (2, newest),
        "020503": (1, records["inactive_node"].published_at),
        "030101": (1, records["inactive_ancestor"].published_at),
    }
    later = timezone.now() + timedelta(hours=3)
    assert figures(county, now=later)["020502"] == (3, records["published_not_yet"].published_at)
    assert figures(county, node_ids=[CatalogNode.objects.get(code="030101").pk], latest=False) == {"030101": (1, None)}


@pytest.mark.django_db
def test_each_statement_adds_what_it_changed(standard_catalog, demo_orgs):
    """Step by step on the county, the expected counts worked out by hand after each step."""
    desk = Desk(demo_orgs[COUNTY])
    a = desk.publish("020502", title="甲")
    b = desk.publish("020502", title="乙")
    c = desk.publish("020101", title="丙")
    assert kept() == {(COUNTY, "020502"): 2, (COUNTY, "020101"): 1}

    desk.withdraw(a)  # 020502: 2 - 1
    assert kept() == {(COUNTY, "020502"): 1, (COUNTY, "020101"): 1}

    revision = desk.revise(b, title="乙（修订）")  # b superseded (-1), its revision published (+1)
    assert kept() == {(COUNTY, "020502"): 1, (COUNTY, "020101"): 1}

    # Moved to another column by a plain UPDATE (no service): 020101 - 1, 020102 + 1.
    Record.objects.filter(pk=c.pk).update(node=CatalogNode.objects.get(code="020102"))
    assert kept() == {(COUNTY, "020502"): 1, (COUNTY, "020102"): 1}

    # A draft edited, submitted and approved changes nothing; one draft published adds one.
    draft = desk.draft("020502", title="丁")
    desk.approve(draft)
    assert kept() == {(COUNTY, "020502"): 1, (COUNTY, "020102"): 1}

    # One statement over several rows: three more published in 020502 (1 + 3 = 4), then all four
    # withdrawn by one UPDATE (4 - 4 = 0); the row stays, at 0.
    for title in ("戊", "己", "庚"):
        desk.publish("020502", title=title)
    assert kept()[(COUNTY, "020502")] == 4
    assert Record.objects.filter(node__code="020502", status=Status.PUBLISHED).update(status=Status.WITHDRAWN) == 4
    assert kept() == {(COUNTY, "020102"): 1}
    assert PublicColumnCount.objects.get(node__code="020502").records == 0
    assert Record.objects.get(pk=revision.pk).status == Status.WITHDRAWN  # the revision was among the four


@pytest.mark.django_db
def test_the_seeded_demo_keeps_a_recount_of_its_records(seeded_demo):
    """The demo moves records through every state (seed_demo), and the tests restore it from a snapshot
    (tests/snapshots.py), whose plain INSERTs fire the same triggers: the kept counts are the recount."""
    recount = {
        (row["organisation__code"], row["node__code"]): row["n"]
        for row in Record.objects.filter(status=Status.PUBLISHED, openness=Openness.PROACTIVE)
        .values("organisation__code", "node__code")
        .annotate(n=Count("id"))
    }
    assert recount and sum(recount.values()) > 20
    assert kept() == recount


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_publishing_in_one_column_at_once_both_count(standard_catalog, demo_orgs):
    """The first transaction publishes in 020502 and holds its lock on the column's row; the second
    publishes there too, waits for that lock, and adds to the row the first committed: 1 + 1 + 1 = 3 with
    the record published before. Incrementing a row read before the wait would give 2."""
    desk = Desk(demo_orgs[COUNTY])
    desk.publish("020502", title="先发布的")
    approved = [desk.approve(desk.draft("020502", title=f"并发{k}")) for k in range(2)]
    first_wrote, errors = threading.Event(), []

    def publish(record, *, first):
        try:
            with transaction.atomic():
                from disclosure.records import services

                services.record_publish(user=desk.reviewer, record=record)
                if first:
                    first_wrote.set()
                    threading.Event().wait(0.5)  # the second is now waiting for the row
                else:
                    first_wrote.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    second = threading.Thread(target=lambda: (first_wrote.wait(10), publish(approved[1], first=False)))
    first = threading.Thread(target=publish, args=(approved[0],), kwargs={"first": True})
    second.start()
    first.start()
    first.join(30)
    second.join(30)
    assert not errors
    assert kept() == {(COUNTY, "020502"): 3}


@pytest.mark.django_db
def test_the_command_finds_counts_gone_wrong_and_rebuilds_them(standard_catalog, demo_orgs):
    """Two records published in the county's 020502 and one in 020101. Then what the triggers cannot see,
    done by hand: 020502's count set to 5, and 020101's row deleted. The check names both columns (kept 5,
    recounted 2; kept 0, recounted 1) and fails; ``--rebuild`` brings back 2 and 1, and the check then
    says so: 2 columns, 3 records."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    desk = Desk(demo_orgs[COUNTY])
    desk.publish("020502", title="甲")
    desk.publish("020502", title="乙")
    desk.publish("020101", title="丙")
    PublicColumnCount.objects.filter(node__code="020502").update(records=5)
    PublicColumnCount.objects.filter(node__code="020101").delete()

    errors = StringIO()
    with pytest.raises(CommandError, match="2 个栏目的公开信息数与重新统计不一致"):
        call_command("public_column_counts", stdout=StringIO(), stderr=errors)
    assert errors.getvalue().splitlines() == [
        f"单位 {COUNTY} 栏目 020101：计数 0，重新统计 1",
        f"单位 {COUNTY} 栏目 020502：计数 5，重新统计 2",
    ]

    out = StringIO()
    call_command("public_column_counts", "--rebuild", stdout=out)
    assert "已按重新统计的结果重建 2 个栏目的公开信息数" in out.getvalue()
    assert kept() == {(COUNTY, "020502"): 2, (COUNTY, "020101"): 1}
    out = StringIO()
    call_command("public_column_counts", stdout=out)
    assert "栏目公开信息数与重新统计一致：2 个栏目，共 3 条公开信息" in out.getvalue()
