"""Auditors' reports (disclosure/reports/): completeness, timeliness, freshness, the annual report.

The fixture is small enough to compute by hand; every expected figure below is worked out in the
comments from the fixture and the official 2024 holiday schedule, never from the code under test.
"""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import CatalogNode, Method, OrgLevel, Provenance, TimeLimitTrigger
from disclosure.core.access import Role
from disclosure.records.models import Openness, Record, Status
from disclosure.reports import annual, completeness
from disclosure.reports.common import all_organisations, select_organisations
from disclosure.reports.completeness import ItemState, completeness_report, completeness_summary
from disclosure.reports.freshness import Freshness, ThresholdSource, freshness_report
from disclosure.reports.timeliness import Timing, timeliness_report
from tests.factories import make_staff
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

TODAY = date(2024, 11, 6)  # a Wednesday; the "as of" date of every report here
COUNTY, T1, T2, T3 = "419901", "419901001", "419901002", "419901003"
COUNTY_ONLY, BOTH, TOWNSHIP_ONLY = ["county"], ["county", "township"], ["township"]


def local(year, month, day, hour=10, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def node(code, name, parent=None, *, levels=BOTH, method=Method.PROACTIVE, days=None, **extra):
    return CatalogNode.objects.create(
        code=code,
        name=name,
        parent=parent,
        levels=levels,
        method=method,
        time_limit_days=days,
        time_limit_trigger=TimeLimitTrigger.FORMED if days else TimeLimitTrigger.NONE,
        provenance=extra.pop("provenance", Provenance.SOURCED),
        **extra,
    )


_serial = iter(range(1, 100000))


def make_record(org, at, *, formed_on, published_at=None, status=None, openness=Openness.PROACTIVE, **extra):
    """A record in a given state with given dates (the services always stamp "now", the fixture
    needs 2024), written directly: this is test data, not a state change."""
    status = status or (Status.PUBLISHED if published_at else Status.DRAFT)
    fields = {}
    if status in (Status.PUBLISHED, Status.WITHDRAWN, Status.SUPERSEDED):
        fields["index_number"] = f"{org.code}/{(published_at or local(2024, 1, 1)).year}-{next(_serial):05d}"
        fields["published_at"] = published_at or local(2024, 1, 1)
    if openness != Openness.PROACTIVE:
        fields["withholding_ground"] = "art16_process"
    return Record.objects.create(
        organisation=org,
        node=at,
        title=extra.pop("title", f"{at.name}信息"),
        formed_on=formed_on,
        status=status,
        openness=openness,
        **fields,
        **extra,
    )


@pytest.fixture
def catalog(db):
    """Two domains. A applies to counties and townships, with an on-application item (a2), a
    county-only item (a3) and a news-like first-level item (a4, 工作动态); B has a node-level
    freshness threshold (b1: 30 days), township-only items (b2–b4), and a local extension item
    (lx) with a refinement (lx1) under it."""
    a = node("TA", "领域A")
    a1g = node("TA1", "法规政策", a)
    a2g = node("TA2", "工作动态", a, levels=COUNTY_ONLY)
    b = node("TB", "领域B")
    b1g = node("TB1", "配给管理", b)
    lx = node("lx", "本地扩展事项", b1g, levels=COUNTY_ONLY, provenance=Provenance.LOCAL)
    return {
        "A": a,
        "B": b,
        "a1": node("a1", "政策文件", a1g, days=20),
        "a2": node("a2", "启动要件", a1g, levels=COUNTY_ONLY, method=Method.ON_APPLICATION),
        "a3": node("a3", "征收决定", a1g, levels=COUNTY_ONLY, days=20),
        "a4": node("a4", "局工作动态", a2g, levels=COUNTY_ONLY),
        "b1": node("b1", "资格审核", b1g, freshness_days=30),
        "b2": node("b2", "乡镇公示", b1g, levels=TOWNSHIP_ONLY),
        "b3": node("b3", "乡镇名单", b1g, levels=TOWNSHIP_ONLY),
        "b4": node("b4", "乡镇结果", b1g, levels=TOWNSHIP_ONLY),
        "lx": lx,
        "lx1": node("lx1", "本地细化栏目", lx, levels=COUNTY_ONLY, provenance=Provenance.LOCAL),
    }


@pytest.fixture
def data(demo_orgs, catalog):
    """The records, with their hand-computed timing (2024 schedule: National Day 1–7 Oct, make-up
    working days Sunday 29 Sept and Saturday 12 Oct; Dragon Boat Festival Monday 10 June)."""
    county, t1, t2, t3 = (demo_orgs[code] for code in (COUNTY, T1, T2, T3))
    c = catalog
    records = {
        # Formed Fri 20 Sept, 20 working days: 23–27 Sept (1–5), Sun 29 (6), Mon 30 (7), Golden Week
        # off, 8–11 Oct (8–11), Sat 12 Oct (12), 14–18 (13–17), 21–23 (18–20): due Wed 23 Oct.
        # Published on the due date: on time.
        "on_time": make_record(county, c["a1"], formed_on=date(2024, 9, 20), published_at=local(2024, 10, 23)),
        # Formed Fri 6 Sept: 9–13 Sept (1–5), Sat 14 Sept make-up (6), 18–20 (7–9; 16–17 Mid-Autumn
        # off), 23–27 (10–14), 29–30 (15–16), 8–11 Oct (17–20): due Fri 11 Oct. Published at 00:30
        # Beijing time on Saturday 12 Oct (still 11 Oct in UTC), a make-up working day: late by
        # exactly one working day.
        "late": make_record(
            county, c["a1"], formed_on=date(2024, 9, 6), published_at=local(2024, 10, 12, 0, 30)
        ),
        # Township: formed Fri 31 May, 3–7 June (1–5), 11–14 (6–9; Mon 10 June Dragon Boat off),
        # 17–21 (10–14), 24–28 (15–19), Mon 1 July (20). Published 3 June: on time.
        "township_on_time": make_record(t1, c["a1"], formed_on=date(2024, 5, 31), published_at=local(2024, 6, 3)),
        # Draft formed Tue 8 Oct: 9–12 Oct (1–4), 14–18 (5–9), 21–25 (10–14), 28 Oct–1 Nov (15–19),
        # Mon 4 Nov (20) = due. On Wed 6 Nov it is overdue by 2 working days (5 and 6 Nov).
        "overdue_draft": make_record(county, c["a3"], formed_on=date(2024, 10, 8)),
        # Waiting in review, formed Fri 1 Nov: due Fri 29 Nov; working days left after 6 Nov:
        # 7–8 (2), 11–15 (7), 18–22 (12), 25–29 (17).
        "pending": make_record(county, c["a3"], formed_on=date(2024, 11, 1), status=Status.SUBMITTED),
        # Formed 15 Dec 2026: the deadline falls in 2027, whose schedule nobody has entered.
        "unknown": make_record(county, c["a3"], formed_on=date(2026, 12, 15)),
        # Never counted: 依申请公开 drafts are not due for publication; withdrawn records are not public.
        "withheld_draft": make_record(
            county, c["a1"], formed_on=date(2024, 1, 5), openness=Openness.ON_APPLICATION
        ),
        "withdrawn": make_record(
            county, c["a1"], formed_on=date(2024, 1, 5), status=Status.WITHDRAWN, published_at=local(2024, 2, 1)
        ),
        # No time limit on these nodes: completeness and freshness only.
        "news": make_record(county, c["a4"], formed_on=date(2024, 10, 11), published_at=local(2024, 10, 12)),
        "b1_county": make_record(county, c["b1"], formed_on=date(2024, 10, 18), published_at=local(2024, 10, 20)),
        "refinement": make_record(county, c["lx1"], formed_on=date(2024, 4, 30), published_at=local(2024, 5, 1)),
        "b2_t1": make_record(t1, c["b2"], formed_on=date(2024, 11, 1), published_at=local(2024, 11, 1)),
        "b1_t3": make_record(t3, c["b1"], formed_on=date(2024, 3, 1), published_at=local(2024, 3, 1)),
    }
    return {"orgs": demo_orgs, "records": records, "nodes": catalog}


def organisations(code=None):
    return select_organisations(all_organisations(), code)


def cell_of(report, org_code, item_code):
    return next(c for c in report.cells if c.organisation.code == org_code and c.item.code == item_code)


def row_of(report, org_code):
    return next(r for r in report.organisations if r.organisation.code == org_code)


# --- completeness -----------------------------------------------------------------------------


def test_completeness_states_per_cell(data):
    """Each (organisation, item) cell is disclosed, missing, on-application or not applicable as
    computed by hand; records on a refinement count for its local second-level item."""
    report = completeness_report(organisations(COUNTY))
    expected_county = {
        "a1": (ItemState.DISCLOSED, 2, date(2024, 10, 23)),  # withdrawn and drafts do not count
        "a2": (ItemState.ON_APPLICATION, 0, None),
        "a3": (ItemState.MISSING, 0, None),  # only unpublished records there
        "a4": (ItemState.DISCLOSED, 1, date(2024, 10, 12)),
        "b1": (ItemState.DISCLOSED, 1, date(2024, 10, 20)),
        "b2": (ItemState.NOT_APPLICABLE, 0, None),
        "b3": (ItemState.NOT_APPLICABLE, 0, None),
        "b4": (ItemState.NOT_APPLICABLE, 0, None),
        "lx": (ItemState.DISCLOSED, 1, date(2024, 5, 1)),  # via refinement lx1
    }
    for item, (state, count, latest) in expected_county.items():
        cell = cell_of(report, COUNTY, item)
        assert (cell.state, cell.count, cell.latest) == (state, count, latest), item
    # Township vs county level: a1 (county and township) applies to a township, a3 (county) does not.
    assert cell_of(report, T1, "a1").state == ItemState.DISCLOSED
    assert cell_of(report, T1, "a3").state == ItemState.NOT_APPLICABLE
    assert cell_of(report, T1, "b1").state == ItemState.MISSING
    assert cell_of(report, T2, "a1").state == ItemState.MISSING
    # The local item is listed like a standard one; its refinement is not a row of its own.
    assert {c.item.code for c in report.cells if c.organisation.code == COUNTY} == set(expected_county)


def test_completeness_tallies_roll_up(data):
    """Per organisation, per domain, per item, and rolled up: county + three townships."""
    report = completeness_report(organisations())
    county = row_of(report, COUNTY)
    # county: disclosed a1 a4 b1 lx, missing a3, on application a2, n/a b2 b3 b4; 5 public records
    assert (county.own.disclosed, county.own.missing, county.own.on_application, county.own.not_applicable) == (4, 1, 1, 3)
    assert county.own.records == 5
    assert county.own.coverage == 80.0
    # T1: a1 b2 disclosed; b1 b3 b4 missing; T2: all five missing; T3: b1 disclosed, four missing
    assert (row_of(report, T1).own.disclosed, row_of(report, T1).own.missing) == (2, 3)
    assert row_of(report, T1).own.coverage == 40.0
    assert (row_of(report, T2).own.disclosed, row_of(report, T2).own.missing) == (0, 5)
    assert row_of(report, T2).own.coverage == 0.0
    assert row_of(report, T3).own.coverage == 20.0
    # rolled up: disclosed 4+2+0+1 = 7, missing 1+3+5+4 = 13, records 5+2+0+1 = 8, 7/20 = 35 %
    assert (county.total.disclosed, county.total.missing, county.total.records) == (7, 13, 8)
    assert county.total.coverage == 35.0
    city = row_of(report, "419900")
    assert city.own.required == 0 and not city.has_items
    assert (city.total.disclosed, city.total.missing, city.total.coverage) == (7, 13, 35.0)
    assert row_of(report, "410000").total.coverage == 35.0
    # domain A: disclosed county a1 a4, T1 a1 = 3; missing county a3, T2 a1, T3 a1 = 3 → 50 %
    domains = {row.domain.code: row.tally for row in report.domains}
    assert (domains["TA"].disclosed, domains["TA"].missing, domains["TA"].on_application) == (3, 3, 1)
    assert domains["TA"].coverage == 50.0
    # domain B: disclosed county b1 lx, T1 b2, T3 b1 = 4; missing 0+3+4+3 = 10 → 28.6 %
    assert (domains["TB"].disclosed, domains["TB"].missing, domains["TB"].coverage) == (4, 10, 28.6)
    # item a1 across organisations: county and T1 disclosed, T2 and T3 missing
    items = {row.item.code: row.tally for row in report.items}
    assert (items["a1"].disclosed, items["a1"].missing, items["a1"].records) == (2, 2, 3)
    assert items["a1"].latest == date(2024, 10, 23)
    assert items["a2"].on_application == 1 and items["a2"].required == 0
    assert (report.total.disclosed, report.total.missing) == (7, 13)


def test_completeness_published_range_and_summary_dicts(data):
    """A publication-date range counts only records published within it; the summary is plain dicts."""
    report = completeness_report(
        organisations(COUNTY), published_from=date(2024, 10, 12), published_to=date(2024, 10, 20)
    )
    # 12 Oct 00:30 (late) and the news item (12 Oct) and b1 (20 Oct) fall in; 23 Oct does not.
    assert cell_of(report, COUNTY, "a1").count == 1
    assert cell_of(report, COUNTY, "b1").count == 1
    assert cell_of(report, COUNTY, "lx").state == ItemState.MISSING
    summary = completeness_summary(organisations(COUNTY))
    json.dumps(summary)  # plain data only
    county = next(o for o in summary["organisations"] if o["code"] == COUNTY)
    assert county["own"]["coverage"] == 80.0 and county["total"]["coverage"] == 35.0
    assert county["parent"] is None  # the report's root
    assert next(o for o in summary["organisations"] if o["code"] == T1)["parent"] == COUNTY
    assert "cells" not in summary


def test_findings_add_remarks(data, monkeypatch):
    """The service guides' findings appear on their cells and in the tallies, states unchanged."""
    county = data["orgs"][COUNTY]
    b1 = data["nodes"]["b1"]

    def guides(org_ids, item_ids):
        return {(county.pk, b1.pk): ["缺少“收费标准”要素"]}

    monkeypatch.setattr(completeness, "service_guide_findings", guides)
    report = completeness_report(organisations(COUNTY))
    cell = cell_of(report, COUNTY, "b1")
    assert cell.findings == ["缺少“收费标准”要素"] and cell.state == ItemState.DISCLOSED
    assert row_of(report, COUNTY).own.flagged == 1


# --- timeliness -------------------------------------------------------------------------------


def test_timeliness_matches_hand_computation(data):
    """Due dates across Golden Week and make-up Saturdays, on time, late by one working day,
    overdue draft, pending review, unknown 2027 schedule; 依申请公开 and withdrawn left out."""
    report = timeliness_report(organisations(COUNTY), today=TODAY)
    by_id = {row.record_id: row for row in report.rows}
    r = data["records"]
    expected = {
        "on_time": (date(2024, 10, 23), Timing.ON_TIME, None, date(2024, 10, 23)),
        "late": (date(2024, 10, 11), Timing.LATE, 1, date(2024, 10, 12)),
        "township_on_time": (date(2024, 7, 1), Timing.ON_TIME, None, date(2024, 6, 3)),
        "overdue_draft": (date(2024, 11, 4), Timing.OVERDUE, 2, None),
        "pending": (date(2024, 11, 29), Timing.PENDING, 17, None),
        "unknown": (None, Timing.UNKNOWN, None, None),
    }
    assert set(by_id) == {r[name].pk for name in expected}
    for name, (due, timing, days, published_on) in expected.items():
        row = by_id[r[name].pk]
        assert (row.due, row.timing, row.working_days, row.published_on) == (due, timing, days, published_on), name
    assert by_id[r["unknown"].pk].note == "无法计算：2027年节假日安排未录入"
    total = report.total
    assert (total.on_time, total.late, total.overdue, total.pending, total.unknown) == (2, 1, 1, 1, 1)
    assert total.on_time_rate == 66.7
    assert row_of(report, COUNTY).own.late == 1 and row_of(report, COUNTY).total.on_time == 2
    # Publications by month, gaps filled: June (on time), July–September (none), October (1 + 1 late).
    assert [(m.month, m.on_time, m.late) for m in report.months] == [
        ("2024-06", 1, 0),
        ("2024-07", 0, 0),
        ("2024-08", 0, 0),
        ("2024-09", 0, 0),
        ("2024-10", 1, 1),
    ]


def test_timeliness_formed_range(data):
    """The date range filters on the formation date."""
    report = timeliness_report(
        organisations(COUNTY), today=TODAY, formed_from=date(2024, 9, 1), formed_to=date(2024, 9, 30)
    )
    assert sorted(row.record_id for row in report.rows) == sorted(
        [data["records"]["on_time"].pk, data["records"]["late"].pk]
    )


def test_timeliness_set_based_2025_hand_computation(demo_orgs, catalog):
    """The set-based report (WorkingDay joins) on the 2025 schedule (国办发明电〔2024〕12号), every figure
    counted by hand. a1 has 20 working days. Formed Fri 26 Sept 2025: Sun 28 Sept (make-up) day 1,
    29–30 Sept days 2–3, 1–8 Oct off, 9–10 Oct 4–5, Sat 11 Oct (make-up) 6, 13–17 Oct 7–11, 20–24 Oct
    12–16, 27–30 Oct 17–20: due Thu 30 Oct. As of Tue 4 Nov 2025:

    - published Thu 30 Oct: on time;
    - published Fri 31 Oct: late by 1 (31 Oct);
    - published Sat 1 Nov: late by 2 (the next working day is Mon 3 Nov: 31 Oct, 3 Nov);
    - draft: overdue by 3 (31 Oct, 3 Nov, 4 Nov);
    - draft formed Mon 27 Oct: 28–31 Oct 1–4, 3–7 Nov 5–9, 10–14 Nov 10–14, 17–21 Nov 15–19, Mon 24 Nov
      20 = due; pending with 14 working days left after 4 Nov (5–7: 3, 10–14: 8, 17–21: 13, 24 Nov: 14).
    """
    county = demo_orgs[COUNTY]
    a1 = catalog["a1"]
    formed = date(2025, 9, 26)
    records = {
        "on_time": make_record(county, a1, formed_on=formed, published_at=local(2025, 10, 30)),
        "late_1": make_record(county, a1, formed_on=formed, published_at=local(2025, 10, 31)),
        "late_2": make_record(county, a1, formed_on=formed, published_at=local(2025, 11, 1)),
        "overdue": make_record(county, a1, formed_on=formed),
        "pending": make_record(county, a1, formed_on=date(2025, 10, 27)),
    }
    report = timeliness_report(organisations(COUNTY), today=date(2025, 11, 4))
    by_id = {row.record_id: row for row in report.rows}
    expected = {
        "on_time": (date(2025, 10, 30), Timing.ON_TIME, None),
        "late_1": (date(2025, 10, 30), Timing.LATE, 1),
        "late_2": (date(2025, 10, 30), Timing.LATE, 2),
        "overdue": (date(2025, 10, 30), Timing.OVERDUE, 3),
        "pending": (date(2025, 11, 24), Timing.PENDING, 14),
    }
    assert {name: (by_id[r.pk].due, by_id[r.pk].timing, by_id[r.pk].working_days) for name, r in records.items()} == expected
    total = report.total
    assert (total.on_time, total.late, total.overdue, total.pending, total.unknown) == (1, 2, 1, 1, 0)
    assert total.late_working_days == 3
    assert [(m.month, m.on_time, m.late) for m in report.months] == [("2025-10", 1, 1), ("2025-11", 0, 1)]
    # Listing: filtered, counted, paged and the longest first, all from the database.
    late = report.rows_by(Timing.LATE)
    assert len(late) == 2 and [row.record_id for row in late[0:1]] == [records["late_1"].pk]
    assert [row.record_id for row in late.longest(1)] == [records["late_2"].pk]
    assert [row.record_id for row in report.rows.filter(month="2025-11")] == [records["late_2"].pk]


def test_timeliness_rows_merge_what_only_the_python_clock_can_count(data):
    """Rows reaching the unentered 2027 are counted by the Python clock and listed in formation order
    with the others, on every page and in every filter."""
    report = timeliness_report(organisations(COUNTY), today=TODAY)
    r = data["records"]
    order = [row.record_id for row in report.rows]
    assert order == [row.record_id for row in report.rows[0:len(order)]]
    assert order[-1] == r["unknown"].pk  # formed 15 Dec 2026, the latest
    assert [row.record_id for row in report.rows[len(order) - 2:]] == order[-2:]
    unknown = report.rows_by(Timing.UNKNOWN)
    assert len(unknown) == 1 and unknown[0].note == "无法计算：2027年节假日安排未录入"


# --- freshness --------------------------------------------------------------------------------


def test_freshness_matches_hand_computation(data):
    """Stale, blank and fresh columns with node-level, news and default thresholds; the site check's
    three separate conditions. Six calendar months before 6 Nov 2024 is 6 May 2024: 184 days (25 in
    May, 30, 31, 31, 30, 31, and 6 in November)."""
    report = freshness_report(organisations(COUNTY), today=TODAY)
    columns = {(c.organisation.code, c.item.code): c for c in report.columns}
    # On-application (a2) and not-applicable items are not columns.
    assert {item for org, item in columns if org == COUNTY} == {"a1", "a3", "a4", "b1", "lx"}
    expected = {
        # a1 (政策文件 under 法规政策): latest 23 Oct, 14 days ago, six months: fresh
        (COUNTY, "a1"): (Freshness.FRESH, 14, 184, ThresholdSource.NOTICE),
        (COUNTY, "a3"): (Freshness.BLANK, None, 184, ThresholdSource.NOTICE),
        # a4 under 工作动态: news-like, 14 days; latest 12 Oct, 25 days ago: stale
        (COUNTY, "a4"): (Freshness.STALE, 25, 14, ThresholdSource.NEWS),
        # b1: 30 days set on the node; 20 Oct is 17 days ago: fresh
        (COUNTY, "b1"): (Freshness.FRESH, 17, 30, ThresholdSource.NODE),
        # lx (a local item under 配给管理: another column): 1 May is before 6 May: stale
        (COUNTY, "lx"): (Freshness.STALE, 189, 184, ThresholdSource.DEFAULT),
        # T3's b1 was published 1 March, 250 days ago, threshold 30: stale
        (T3, "b1"): (Freshness.STALE, 250, 30, ThresholdSource.NODE),
        (T1, "b2"): (Freshness.FRESH, 5, 184, ThresholdSource.DEFAULT),
    }
    for key, (state, age, threshold, source) in expected.items():
        column = columns[key]
        assert (column.state, column.age_days, column.threshold, column.threshold_source) == (
            state,
            age,
            threshold,
            source,
        ), key
    rows = {row.organisation.code: row for row in report.organisations}
    # county: a4 stale (news: condition a, 1 < 5), lx stale (other: condition b, 1 < 10), a3 blank
    # (condition c, 1 < 5): passes
    assert (rows[COUNTY].own.stale_key, rows[COUNTY].own.stale_other, rows[COUNTY].own.blank) == (1, 1, 1)
    assert not rows[COUNTY].fails_site_check
    # T1: blank b1 b3 b4 = 3 (a1 of 3 June is 156 days old, fresh): passes
    assert (rows[T1].own.fresh, rows[T1].own.blank, rows[T1].fails_site_check) == (2, 3, False)
    # T2: all five blank: fails on condition (c). T3: b1 stale (other) plus four blank: no condition
    # is met (the conditions do not add up), so it passes.
    assert (rows[T2].own.blank, rows[T2].fails_site_check) == (5, True)
    assert rows[T2].site_check_reasons == ["空白栏目5个（5个及以上即不合格）"]
    assert (rows[T3].own.stale, rows[T3].own.blank, rows[T3].fails_site_check) == (1, 4, False)
    assert rows[COUNTY].total.failing_organisations == 1
    assert (report.total.stale, report.total.blank) == (3, 13)


@pytest.mark.parametrize(
    "stale_key, stale_other, blank, fails",
    [
        (4, 9, 4, False),  # 17 problems, but no single condition is met: passes
        (5, 0, 0, True),  # (a) five stale 动态要闻 / 通知公告政策文件 columns
        (0, 10, 0, True),  # (b) ten other columns long not updated
        (0, 9, 0, False),
        (0, 0, 5, True),  # (c) five blank columns
    ],
)
def test_the_site_check_conditions_are_separate(stale_key, stale_other, blank, fails):
    """The indicator's three single-veto conditions (norms.md, corrected 2026-12-06) do not add up."""
    from disclosure.reports.freshness import FreshnessOrganisationRow, FreshnessTally

    row = FreshnessOrganisationRow(organisation=None, depth=0)
    row.own = FreshnessTally(stale=stale_key + stale_other, stale_key=stale_key, stale_other=stale_other, blank=blank)
    assert row.fails_site_check is fails
    assert len(row.site_check_reasons) == int(stale_key >= 5) + int(stale_other >= 10) + int(blank >= 5)


@pytest.mark.parametrize(
    "day, back",
    [
        (date(2024, 11, 6), date(2024, 5, 6)),
        (date(2024, 8, 31), date(2024, 2, 29)),  # leap year: February's last day
        (date(2025, 8, 31), date(2025, 2, 28)),
        (date(2025, 3, 15), date(2024, 9, 15)),  # across the year
    ],
)
def test_six_months_are_calendar_months(day, back):
    """"Six months" in the indicator is six calendar months, not 182 days."""
    from disclosure.reports.freshness import months_before

    assert months_before(day, 6) == back


def test_interpretations_and_concerns_are_not_news_or_notice_columns(catalog):
    """回应关切 and 政策解读 are neither 动态/要闻 nor 通知公告/政策文件 columns (norms.md), although
    政策解读 holds 政策; 工作动态 is news, 法规政策 a policy column."""
    from disclosure.reports.common import load_catalog
    from disclosure.reports.freshness import ColumnKind, column_kind

    kinds = {item.node.code: column_kind(item) for item in load_catalog().items}
    assert kinds["a4"] == ColumnKind.NEWS and kinds["a1"] == ColumnKind.NOTICE
    assert kinds["b1"] == ColumnKind.OTHER


# --- annual report ----------------------------------------------------------------------------


def test_annual_report_table_2_from_records(demo_orgs, catalog):
    """规章/规范性文件 issued, repealed, current; decisions by document date; fees entered by hand."""
    county, t1 = demo_orgs[COUNTY], demo_orgs[T1]
    at = catalog["a1"]

    def public(org, record_type, written_on, formed_on, validity="current"):
        return make_record(
            org,
            at,
            record_type=record_type,
            written_on=written_on,
            formed_on=formed_on,
            validity=validity,
            published_at=local(2024, 12, 30),
        )

    public(county, "normative", date(2024, 3, 1), date(2024, 3, 1))  # issued 2024, current
    public(county, "normative", date(2023, 5, 1), date(2024, 8, 1), "repealed")  # repealed in 2024
    public(county, "normative", date(2022, 1, 1), date(2022, 1, 1))  # current, earlier year
    public(county, "normative", date(2025, 1, 3), date(2025, 1, 3))  # next year: counts nowhere
    public(county, "regulation", date(2024, 6, 1), date(2024, 6, 1), "expired")  # issued; expired 2024
    public(county, "licensing", date(2024, 2, 2), date(2024, 2, 2))
    public(county, "licensing", None, date(2024, 12, 1))  # no 成文日期: the formation date counts
    public(county, "penalty", date(2023, 12, 31), date(2024, 1, 2))  # 2023 decision
    public(t1, "coercion", date(2024, 7, 7), date(2024, 7, 7))  # township: only with --subtree
    make_record(county, at, record_type="licensing", written_on=date(2024, 5, 5), formed_on=date(2024, 5, 5))  # draft

    data = annual.annual_report([county], 2024, fees=Decimal("1.25"))
    documents = {row["type"]: row for row in data["proactive"]["documents"]}
    assert (documents["normative"]["issued"], documents["normative"]["repealed"], documents["normative"]["current"]) == (1, 1, 2)
    assert (documents["regulation"]["issued"], documents["regulation"]["repealed"], documents["regulation"]["current"]) == (1, 1, 0)
    decisions = {row["type"]: row["decisions"] for row in data["proactive"]["decisions"]}
    assert decisions == {"licensing": 2, "penalty": 0, "coercion": 0}
    assert data["proactive"]["fees"]["amount"] == "1.25"
    both = annual.annual_report(organisations(COUNTY), 2024)
    assert {row["type"]: row["decisions"] for row in both["proactive"]["decisions"]}["coercion"] == 1
    assert both["proactive"]["fees"]["amount"] == "0"


def test_application_table_structure_and_checks(demo_orgs):
    """Zeros until applications exist, with every row and column of the 2021 format, checks passing;
    a source whose figures do not add up fails exactly the affected checks."""
    table = annual.application_table([demo_orgs[COUNTY].pk], 2024)
    assert [c["label"] for c in table["columns"]] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert [len(g["rows"]) for g in table["result_groups"]] == [1, 1, 8, 3, 5, 3]
    assert table["passed"] and len(table["checks"]) == 14
    assert all(v == 0 for v in table["result_total"]["values"].values())

    def source(org_ids, year):
        return {
            ("new", "natural_person"): 5,
            ("carried_in", "natural_person"): 1,
            ("disclosed", "natural_person"): 3,
            ("withheld_state_secret", "natural_person"): 1,
            ("carried_out", "natural_person"): 2,  # 5 + 1 = (3 + 1) + 2 holds
            ("new", "commercial"): 2,
            ("disclosed", "commercial"): 1,  # 2 ≠ 1 + 0: fails for 商业企业 and 总计
        }

    table = annual.application_table([demo_orgs[COUNTY].pk], 2024, source=source)
    assert table["result_total"]["values"]["natural_person"] == 4
    assert table["rows"][0]["values"]["total"] == 7
    failed = {(c["rule"], c["column"]) for c in table["checks"] if not c["passed"]}
    assert failed == {("一+二=三+四", "commercial"), ("一+二=三+四", "total")}
    assert not table["passed"]

    def inconsistent_total(org_ids, year):
        return {
            ("disclosed", "natural_person"): 2,
            ("results_total", "natural_person"): 3,
            ("new", "natural_person"): 3,
        }

    table = annual.application_table([demo_orgs[COUNTY].pk], 2024, source=inconsistent_total)
    failed = {(c["rule"], c["column"]) for c in table["checks"] if not c["passed"]}
    assert ("（七）=（一）+…+（六）", "natural_person") in failed
    assert ("一+二=三+四", "natural_person") not in failed


def test_review_table_zeros(demo_orgs):
    """Table 4 has three groups of four outcomes plus a total, all zero without a source."""
    table = annual.review_litigation_table([demo_orgs[COUNTY].pk], 2024)
    assert [g["label"] for g in table["groups"]] == ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
    assert all([c["label"] for c in g["cells"]] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] for g in table["groups"])
    assert all(c["value"] == 0 for g in table["groups"] for c in g["cells"])


