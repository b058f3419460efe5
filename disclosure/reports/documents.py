"""The annual report as a document: narrative with figures, and its publication record.

Staff write the six sections (``AnnualReportDocument``); where they write a marker such as 【新收申请】
the figure of the report is put in (``FIGURES`` lists them). ``annual_report_generate_record`` computes
the tables as of 31 December, renders the whole report (headings, narrative, tables 2–4) as the body
of a record in the organisation's 政府信息公开年报 column and hands it to the records' services: a new
draft, an update of the draft, or a revision of the published report. From there it follows the same
review workflow as every record (submit, review with 保密审查, publish), by the same people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.core.access import Role, has_role_in
from disclosure.core.transitions import InvalidTransition
from disclosure.records import services as record_services
from disclosure.records.disclosure_column import REPORTS_CODE, ensure_disclosure_column_nodes
from disclosure.records.models import EDITABLE_STATUSES, Openness, Record, RecordType, Status
from disclosure.reports.annual import annual_report, table3_layout
from disclosure.reports.models import AnnualReportDocument, AnnualReportEdition

SECTIONS = (
    ("overview", "一、总体情况"),
    ("proactive_text", "二、主动公开政府信息情况"),
    ("applications_text", "三、收到和处理政府信息公开申请情况"),
    ("reviews_text", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems_text", "五、存在的主要问题及改进情况"),
    ("other_text", "六、其他需要报告的事项"),
)
MARKER = re.compile(r"【([^【】]{1,20})】")
# The wording a new report starts from (staff rewrite it); the markers take the year's figures.
DEFAULT_NARRATIVE = {
    "proactive_text": "本年度制发行政规范性文件【制发规范性文件】件，废止【废止规范性文件】件，"
    "现行有效【现行有效规范性文件】件；作出行政许可决定【行政许可】件、行政处罚决定【行政处罚】件、"
    "行政强制决定【行政强制】件。",
    "applications_text": "本年度新收政府信息公开申请【新收申请】件，上年结转【上年结转】件；办结【办结】件，"
    "其中予以公开【予以公开】件、部分公开【部分公开】件、不予公开【不予公开】件、无法提供【无法提供】件、"
    "不予处理【不予处理】件、其他处理【其他处理】件；结转下年度继续办理【结转下年】件。",
    "reviews_text": "本年度发生政府信息公开行政复议【行政复议】件、行政诉讼【行政诉讼】件。",
}


def _document_row(report: dict, kind: str, key: str) -> dict:
    return next(row for row in report["proactive"]["documents"] if row["type"] == kind)[key]


def _decisions(report: dict, kind: str) -> int:
    return next(row for row in report["proactive"]["decisions"] if row["type"] == kind)["decisions"]


def _group_total(report: dict, *groups: str) -> int:
    return sum(
        cell["value"]
        for group in report["reviews"]["groups"]
        if group["key"] in groups
        for cell in group["cells"]
        if cell["key"] == "total"
    )


def _result(report: dict, key: str) -> int:
    for group in report["applications"]["result_groups"]:
        if group["key"] == key:
            return sum(row["values"]["total"] for row in group["rows"])
    raise KeyError(key)


@dataclass(frozen=True)
class Figure:
    marker: str
    read: object  # (report, document) -> value


FIGURES = (
    Figure("制发规章", lambda r, d: _document_row(r, "regulation", "issued")),
    Figure("废止规章", lambda r, d: _document_row(r, "regulation", "repealed")),
    Figure("现行有效规章", lambda r, d: _document_row(r, "regulation", "current")),
    Figure("制发规范性文件", lambda r, d: _document_row(r, "normative", "issued")),
    Figure("废止规范性文件", lambda r, d: _document_row(r, "normative", "repealed")),
    Figure("现行有效规范性文件", lambda r, d: _document_row(r, "normative", "current")),
    Figure("行政许可", lambda r, d: _decisions(r, "licensing")),
    Figure("行政处罚", lambda r, d: _decisions(r, "penalty")),
    Figure("行政强制", lambda r, d: _decisions(r, "coercion")),
    Figure("行政事业性收费", lambda r, d: r["proactive"]["fees"]["amount"]),
    Figure("新收申请", lambda r, d: r["applications"]["rows"][0]["values"]["total"]),
    Figure("上年结转", lambda r, d: r["applications"]["rows"][1]["values"]["total"]),
    Figure("办结", lambda r, d: r["applications"]["result_total"]["values"]["total"]),
    Figure("予以公开", lambda r, d: _result(r, "disclosed")),
    Figure("部分公开", lambda r, d: _result(r, "partial")),
    Figure("不予公开", lambda r, d: _result(r, "withheld")),
    Figure("无法提供", lambda r, d: _result(r, "unable")),
    Figure("不予处理", lambda r, d: _result(r, "not_processed")),
    Figure("其他处理", lambda r, d: _result(r, "other")),
    Figure("结转下年", lambda r, d: r["applications"]["carried_out"]["values"]["total"]),
    Figure("行政复议", lambda r, d: _group_total(r, "review")),
    Figure("行政诉讼", lambda r, d: _group_total(r, "litigation_direct", "litigation_after_review")),
    Figure("信息处理费", lambda r, d: d.processing_fees),
    Figure("收费通知", lambda r, d: d.processing_fee_notices),
)
FIGURE_MARKERS = tuple(figure.marker for figure in FIGURES)


def unknown_markers(text: str) -> list[str]:
    """The 【…】 markers of ``text`` that name no figure (the form refuses them)."""
    return sorted({name for name in MARKER.findall(text or "") if name not in FIGURE_MARKERS})


def fill_figures(text: str, report: dict, document: AnnualReportDocument) -> str:
    """``text`` with each known 【marker】 replaced by its figure; unknown markers stay as written."""
    values = {figure.marker: figure.read(report, document) for figure in FIGURES}

    def replace(match):
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return MARKER.sub(replace, text or "")


def processing_fee_line(document: AnnualReportDocument) -> str:
    """The 信息处理费 sentence of section 六 (国办函〔2020〕109号), from the entered figures."""
    if not document.processing_fees and not document.processing_fee_notices:
        return _("本年度未收取信息处理费。")
    return _("本年度发出收费通知%(notices)s件，收取信息处理费%(amount)s元。") % {
        "notices": document.processing_fee_notices,
        "amount": document.processing_fees,
    }


def report_of(document: AnnualReportDocument) -> dict:
    """Tables 2–4 of the document's organisation and year, computed now as of 31 December."""
    return annual_report([document.organisation], document.year, fees=document.administrative_fees)


