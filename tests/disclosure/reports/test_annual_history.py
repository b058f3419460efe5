"""Table 2 as of 31 December from the history, and table 4 from the register of cases.

Every expected figure is counted by hand from the fixture (or the demo's own dates) in the comments;
the format is 国办公开办函〔2021〕30号 (reference/norms.md, "Annual report format").
"""

from datetime import date, datetime
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.utils import timezone

from disclosure.records import services
from disclosure.records.demo import review_through_chain
from disclosure.records.models import Record, Status, Validity
from disclosure.reports import annual
from disclosure.reports.models import CaseKind, CaseOutcome, DisclosureCase
from tests.disclosure.publishing import Desk

pytestmark = pytest.mark.django_db

# The demo's dates are "N days before today"; the hand count below is for this today.
DEMO_TODAY = timezone.make_aware(datetime(2026, 12, 6, 10, 0))


def normative_row(report):
    row = next(r for r in report["proactive"]["documents"] if r["type"] == "normative")
    return row["issued"], row["repealed"], row["current"]


def test_demo_2025_report_is_the_2025_state_after_a_2026_revision_and_repeal(standard_catalog):
    """The demo county's 2025 table 2, computed in December 2026 after a 2026 revision and a 2026 repeal.

    Hand count (today 6 Dec 2026; a demo record formed N days ago, 成文日期 = formation date unless set;
    the version in force on 31 Dec 2025 is the one formed last by then):
    - 清河县国有土地上房屋征收与补偿实施办法 (清政〔2025〕8号): 480 days before = 13 Aug 2025, published
      9 working days later (Aug 2025), 现行有效 at the end of 2025. Repealed in this test: the repeal is
      formed 20 Nov 2026 and published today, superseding it.
    - 清河县公共租赁住房管理实施细则 (清建〔2025〕3号): 500 days before = 24 Jul 2025, published Aug 2025,
      现行有效 at the end of 2025; superseded in 2026 by its 2026 revision (200 days before = 20 May 2026).
    - 清河县保障性租赁住房发展实施方案: 280 days before = 1 Mar 2026: not a 2025 document.
    So 2025: 行政规范性文件 制发 2, 废止 0, 现行有效 2 (today's state gives 1 / 1, and after the repeal 0 / 0).
    No 规章 and no 行政许可/处罚/强制 decision was public in 2025 (the only 行政许可 record is a 2026
    draft in review): all zero.
    2026 (as of now, the year's end not yet reached): the repeal (a 政策文件 in force from 20 Nov 2026,
    not a 规范性文件 itself) makes the 征收 rules 废止 1; the 2026 revision (20 May 2026), the 方案 (1 Mar 2026) and the
    interpretations demo's 清河县公共租赁住房保障对象准入和退出管理办法 (written and published today) are
    制发 and 现行有效 (its sibling 住房租赁补贴发放管理办法 is only approved): 制发 3, 废止 1, 现行有效 3.
    """
    with patch("django.utils.timezone.now", return_value=DEMO_TODAY):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        county = Record.objects.get(title="清河县国有土地上房屋征收与补偿实施办法").organisation
        revised = Record.objects.get(title="清河县公共租赁住房管理实施细则")
        assert revised.status == Status.SUPERSEDED  # the demo's 2026 revision was published
        # The 2026 repeal, as the validity lifecycle records it: a county decision (a 政策文件, effective
        # 20 Nov 2026) linked as repealing the 征收 rules; the pending 2026 revision of those rules is dropped.
        from django.contrib.auth import get_user_model

        from disclosure.records import validity
        from disclosure.records.validity_models import ChangeKind

        users = get_user_model().objects
        editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
        pending = Record.objects.get(title="清河县国有土地上房屋征收与补偿实施办法（2026年修订）")
        services.record_request_changes(user=reviewer, record=pending, comment="改为废止，不再修订")
        original = Record.objects.get(title="清河县国有土地上房屋征收与补偿实施办法")
        decision = services.record_create(
            user=editor, organisation=original.organisation, node=original.node,
            title="关于废止《清河县国有土地上房屋征收与补偿实施办法》的决定", record_type="policy",
            written_on=date(2026, 11, 20), formed_on=date(2026, 11, 20), effective_on=date(2026, 11, 20),
            openness="proactive", body="<p>决定废止该办法。</p>", topic="construction",
        )
        validity.policy_change_link(user=editor, target=original, kind=ChangeKind.REPEAL, by_record=decision)
        decision = review_through_chain(services.record_submit(user=editor, record=decision))
        services.record_publish(user=reviewer, record=decision)
        validity.validity_update_all(today=date(2026, 12, 6))
        original.refresh_from_db()
        assert original.status == Status.PUBLISHED and original.validity == Validity.REPEALED
        assert original.written_on == date(2025, 8, 13) and revised.written_on == date(2025, 7, 24)

        report = annual.annual_report([county], 2025)
        assert normative_row(report) == (2, 0, 2)
        regulation = next(r for r in report["proactive"]["documents"] if r["type"] == "regulation")
        assert (regulation["issued"], regulation["repealed"], regulation["current"]) == (0, 0, 0)
        assert {r["type"]: r["decisions"] for r in report["proactive"]["decisions"]} == {
            "licensing": 0, "penalty": 0, "coercion": 0,
        }
        assert normative_row(annual.annual_report([county], 2026)) == (3, 1, 3)


