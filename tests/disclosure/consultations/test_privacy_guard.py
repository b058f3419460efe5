"""The privacy guard on decision drafts (issue 10): a draft whose body or files hold ID or mobile numbers
is not opened for comment until each finding is masked, removed, or kept by a reviewer with a reason and
a legal basis; the scans and the decisions are in the consultation's activity log. Outside images in the
draft's body are refused at save."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from disclosure.consultations import privacy_guard, services
from disclosure.consultations.models import ConsultationStatus
from disclosure.consultations.privacy_models import ConsultationPrivacyFinding
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.records.privacy_models import FindingDecision
from tests.admin_client import client_for
from tests.disclosure.records.test_privacy_guard import id_number, mobile

pytestmark = pytest.mark.django_db


def roster(rows: int, *, masked: bool) -> bytes:
    """A list of households affected by the draft decision, with full or masked ID and mobile numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "拟纳入对象"
    sheet.append(["序号", "户主", "身份证号码", "联系电话"])
    for i in range(1, rows + 1):
        idn, phone = id_number(i), mobile(i)
        if masked:
            idn, phone = idn[:4] + "*" * 10 + idn[-4:], phone[:3] + "****" + phone[-4:]
        sheet.append([i, "王某某", idn, phone])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def actions(consultation) -> list[str]:
    return list(
        ActivityEntry.objects.filter(subject_type="consultation", subject_id=consultation.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def draft_with_roster(people, content: bytes):
    return people.desk.draft(files=[SimpleUploadedFile("拟纳入对象名单.xlsx", content)])


def test_a_draft_with_ids_in_its_file_is_not_opened_until_each_finding_is_kept(people):
    """Adding the file scans it: 5 ID and 5 mobile numbers, masked. Opening is refused in Chinese, listing
    them; the editor may not keep a finding; the reviewer keeps one through the admin and the rest
    through the service; then the draft opens. Raw values are never stored; everything is in the log."""
    consultation = draft_with_roster(people, roster(5, masked=False))
    findings = ConsultationPrivacyFinding.objects.filter(consultation=consultation)
    latest = privacy_guard.latest_scan(consultation)
    assert latest.findings.filter(kind="id_number").count() == 5
    assert latest.findings.filter(kind="mobile").count() == 5
    first = latest.findings.get(masked=id_number(1)[:4] + "**********" + id_number(1)[-4:])
    assert first.where == "附件“拟纳入对象名单.xlsx” 工作表“拟纳入对象” 第2行 C列"
    stored = " ".join(f"{f.masked} {f.where} {f.subject} {f.value_digest}" for f in findings)
    assert id_number(1) not in stored and mobile(1) not in stored

    with pytest.raises(InvalidTransition) as refusal:
        services.consultation_open(user=people.reviewer, consultation=consultation)
    assert "发现未处理的个人信息，不能开始征求意见" in str(refusal.value)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT

    with pytest.raises(PermissionDenied):
        privacy_guard.consultation_privacy_keep(user=people.editor, finding=first, reason="公示", legal_basis="规定")
    page = client_for(people.reviewer).get(reverse("admin:disclosure_consultation_change", args=[consultation.pk]))
    assert "个人信息检查" in page.content.decode() and first.masked in page.content.decode()
    response = client_for(people.reviewer).post(
        reverse("admin:disclosure_consultation_privacy_keep", args=[consultation.pk, first.pk]),
        {"reason": "征求利害关系人意见须列明对象", "legal_basis": "《重大行政决策程序暂行条例》第十四条"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.decision == FindingDecision.KEPT and first.decided_by == people.reviewer
    for finding in latest.findings.filter(decision=FindingDecision.OPEN):
        privacy_guard.consultation_privacy_keep(
            user=people.reviewer, finding=finding, reason="利害关系人名单", legal_basis="《重大行政决策程序暂行条例》"
        )
    consultation = services.consultation_open(user=people.reviewer, consultation=consultation)
    assert consultation.status == ConsultationStatus.OPEN
    log = actions(consultation)
    assert log.index("privacy_scan") < log.index("open")
    assert log.count("privacy_keep") == 10
    keep = ActivityEntry.objects.filter(subject_id=consultation.pk, action="privacy_keep").order_by("id").first()
    assert first.masked in keep.comment and "第十四条" in keep.comment


def test_the_masked_file_uploaded_instead_lets_the_draft_open(people):
    """The editor replaces the list by a masked one: the earlier findings are settled as masked (logged)
    and the draft opens with no decision needed."""
    consultation = draft_with_roster(people, roster(3, masked=False))
    services.consultation_attachment_remove(user=people.editor, attachment=consultation.attachments.get())
    services.consultation_attachment_add(
        user=people.editor, consultation=consultation, upload=SimpleUploadedFile("拟纳入对象名单.xlsx", roster(3, masked=True))
    )
    assert not privacy_guard.latest_scan(consultation).findings.exists()
    decisions = set(ConsultationPrivacyFinding.objects.filter(consultation=consultation).values_list("decision", flat=True))
    assert decisions == {FindingDecision.REMOVED}  # gone with the first file, before the masked one came
    consultation = services.consultation_open(user=people.reviewer, consultation=consultation)
    assert consultation.status == ConsultationStatus.OPEN
    assert actions(consultation).count("privacy_removed") == 6


def test_a_number_edited_out_of_the_body_is_settled_as_masked(people):
    """A mobile number in the body is found at save; editing it into a masked form settles the finding."""
    consultation = people.desk.draft(body="<p>联系人：张三，电话13903711234</p>")
    finding = privacy_guard.latest_scan(consultation).findings.get()
    assert (finding.kind, finding.masked, finding.where) == ("mobile", "139****1234", "草案正文 第1行")
    with pytest.raises(InvalidTransition):
        services.consultation_open(user=people.reviewer, consultation=consultation)
    services.consultation_update(user=people.editor, consultation=consultation, body="<p>联系人：张三，电话139****1234</p>")
    finding.refresh_from_db()
    assert finding.decision == FindingDecision.MASKED
    assert services.consultation_open(user=people.reviewer, consultation=consultation).status == ConsultationStatus.OPEN


def test_only_who_may_open_the_draft_may_keep_a_finding(people):
    """Four eyes: the reviewer who edited the draft, and a reviewer of another organisation, are refused."""
    consultation = people.desk.draft(body="<p>电话13903711234</p>")
    services.consultation_update(user=people.both, consultation=consultation, summary="起草说明")
    finding = privacy_guard.latest_scan(consultation).findings.get()
    for user in (people.both, people.town_reviewer, people.editor):
        with pytest.raises(PermissionDenied):
            privacy_guard.consultation_privacy_keep(user=user, finding=finding, reason="理由", legal_basis="依据")
    with pytest.raises(ValidationError):
        privacy_guard.consultation_privacy_keep(user=people.reviewer, finding=finding, reason=" ", legal_basis="依据")
    finding.refresh_from_db()
    assert finding.decision == FindingDecision.OPEN
    assert "privacy_keep" not in actions(consultation)


@pytest.mark.parametrize("src", ["https://evil.example/pixel.gif", "//evil.example/a.png", "data:image/png;base64,AAAA"])
def test_outside_images_in_a_draft_body_are_refused_at_save(people, src):
    """Create and update refuse an image from elsewhere with the Chinese message; nothing is saved."""
    body = f'<p>示意图</p><img src="{src}" alt="图">'
    with pytest.raises(ValidationError) as refusal:
        people.desk.draft(body=body)
    assert "正文不得引用外部图片，请将图片作为附件上传。" in str(refusal.value)
    consultation = people.desk.draft()
    with pytest.raises(ValidationError):
        services.consultation_update(user=people.editor, consultation=consultation, body=body)
    consultation.refresh_from_db()
    assert "evil" not in consultation.body and "data:" not in consultation.body