# --- pages, scope, exports, commands ----------------------------------------------------------

REPORT_PAGES = [
    "reports",
    "reports_completeness",
    "reports_completeness_cells",
    "reports_records",
    "reports_timeliness",
    "reports_timeliness_records",
    "reports_freshness",
    "reports_annual",
    "reports_completeness_csv",
    "reports_completeness_xlsx",
    "reports_timeliness_csv",
    "reports_timeliness_xlsx",
    "reports_freshness_csv",
    "reports_freshness_xlsx",
    "reports_annual_xlsx",
]


def body(response) -> bytes:
    """A response's body, whether streamed (CSV, XLSX exports) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def url(name, **params):
    from urllib.parse import urlencode

    return reverse(f"disclosure:{name}") + (f"?{urlencode(params)}" if params else "")


@pytest.fixture
def county_auditor(data):
    return make_staff(data["orgs"][COUNTY], Role.AUDITOR, username="county-auditor")


@pytest.fixture
def township_editor(data):
    return make_staff(data["orgs"][T1], Role.EDITOR, username="t1-editor")


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_anonymous_is_sent_to_admin_login(client, data, name):
    """Every report page and export redirects an anonymous visitor to the admin login."""
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_county_auditor_opens_every_page(client, county_auditor, name):
    """An auditor of the county gets every page and export."""
    client.force_login(county_auditor)
    assert client.get(url(name)).status_code == 200


def test_staff_without_organisation_is_refused(client, data):
    """A staff account with no organisation or role has no scope: 403, with the reason in Chinese."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    response = client.get(url("reports_completeness"))
    assert response.status_code == 403