def test_withdrawal_and_revision_count_by_when_they_happened(county, standard_catalog):
    """A record withdrawn in the next year still counts for the year it was in force; one withdrawn
    within the year does not; a revision formed in the next year leaves the original in the year's
    figures; a document of the year published early in the next year counts for its year.

    Fixture (all 行政规范性文件 of the county, 成文日期 2024):
    - kept: published (now), never changed → 2024 制发 and 现行有效;
    - withdrawn_later: published, withdrawn after 31 Dec 2024 → counts;
    - withdrawn_within: published and withdrawn before 31 Dec 2024 → does not count;
    - revised_later: published, then revised after 31 Dec 2024 with a new 成文日期 of 2025 → the
      original counts for 2024, the revision does not.
    - late: 成文 and formed 28 Dec 2024, published 1 Feb 2025 → counts for 2024.
    Hand count 2024: 制发 4, 废止 0, 现行有效 4.
    """
    desk = Desk(county)
    when_2024 = timezone.make_aware(datetime(2024, 6, 1, 10))
    when_2025 = timezone.make_aware(datetime(2025, 2, 1, 10))

    def at(moment):
        return patch("django.utils.timezone.now", return_value=moment)

    def normative(title, written_on):
        return desk.publish(
            "010102", title=title, record_type="normative", written_on=written_on, formed_on=written_on
        )

    with at(when_2024):
        normative("kept", date(2024, 3, 1))
        withdrawn_later = normative("withdrawn_later", date(2024, 4, 1))
        withdrawn_within = normative("withdrawn_within", date(2024, 5, 1))
        desk.withdraw(withdrawn_within)
        revised_later = normative("revised_later", date(2024, 5, 20))
    with at(when_2025):
        normative("late", date(2024, 12, 28))
        desk.withdraw(withdrawn_later)
        desk.revise(revised_later, title="revised", written_on=date(2025, 1, 20), formed_on=date(2025, 1, 20))
    assert normative_row(annual.annual_report([county], 2024)) == (4, 0, 4)
    # 2025: kept and late (2024 documents) and the revision (2025) are in force: 制发 1, 现行有效 3.
    assert normative_row(annual.annual_report([county], 2025)) == (1, 0, 3)


def test_table_4_from_the_register(county, demo_orgs):
    """Two 复议 cases and one 诉讼 appear in table 4 in their outcome columns, as of 31 December.

    Register of the county (hand count for 2025):
    - 复议 received 3 Mar 2025, decided 10 May 2025, 维持 → 行政复议·结果维持 1;
    - 复议 received 1 Dec 2025, decided 20 Jan 2026, 纠正 → on 31 Dec 2025 undecided: 行政复议·尚未审结 1;
    - 诉讼 (direct) received 5 Jun 2025, decided 1 Sep 2025, 其他 (撤诉) → 未经复议直接起诉·其他结果 1;
    - 复议 received 2024, decided 2024 → not a 2025 case; a township's case → not the county's.
    Totals: 行政复议 2, 直接起诉 1, 复议后起诉 0. In 2026 the case carried over is reported again with its
    outcome: 行政复议·结果纠正 1, total 1.
    """
    def case(org, kind, received, decided=None, outcome=CaseOutcome.PENDING):
        return DisclosureCase.objects.create(
            organisation=org, kind=kind, subject="不服答复", received_on=received, decided_on=decided, outcome=outcome
        )

    case(county, CaseKind.REVIEW, date(2025, 3, 3), date(2025, 5, 10), CaseOutcome.UPHELD)
    case(county, CaseKind.REVIEW, date(2025, 12, 1), date(2026, 1, 20), CaseOutcome.CORRECTED)
    case(county, CaseKind.LITIGATION_DIRECT, date(2025, 6, 5), date(2025, 9, 1), CaseOutcome.OTHER)
    case(county, CaseKind.REVIEW, date(2024, 2, 1), date(2024, 3, 1), CaseOutcome.UPHELD)
    case(demo_orgs["419901001"], CaseKind.REVIEW, date(2025, 2, 1))

    table = annual.review_litigation_table([county.pk], 2025)
    cells = {(g["key"], c["key"]): c["value"] for g in table["groups"] for c in g["cells"]}
    assert cells == {
        ("review", "upheld"): 1, ("review", "corrected"): 0, ("review", "other"): 0,
        ("review", "pending"): 1, ("review", "total"): 2,
        ("litigation_direct", "upheld"): 0, ("litigation_direct", "corrected"): 0,
        ("litigation_direct", "other"): 1, ("litigation_direct", "pending"): 0, ("litigation_direct", "total"): 1,
        ("litigation_after_review", "upheld"): 0, ("litigation_after_review", "corrected"): 0,
        ("litigation_after_review", "other"): 0, ("litigation_after_review", "pending"): 0,
        ("litigation_after_review", "total"): 0,
    }
    later = annual.review_litigation_table([county.pk], 2026)
    review = {c["key"]: c["value"] for c in later["groups"][0]["cells"]}
    assert review == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