def filled_sections(document: AnnualReportDocument, report: dict) -> list[list[str]]:
    """[[heading, text], …] for the six sections, figures filled in, the 信息处理费 line in 六."""
    sections = []
    for field, heading in SECTIONS:
        text = fill_figures(getattr(document, field), report, document).strip()
        if field == "other_text":
            text = "\n".join(part for part in (text, processing_fee_line(document)) if part)
        sections.append([heading, text])
    return sections


def render_body(report: dict, sections: list[list[str]]) -> str:
    """The report as HTML: headings, narrative paragraphs, tables 2–4 in the 2021 layout."""
    return render_to_string(
        "disclosure/reports/annual_body.html",
        {
            "report": report,
            "table3": table3_layout(report["applications"]),
            "sections": [
                {"heading": heading, "paragraphs": [p for p in text.splitlines() if p.strip()], "table": index + 1}
                for index, (heading, text) in enumerate(sections)
            ],
        },
    )


# --- who may do what ----------------------------------------------------------------------------


def can_write(user, document: AnnualReportDocument | None = None, organisation=None) -> bool:
    """信息员 of the organisation write the report and generate its record (the records' rule)."""
    organisation_id = document.organisation_id if document else getattr(organisation, "pk", None)
    return has_role_in(user, Role.EDITOR, organisation_id)


# --- the publication record -----------------------------------------------------------------------


def _record_content(document: AnnualReportDocument, body: str, sections) -> dict:
    today = timezone.localdate()
    return {
        "title": str(document),
        "issuing_body": document.organisation.name,
        "written_on": today,
        "formed_on": today,
        "record_type": RecordType.OTHER,
        "openness": Openness.PROACTIVE,
        "summary": (sections[0][1] or str(document))[:300],
        "body": body,
    }


@transaction.atomic
def annual_report_generate_record(*, user, document: AnnualReportDocument) -> Record:
    """Make (or refresh) the draft record of the report in the 政府信息公开年报 column.

    - no record yet, or the last one was withdrawn: a new draft;
    - a draft or one returned for changes: updated in place;
    - published: a revision (修订稿) is started and filled; publishing it replaces the report;
    - submitted, approved or scheduled: refused (InvalidTransition), the review must finish first.
    Nothing is written on refusal. The figures and narrative go with the record (``AnnualReportEdition``).
    """
    document = AnnualReportDocument.objects.select_for_update().select_related("organisation").get(pk=document.pk)
    if not can_write(user, document):
        raise PermissionDenied(_("只有本单位的信息员可以生成年度报告信息稿。"))
    if document.year >= timezone.localdate().year:
        raise ValidationError(_("%(year)s年尚未结束，不能生成该年度的年度报告。") % {"year": document.year})
    report = report_of(document)
    sections = filled_sections(document, report)
    content = _record_content(document, render_body(report, sections), sections)
    latest = (
        Record.objects.filter(annual_report_edition__document=document)
        .exclude(status__in=[Status.SUPERSEDED, Status.WITHDRAWN])
        .order_by("-pk")
        .first()
    )
    if latest is None:
        node = ensure_disclosure_column_nodes()[REPORTS_CODE]
        record = record_services.record_create(
            user=user, organisation=document.organisation, node=node, **content
        )
    elif latest.status in EDITABLE_STATUSES:
        record = record_services.record_update(user=user, record=latest, **content)
    elif latest.status == Status.PUBLISHED:
        revision = record_services.record_revise(user=user, record=latest)
        record = record_services.record_update(user=user, record=revision, **content)
    else:
        raise InvalidTransition(
            _("年度报告信息稿正处于“%(status)s”状态，审核结束后才能重新生成。") % {"status": Status(latest.status).label}
        )
    AnnualReportEdition.objects.update_or_create(
        record=record, defaults={"document": document, "figures": _json_ready(report), "sections": sections}
    )
    return record


def _json_ready(value):
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