def test_county_auditor_sees_townships_not_city(client, county_auditor):
    """The county auditor's report covers the county and its townships; the city is out of scope."""
    client.force_login(county_auditor)
    response = client.get(url("reports_completeness"))
    report = response.context["report"]
    assert [row.organisation.code for row in report.organisations] == [COUNTY, T1, T2, T3]
    assert report.total.coverage == 35.0
    assert "35.0%" in response.content.decode()
    assert client.get(url("reports_completeness", org="419900")).status_code == 400
    township = client.get(url("reports_completeness", org=T3)).context["report"]
    assert [row.organisation.code for row in township.organisations] == [T3]


def test_township_editor_sees_only_own(client, township_editor, data):
    """A township's editor sees its own organisation only, in reports and drill-downs."""
    client.force_login(township_editor)
    report = client.get(url("reports_completeness")).context["report"]
    assert [row.organisation.code for row in report.organisations] == [T1]
    assert client.get(url("reports_completeness", org=COUNTY)).status_code == 400
    page = client.get(url("reports_records")).context["page"]
    assert {record.organisation.code for record in page} == {T1}
    assert len(page) == 2
    timeliness = client.get(url("reports_timeliness")).context["report"]
    assert [row.record_id for row in timeliness.rows] == [data["records"]["township_on_time"].pk]
    rows = body(client.get(url("reports_completeness_csv"))).decode("utf-8-sig").splitlines()
    assert all(T1 in line for line in rows[1:]) and len(rows) > 1


