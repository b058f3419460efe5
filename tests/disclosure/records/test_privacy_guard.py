"""The privacy guard of records (issue 10): a 公示 list with full ID and mobile numbers is not published
until every finding is masked in a re-uploaded version or kept by a reviewer with a reason and a legal
basis; scans and decisions are in the records' audit log. Outside images in bodies are refused at save.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from disclosure.core.transitions import InvalidTransition
from disclosure.records import privacy_guard, services
from disclosure.records.models import AuditEntry, Status
from disclosure.records.privacy_models import FindingDecision, PrivacyFinding
from tests.admin_client import client_for
from tests.disclosure.publishing import COUNTY, Desk

NODE = "020502"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    """GB 11643-1999: sum of digit × weight, mod 11, mapped through "10X98765432".

    Hand-checked on the standard's examples:
    - 11010519491231002X: 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2
      = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → "X".
    - 440524188001010014: 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2
      = 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 → "4".
    """
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def test_check_digit_matches_the_standard_examples():
    """The test's own GB 11643 computation agrees with the hand-checked examples of the standard."""
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def id_number(i: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=97 * i)
    first17 = f"410122{born:%Y%m%d}{i:03d}"
    return first17 + check_digit(first17)


def mobile(i: int) -> str:
    return f"1380371{i:04d}"


