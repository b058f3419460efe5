"""Demo: the 政府信息公开 column's nodes with one 公开制度 record, a register of cases, and the demo county's annual report of last
year, written, generated, reviewed and published through the services (the townships have none yet, so
the dashboard and the completeness report show the flag)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.records import services
from disclosure.records.demo import review_through_chain
from disclosure.records.disclosure_column import RULES_CODE, ensure_disclosure_column_nodes
from disclosure.records.models import Openness, Record, RecordType
from disclosure.reports import documents
from disclosure.reports.models import AnnualReportDocument, CaseKind, CaseOutcome, DisclosureCase

NARRATIVE = {
    "overview": "【year】年，本局坚持以公开为常态、不公开为例外，按照住房城乡建设领域基层政务公开标准目录做好政府信息公开工作。",
    **documents.DEFAULT_NARRATIVE,
    "problems_text": "部分栏目更新不够及时。下一步将建立栏目更新提醒机制，按月检查。",
    "other_text": "",
}


def ensure_demo_annual_reports() -> int:
    """Make the demo's annual report of last year (0 if it exists, or the demo accounts or the demo
    records, which need the standard catalog, are missing)."""
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["editor", "reviewer"])}
    if county is None or len(users) < 2 or not Record.objects.filter(organisation=county).exists():
        return 0
    year = timezone.localdate().year - 1
    if AnnualReportDocument.objects.filter(organisation=county, year=year).exists():
        return 0
    nodes = ensure_disclosure_column_nodes()
    _publish(users, services.record_create(
        user=users["editor"], organisation=county, node=nodes[RULES_CODE],
        title="清河县住房和城乡建设局政府信息公开保密审查制度", issuing_body=county.name,
        written_on=timezone.localdate(), formed_on=timezone.localdate(), record_type=RecordType.OTHER,
        openness=Openness.PROACTIVE, summary="信息公开前的保密审查程序、责任和记录要求。",
        body="<p>第一条　拟公开的政府信息，由承办科室提出公开属性意见，经保密审查后方可公开。</p>"
        "<p>第二条　审核员不得审核本人起草或修改的信息。</p>",
    ))
    DisclosureCase.objects.create(
        organisation=county, kind=CaseKind.REVIEW, subject="不服政府信息公开申请答复（不予公开）",
        case_number=f"清政复〔{year}〕3号", received_on=datetime.date(year, 4, 8),
        decided_on=datetime.date(year, 6, 2), outcome=CaseOutcome.UPHELD, created_by=users["editor"],
    )
    narrative = {key: value.replace("【year】", str(year)) for key, value in NARRATIVE.items()}
    document = AnnualReportDocument.objects.create(
        organisation=county, year=year, created_by=users["editor"], **narrative
    )
    _publish(users, documents.annual_report_generate_record(user=users["editor"], document=document))
    return 1


def _publish(users, record):
    record = services.record_submit(user=users["editor"], record=record)
    record = review_through_chain(record)  # the county's review chain, by its demo reviewers
    return services.record_publish(user=users["reviewer"], record=record)