def test_bad_filters_are_400_not_500(client, county_auditor):
    """Malformed dates, reversed ranges and unknown states or nodes are answered in Chinese, never a 500."""
    client.force_login(county_auditor)
    response = client.get(url("reports_completeness", date_from="2024-13-01"))
    assert response.status_code == 400
    response = client.get(url("reports_timeliness", date_from="2024-10-01", date_to="2024-09-01"))
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()
    assert client.get(url("reports_completeness_cells", state="nonsense")).status_code == 404
    assert client.get(url("reports_records", node="no-such-node")).status_code == 404
    assert client.get(url("reports_annual", org=COUNTY, year="abc")).status_code == 400
    assert client.get(url("reports_annual", org=COUNTY, year="2024", fees="-1")).status_code == 400


@pytest.mark.parametrize("report", ["completeness", "timeliness", "freshness"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_export_filters_are_400_in_chinese(client, county_auditor, data, report, fmt):
    """The streamed exports check their filter before anything is streamed: a malformed or impossible
    date, a reversed range, an organisation code outside the scope → 400 with the form's Chinese
    message, never a 500 halfway through a download."""
    client.force_login(county_auditor)
    name = f"reports_{report}_{fmt}"
    choice = "选择一个有效的选项"  # Django's Chinese message for a code that is not among the choices
    bad = [({"org": "no-such-org"}, choice), ({"org": "410000"}, choice)]
    if report != "freshness":
        bad += [
            ({"date_from": "2024-02-30"}, "输入一个有效的日期"),
            ({"date_to": "9999-12-31"}, "日期应在"),
            ({"date_from": "2024-10-01", "date_to": "2024-09-01"}, "起始日期不能晚于截止日期"),
        ]
    for params, message in bad:
        response = client.get(url(name, **params))
        assert response.status_code == 400, params
        assert not response.streaming and message in response.content.decode(), params
    assert client.get(url(name, org=COUNTY)).status_code == 200


def test_switched_off_columns_and_timely_figures_follow_public_records(data):
    """The figures per column follow public_records(): a column switched off (its node or a node above
    it) drops out of every count, as does a record whose publication time is still to come."""
    county = data["orgs"][COUNTY]
    make_record(county, data["nodes"]["b1"], formed_on=date(2024, 10, 1), published_at=timezone.now() + timezone.timedelta(days=1))
    assert cell_of(completeness_report(organisations(COUNTY)), COUNTY, "b1").count == 1  # the future one not yet
    CatalogNode.objects.filter(code="TB1").update(is_active=False)
    report = completeness_report(organisations(COUNTY))
    assert {c.item.code for c in report.cells if c.organisation.code == COUNTY} == {"a1", "a2", "a3", "a4"}
    assert row_of(report, COUNTY).own.records == 3  # a1: 2, a4: 1


def test_drill_downs_list_the_records_behind_figures(client, county_auditor, data):
    """Cells by state, records of one column (refinements included), late and overdue records."""
    client.force_login(county_auditor)
    r = data["records"]
    cells = client.get(url("reports_completeness_cells", state="missing", org=COUNTY)).context["page"]
    # a3 at the county; b1 b3 b4 at T1; five at T2; a1 b2 b3 b4 at T3
    assert len(cells.object_list) == 13
    own = client.get(url("reports_completeness_cells", state="missing", org=COUNTY, own=1)).context["page"]
    assert [(c.organisation.code, c.item.code) for c in own] == [(COUNTY, "a3")]
    page = client.get(url("reports_records", org=COUNTY, own=1, node="lx")).context["page"]
    assert [record.pk for record in page] == [r["refinement"].pk]
    page = client.get(url("reports_records", org=COUNTY, own=1, node="a1")).context["page"]
    assert {record.pk for record in page} == {r["on_time"].pk, r["late"].pk}
    late = client.get(url("reports_timeliness_records", state="late")).context["page"]
    assert [row.record_id for row in late] == [r["late"].pk]
    month = client.get(url("reports_timeliness_records", state="on_time", month="2024-10")).context["page"]
    assert [row.record_id for row in month] == [r["on_time"].pk]
    body = client.get(url("reports_timeliness_records", state="unknown")).content.decode()
    assert "无法计算：2027年节假日安排未录入" in body
    blank = client.get(url("reports_freshness", org=COUNTY, own=1, state="blank")).context["page"]
    assert [(c.organisation.code, c.item.code) for c in blank] == [(COUNTY, "a3")]


def test_pages_draw_charts_without_scripts(client, county_auditor):
    """Charts are inline SVG with a title and description; the pages load no script and nothing external."""
    client.force_login(county_auditor)
    for name in ("reports_completeness", "reports_timeliness", "reports_freshness"):
        body = client.get(url(name)).content.decode()
        assert "<svg" in body and "<title" in body and "<desc" in body, name
        assert "<script src=\"http" not in body and "https://" not in body.split("<body", 1)[1], name


def test_annual_page(client, county_auditor):
    """The printable annual report shows all four tables and its checks, with the hand-entered fees."""
    client.force_login(county_auditor)
    response = client.get(url("reports_annual", org=COUNTY, year=2024, fees="2.5"))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "（七）总计", "四、结转下年度继续办理",
                 "行政诉讼", "未经复议直接起诉", "复议后起诉", "2.5", "表三校验：全部通过"):
        assert text in body, text
    assert response.context["report"]["applications"]["passed"]


def test_completeness_exports_parse_back(client, county_auditor):
    """The CSV reads back as the report's cells; the XLSX has the cells and the summaries."""
    client.force_login(county_auditor)
    response = client.get(url("reports_completeness_csv", org=COUNTY))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    county_a3 = next(r for r in rows if r["单位编码"] == COUNTY and r["事项编码"] == "a3")
    assert county_a3["状态"] == "未公开" and county_a3["公开信息数"] == "0"
    county_a1 = next(r for r in rows if r["单位编码"] == COUNTY and r["事项编码"] == "a1")
    assert (county_a1["状态"], county_a1["公开信息数"], county_a1["最近发布日期"]) == ("已公开", "2", "2024-10-23")
    assert len(rows) == 4 * 9  # four organisations with items, nine items each

    workbook = load_workbook(io.BytesIO(body(client.get(url("reports_completeness_xlsx", org=COUNTY)))))
    assert workbook.sheetnames == ["栏目明细", "单位汇总", "领域汇总", "事项汇总"]
    summary = workbook["单位汇总"]
    header = [cell.value for cell in summary[1]]
    county = next(row for row in summary.iter_rows(min_row=2, values_only=True) if row[0] == COUNTY)
    assert county[header.index("本单位覆盖率（%）")] == 80.0
    assert county[header.index("含下级覆盖率（%）")] == 35.0
    assert county[header.index("含下级公开信息数")] == 8


def test_timeliness_and_freshness_exports(client, county_auditor, data):
    """Timeliness rows and freshness columns export with their computed figures."""
    client.force_login(county_auditor)
    rows = list(csv.DictReader(io.StringIO(body(client.get(url("reports_timeliness_csv"))).decode("utf-8-sig"))))
    late = next(r for r in rows if r["信息编号"] == str(data["records"]["late"].pk))
    assert (late["应公开日期"], late["发布日期"], late["结论"], late["逾期/超期/剩余工作日"]) == (
        "2024-10-11",
        "2024-10-12",
        "逾期发布",
        "1",
    )
    unknown = next(r for r in rows if r["信息编号"] == str(data["records"]["unknown"].pk))
    assert unknown["说明"] == "无法计算：2027年节假日安排未录入"
    workbook = load_workbook(io.BytesIO(body(client.get(url("reports_freshness_xlsx")))))
    sheet = workbook["单位汇总"]
    verdicts = {row[0]: row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # Pages count from today: every fixture record dates from 2024, more than six months ago, so all
    # the county's five columns are stale or blank: a1 (policy) and a4 (news) stale = 2 for condition
    # (a), b1 and lx (other columns) stale = 2 for (b), a3 blank = 1 for (c). No condition is met, and
    # they do not add up: it passes. T2's five blank columns fail on (c).
    assert verdicts[COUNTY] == "合格" and verdicts[T2] == "不合格"
    assert set(verdicts) == {COUNTY, T1, T2, T3}  # the auditor's scope


def test_exports_never_carry_formulas(client, county_auditor, data):
    """A title starting with "=" is exported as text, in CSV and XLSX alike."""
    make_record(
        data["orgs"][COUNTY],
        data["nodes"]["a1"],
        formed_on=date(2024, 10, 21),
        published_at=local(2024, 10, 22),
        title='=HYPERLINK("http://evil.example","点我")',
    )
    client.force_login(county_auditor)
    text = body(client.get(url("reports_timeliness_csv"))).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    workbook = load_workbook(io.BytesIO(body(client.get(url("reports_timeliness_xlsx")))))
    titles = [row[2] for row in workbook["信息明细"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in titles


def test_commands_write_csv_xlsx_json(data, tmp_path):
    """The commands write the reports for an organisation's subtree; bad input is a Chinese CommandError."""
    out = tmp_path / "c.csv"
    call_command("completeness_report", org=COUNTY, format="csv", output=str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["单位编码"] for r in rows} == {COUNTY, T1, T2, T3}
    out = tmp_path / "t.json"
    call_command("timeliness_report", org=COUNTY, format="json", output=str(out), as_of="2024-11-06")
    timeliness = json.loads(out.read_text(encoding="utf-8"))
    assert timeliness["total"]["overdue"] == 1 and timeliness["total"]["late"] == 1
    out = tmp_path / "f.xlsx"
    call_command("freshness_report", org=T2, format="xlsx", output=str(out), as_of="2024-11-06")
    sheet = load_workbook(out)["栏目明细"]
    assert [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["空白栏目"] * 5
    out = tmp_path / "a.xlsx"
    call_command("annual_report", org=COUNTY, year=2024, format="xlsx", output=str(out))
    workbook = load_workbook(out)
    # The section headings and narrative come first (empty until staff write the report).
    assert workbook.sheetnames == ["报告正文", "二、主动公开", "三、依申请公开", "三、校验", "四、复议诉讼"]
    assert {row[4] for row in workbook["三、校验"].iter_rows(min_row=2, values_only=True)} == {"通过"}
    out = tmp_path / "a.csv"
    call_command("annual_report", org=COUNTY, year=2024, format="csv", output=str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows if len(row) == 1] == ["报告正文", "二、主动公开", "三、依申请公开", "三、校验", "四、复议诉讼"]
    assert ["六、其他需要报告的事项", ""] in rows
    with pytest.raises(CommandError, match="找不到编码为“999999”的单位"):
        call_command("completeness_report", org="999999")
    with pytest.raises(CommandError, match="XLSX 格式必须用 --output"):
        call_command("timeliness_report", org=COUNTY, format="xlsx")
    with pytest.raises(CommandError, match="日期"):
        call_command("freshness_report", as_of="2024-02-30")


# --- query counts -----------------------------------------------------------------------------


def _more_data(data, n):
    """n more townships under the county, each with records in several columns (same years)."""
    from tests.factories import OrganisationFactory

    county = data["orgs"][COUNTY]
    nodes = data["nodes"]
    for i in range(n):
        township = OrganisationFactory(code=f"41990109{i}", name=f"新增乡镇{i}", level=OrgLevel.TOWNSHIP, parent=county)
        for j, key in enumerate(("a1", "b1", "b2", "a1")):
            make_record(township, nodes[key], formed_on=date(2024, 9, 2 + j), published_at=local(2024, 10, 8 + j))
        make_record(township, nodes["a1"], formed_on=date(2024, 10, 9))  # an overdue draft
    for j in range(10):
        make_record(county, nodes["a4"], formed_on=date(2024, 8, 1 + j), published_at=local(2024, 8, 2 + j))


PINNED_PAGES = [
    ("reports_completeness", {}),
    ("reports_completeness_cells", {"state": "missing"}),
    ("reports_records", {"node": "a1"}),
    ("reports_timeliness", {}),
    ("reports_timeliness_records", {"state": "late"}),
    ("reports_freshness", {}),
    ("reports_annual", {"org": COUNTY, "year": 2024, "subtree": "on"}),
    ("reports_completeness_xlsx", {}),
    ("reports_timeliness_csv", {}),
    ("reports_freshness_csv", {}),
    ("reports_annual_xlsx", {"org": COUNTY, "year": 2024}),
]


@pytest.mark.parametrize("name,params", PINNED_PAGES)
def test_query_count_does_not_grow_with_data(client, county_auditor, data, name, params):
    """The number of queries of a page or export is the same for 4 and 9 organisations with many more records."""
    client.force_login(county_auditor)
    target = url(name, **params)

    def count():
        client.get(target)  # warm the working-day calendar and the session
        return count_queries(client, target)

    small = count()
    _more_data(data, 5)
    assert count() == small
    # 20 data queries at most; PostgreSQL adds up to five statements of plumbing to the timeliness tally
    # (a savepoint and its release, SET LOCAL jit and work_mem, the DECLARE of the streamed rows' cursor).
    assert small <= (25 if connection.vendor == "postgresql" else 20), small


# --- the demo ---------------------------------------------------------------------------------


def test_demo_auditor_sees_all_three_states(client, seeded_demo):
    """After load_catalog and seed_demo (``seeded_demo``), the demo auditor (审计员 of 419901) sees
    disclosed, missing and on-application columns in the completeness report of the county and its
    townships."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="auditor"))
    response = client.get(url("reports_completeness"))
    assert response.status_code == 200
    report = response.context["report"]
    assert [row.organisation.code for row in report.organisations] == [COUNTY, T1, T2, T3]
    states = {cell.state for cell in report.cells if cell.organisation.code == COUNTY}
    assert {ItemState.DISCLOSED, ItemState.MISSING, ItemState.ON_APPLICATION} <= states
    county = row_of(report, COUNTY)
    assert county.own.disclosed and county.own.missing and county.own.on_application


@pytest.mark.parametrize(
    "largest, top, step",
    [(1, 1, 1), (5, 5, 1), (6, 6, 2), (7, 8, 2), (11, 15, 5), (48, 50, 10), (101, 150, 50)],
)
def test_count_axis_labels_sit_at_their_own_values(largest, top, step):
    """The late-publications chart labels whole numbers at their true heights (a label "2" once sat
    at 2.5 when the tallest column was 5)."""
    from disclosure.reports.charts import Column, StackedColumnChart, nice_axis

    assert nice_axis(largest) == (top, step)
    chart = StackedColumnChart(
        title="t", description="d", columns=[Column(label="m", values=[largest, 0])],
        series=[{"label": "a", "css": "a"}, {"label": "b", "css": "b"}],
    )
    height = chart.plot_bottom - chart.plot_top
    for tick in chart.ticks:
        assert tick["y"] == round(chart.plot_bottom - height * tick["label"] / top, 1)
    assert [t["label"] for t in chart.ticks] == list(range(0, top + 1, step))
    assert chart.columns[0].segments[0]["height"] == round(height * largest / top, 1)