def roster(*, masked: bool) -> bytes:
    """A 公示 list of 50 households; unless ``masked``, with full ID and mobile numbers. Also a hidden
    row and a hidden sheet, each with one more full ID number (unless masked)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "公示名单"
    sheet.append(["序号", "姓名", "身份证号码", "联系电话", "保障方式"])
    surnames = "王李张刘陈杨黄赵吴周"
    for i in range(1, 51):
        idn, phone = id_number(i), mobile(i)
        if masked:
            idn, phone = idn[:4] + "*" * 10 + idn[-4:], phone[:3] + "****" + phone[-4:]
        sheet.append([i, surnames[i % 10] + "某某", idn, phone, "公租房实物配租"])
    sheet.append([51, "赵某", "4101**********0000" if masked else id_number(51), "", "（已取消）"])
    sheet.row_dimensions[52].hidden = True
    hidden = workbook.create_sheet("原始数据")
    hidden.sheet_state = "hidden"
    hidden.append(["孙某", "4101**********0000" if masked else id_number(52)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def submitted_roster(desk, content: bytes):
    record = desk.draft(NODE, title="2026年第一批公共租赁住房配租结果公示", body="<p>现将配租结果予以公示。</p>")
    services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("配租结果公示.xlsx", content)
    )
    return services.record_submit(user=desk.editor, record=record)


def actions(record) -> list[str]:
    return list(AuditEntry.objects.filter(record=record).order_by("id").values_list("action", flat=True))


def test_roster_with_ids_is_not_published_until_each_finding_is_kept(desk):
    """The scan at submission finds the 50 ID and 50 mobile numbers plus the IDs in the hidden row and
    the hidden sheet, masked; publication is refused with a Chinese message listing them; a reviewer keeps
    one through the admin and the rest through the service, then the record publishes. No raw value is
    stored; the scan and the decisions are in the audit log."""
    record = submitted_roster(desk, roster(masked=False))
    findings = PrivacyFinding.objects.filter(record=record)
    assert findings.filter(kind="id_number").count() == 52
    assert findings.filter(kind="mobile").count() == 50
    first = findings.get(masked=id_number(1)[:4] + "**********" + id_number(1)[-4:])
    assert first.where == "附件“配租结果公示.xlsx” 工作表“公示名单” 第2行 C列"
    assert first.subject == "李**"  # row 1 names 李某某
    assert findings.filter(where__contains="第52行").exists()  # the hidden row
    assert findings.filter(where__contains="工作表“原始数据”（隐藏）").exists()  # the hidden sheet
    stored = " ".join(f"{f.masked} {f.where} {f.value_digest} {f.subject}" for f in findings)
    assert id_number(1) not in stored and mobile(1) not in stored

    record = services.record_approve(
        user=desk.reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    with pytest.raises(InvalidTransition) as refusal:
        services.record_publish(user=desk.reviewer, record=record)
    assert "发现未处理的个人信息，不能发布" in str(refusal.value)
    assert "138****0001" in str(refusal.value) or "4101**********" in str(refusal.value)
    with pytest.raises(InvalidTransition):
        services.record_publish(user=desk.reviewer, record=record, publish_at=timezone.now() + timedelta(days=1))
    record.refresh_from_db()
    assert record.status == Status.APPROVED

    # The editor (who wrote the record) may not keep a finding; the reviewer may, through the admin.
    with pytest.raises(PermissionDenied) as denied:
        privacy_guard.privacy_keep(user=desk.editor, finding=first, reason="公示", legal_basis="规定")
    assert "审核员" in str(denied.value)
    response = client_for(desk.reviewer).post(
        reverse("admin:disclosure_record_privacy_keep", args=[record.pk, first.pk]),
        {"reason": "配租结果须公示至本人", "legal_basis": "《公共租赁住房管理办法》第十八条"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.decision == FindingDecision.KEPT and first.decided_by == desk.reviewer
    page = client_for(desk.editor).get(reverse("admin:disclosure_record_change", args=[record.pk]))
    assert "个人信息检查" in page.content.decode() and first.masked in page.content.decode()

    for finding in findings.filter(decision=FindingDecision.OPEN):
        privacy_guard.privacy_keep(
            user=desk.reviewer, finding=finding, reason="配租结果公示", legal_basis="《公共租赁住房管理办法》"
        )
    record = services.record_publish(user=desk.reviewer, record=record)
    assert record.status == Status.PUBLISHED
    log = actions(record)
    assert log.index("privacy_scan") < log.index("submit")
    assert log.count("privacy_keep") == 102
    keep = AuditEntry.objects.filter(record=record, action="privacy_keep").order_by("id").first()
    assert first.masked in keep.comment and "《公共租赁住房管理办法》第十八条" in keep.comment


def test_masked_roster_uploaded_again_publishes(desk):
    """Returned for changes, the editor replaces the list with a masked one: the re-scan at the next
    submission finds nothing, the earlier findings are settled as masked (in the log), and the record
    publishes."""
    record = submitted_roster(desk, roster(masked=False))
    record = services.record_request_changes(user=desk.reviewer, record=record, comment="请对身份证号和电话脱敏")
    services.attachment_remove(user=desk.editor, attachment=record.attachments.get())
    services.attachment_add(
        user=desk.editor, record=record, upload=SimpleUploadedFile("配租结果公示.xlsx", roster(masked=True))
    )
    record = services.record_submit(user=desk.editor, record=record)
    assert not privacy_guard.open_findings(record).exists()
    assert set(PrivacyFinding.objects.filter(record=record).values_list("decision", flat=True)) == {"masked"}
    record = services.record_approve(
        user=desk.reviewer, record=record, confidentiality_checked=True, openness_checked=True
    )
    record = services.record_publish(user=desk.reviewer, record=record)
    assert record.status == Status.PUBLISHED
    log = actions(record)
    assert log.count("privacy_scan") == 2 and log.count("privacy_masked") == 102


def test_removed_attachment_settles_findings_as_removed(desk):
    """An attachment dropped altogether settles its findings as removed."""
    record = submitted_roster(desk, roster(masked=False))
    record = services.record_request_changes(user=desk.reviewer, record=record, comment="删除名单")
    services.attachment_remove(user=desk.editor, attachment=record.attachments.get())
    services.record_submit(user=desk.editor, record=record)
    assert set(PrivacyFinding.objects.filter(record=record).values_list("decision", flat=True)) == {"removed"}


def test_body_with_a_mobile_number_is_found(desk):
    """Personal data in the body is found too, with the line it is on."""
    record = desk.draft(NODE, body="<p>现予公示。</p><p>户主：张三，电话13903711234</p>")
    services.record_submit(user=desk.editor, record=record)
    finding = PrivacyFinding.objects.get(record=record)
    assert (finding.kind, finding.masked, finding.where, finding.subject) == ("mobile", "139****1234", "正文 第2行", "张*")


@pytest.mark.parametrize(
    "src",
    ["https://evil.example/a.png", "http://evil.example/a.png", "//evil.example/a.png", " HTTPS://e.example/a.png",
     "data:image/png;base64,iVBORw0KGgo=", "/\\evil.example/a.png"],
)
def test_outside_images_are_refused_at_save(desk, src):
    """record_create and record_update refuse a body showing an image from another site."""
    body = f'<p>示意图</p><img src="{src}" alt="图">'
    with pytest.raises(ValidationError) as refusal:
        desk.draft(NODE, body=body)
    assert "正文不得引用外部图片，请将图片作为附件上传。" in str(refusal.value)
    record = desk.draft(NODE, body="<p>无图</p>")
    with pytest.raises(ValidationError):
        services.record_update(user=desk.editor, record=record, body=body)


def test_same_site_images_are_kept(desk):
    """A relative image address stays."""
    record = desk.draft(NODE, body='<p><img src="/media/images/map.png" alt="区位图"></p>')
    assert 'src="/media/images/map.png"' in record.body
