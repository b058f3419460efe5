"""错敏词 and broken links (issue 13, "Site check as the indicator reads"): the maintained list, the
check at submission (a warning, or a refusal where a rule is set to block), the jobs over published
records, and the report that links every finding to its record."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from catalog.models import OrgLevel
from disclosure.core.access import Role
from disclosure.records import services, site_checks
from disclosure.records.check_models import FindingKind, SiteCheckFinding, WordingKind, WordingRule
from disclosure.records.models import AuditEntry, Record, Review, Status
from disclosure.records.privacy_models import PrivacyScan
from tests.admin_client import client_for, messages_of
from tests.disclosure.publishing import COUNTY, Desk
from tests.factories import OrganisationFactory, UserFactory, make_staff

NODE = "020503"
REPORT_URL = reverse("disclosure:reports_site_check")


@pytest.fixture(autouse=True)
def wording_seed(db):
    """The seed list as migration 0007 loads it: a transactional test elsewhere on this worker flushes every
    table, migration data included, so each test puts back what is missing (the same function)."""
    from disclosure.records.check_models import WordingRule
    from disclosure.records.wording_seed import seed_wording_rules

    seed_wording_rules(WordingRule)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def s(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    county = demo_orgs[COUNTY]
    other = OrganisationFactory(code="419902", name="邻县住房和城乡建设局", level=OrgLevel.COUNTY,
                                parent=demo_orgs["419900"])
    return SimpleNamespace(
        county=county,
        other=other,
        desk=Desk(county),
        other_desk=Desk(other),
        org_admin=make_staff(county, Role.ORG_ADMIN, username="county_admin"),
        auditor=make_staff(county, Role.AUDITOR, username="county_auditor"),
        other_auditor=make_staff(other, Role.AUDITOR, username="other_auditor"),
        root=UserFactory(username="root", is_superuser=True),
    )


# --- the list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_seed_list_is_loaded_with_concrete_pairs():
    """Migration 0007 loads the seed: wrong forms with their corrections, sensitive expressions."""
    rules = {rule.phrase: rule for rule in WordingRule.objects.all()}
    assert len(rules) >= 50
    assert (rules["按排"].suggestion, rules["按排"].kind) == ("安排", WordingKind.WRONG)
    assert rules["截止目前"].suggestion == "截至目前"
    assert rules["台湾总统"].kind == WordingKind.SENSITIVE
    assert not any(rule.blocks_submission for rule in rules.values())


def test_a_phrase_inside_one_of_its_exceptions_is_not_flagged():
    """按排名 holds 按排 but is right; the lone 按排 beside it is found, once per text."""
    rule = WordingRule(phrase="按排", kind=WordingKind.WRONG, suggestion="安排", exceptions="按排名、按排序")
    assert site_checks.find_wording([("正文", "按排名先后公示")], [rule]) == []
    [problem] = site_checks.find_wording([("正文", "按排名公示，请各单位按排人员到场，按排人员")], [rule])
    assert problem.where == "正文" and "请各单位按排人员" in problem.excerpt
    assert "建议改为“安排”" in problem.message


@pytest.mark.django_db
def test_org_admin_extends_the_list_in_the_admin_but_changes_only_as_superuser(s):
    """A 单位管理员 adds a phrase (posting the admin form); changing an existing phrase is 403 for them
    and allowed to a superuser; editors only read the list."""
    client = client_for(s.org_admin)
    response = client.post(reverse("admin:disclosure_wordingrule_add"), {
        "phrase": "公示其",  "kind": "wrong", "suggestion": "公示期", "exceptions": "", "note": "本县常见",
        "is_active": "on", "_save": "保存",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = WordingRule.objects.get(phrase="公示其")
    change = reverse("admin:disclosure_wordingrule_change", args=[rule.pk])
    data = {"phrase": "公示其", "kind": "wrong", "suggestion": "", "exceptions": "", "note": "", "_save": "保存"}
    assert client.post(change, data).status_code == 403
    assert client_for(s.root).post(change, {**data, "is_active": "on", "blocks_submission": "on"}).status_code == 302
    rule.refresh_from_db()
    assert rule.blocks_submission
    editor = client_for(s.desk.editor)
    assert editor.get(reverse("admin:disclosure_wordingrule_changelist")).status_code == 200
    assert editor.get(reverse("admin:disclosure_wordingrule_add")).status_code == 403


# --- at submission ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_submission_warns_and_notes_the_finding_for_the_reviewer(s):
    """A non-blocking rule lets the submission through; the audit log notes the finding, and the change
    page shows it to the editor and to the reviewer."""
    record = s.desk.draft(NODE, title="关于按排公租房配租工作的通知", body="<p>截止目前已完成登记。</p>")
    record = services.record_submit(user=s.desk.editor, record=record)
    assert record.status == Status.SUBMITTED
    note = AuditEntry.objects.get(record=record, action="wording_check")
    assert note.actor == s.desk.editor and "“按排”" in note.comment and "“截止目前”" in note.comment
    change = reverse("admin:disclosure_record_change", args=[record.pk])
    for user in (s.desk.editor, s.desk.reviewer):
        html = client_for(user).get(change).content.decode()
        assert "错敏词检查" in html and "建议改为“安排”" in html and "建议改为“截至目前”" in html


@pytest.mark.django_db
def test_a_clean_record_is_submitted_without_a_wording_note(s):
    record = services.record_submit(user=s.desk.editor, record=s.desk.draft(NODE))
    assert record.status == Status.SUBMITTED
    assert not AuditEntry.objects.filter(record=record, action="wording_check").exists()


@pytest.mark.django_db
def test_a_blocking_rule_refuses_the_submission_and_writes_nothing(s):
    """Configured to block, the rule refuses the submission (a Chinese message through the move view,
    never a 500): the record stays a draft, no review, no scan, no audit entry besides its creation."""
    WordingRule.objects.filter(phrase="台湾总统").update(blocks_submission=True)
    record = s.desk.draft(NODE, body="<p>台湾总统</p>")
    with pytest.raises(ValidationError) as refused:
        services.record_submit(user=s.desk.editor, record=record)
    assert "不允许提交" in " ".join(refused.value.messages)

    client = client_for(s.desk.editor)
    response = client.post(reverse("admin:disclosure_record_move", args=[record.pk, "submit"]), {"comment": ""},
                           follow=True)
    assert response.status_code == 200
    assert any("台湾总统" in message for message in messages_of(response)) or "台湾总统" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.DRAFT
    assert not Review.objects.filter(record=record).exists()
    assert not PrivacyScan.objects.filter(record=record).exists()
    assert list(AuditEntry.objects.filter(record=record).values_list("action", flat=True)) == ["create"]


@pytest.mark.django_db
def test_wrong_state_and_wrong_user_are_refused_before_the_wording_check(s):
    """The state and right checks come first: a reviewer cannot submit, a submitted record cannot be
    submitted again; neither writes a wording note."""
    from django.core.exceptions import PermissionDenied

    from disclosure.core.transitions import InvalidTransition

    record = s.desk.draft(NODE, title="按排")
    with pytest.raises(PermissionDenied):
        services.record_submit(user=s.desk.reviewer, record=record)
    services.record_submit(user=s.desk.editor, record=record)
    with pytest.raises(InvalidTransition):
        services.record_submit(user=s.desk.editor, record=Record.objects.get(pk=record.pk))
    assert AuditEntry.objects.filter(record=record, action="wording_check").count() == 1


# --- the jobs ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args):
        pass


@pytest.fixture
def outside_server():
    """A real HTTP server on this machine standing in for an outside site: /ok answers 200, else 404."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_link_job_finds_broken_internal_links_and_lost_attachments(s, outside_server, settings):
    """Inside links are requested as a visitor would (a withdrawn record's page is broken, a live column
    is not); outside links are fetched only when enabled; a lost attachment file is found too."""
    gone = s.desk.publish("020502", title="将撤回的信息")
    gone_url = gone.get_absolute_url()
    s.desk.withdraw(gone)
    live_column = f"/org/{COUNTY}/0205/"
    body = (
        f'<p><a href="{live_column}">配给管理</a> <a href="{gone_url}">旧公告</a>'
        f' <a href="/org/{COUNTY}/no-such-column/">错链</a> <a href="http://testserver{live_column}">全称</a>'
        f' <a href="{outside_server}/ok">外链</a> <a href="{outside_server}/missing">坏外链</a>'
        ' <a href="mailto:zjj@example.gov.cn">邮箱</a> <a href="#top">顶部</a></p>'
    )
    draft = s.desk.draft(NODE, title="含链接的信息", body=body)
    services.attachment_add(
        user=s.desk.editor, record=draft,
        upload=SimpleUploadedFile("名单.pdf", b"%PDF-1.4\nlist\n%%EOF\n", content_type="application/pdf"),
    )
    record = services.record_publish(user=s.desk.reviewer, record=s.desk.approve(Record.objects.get(pk=draft.pk)))
    attachment = record.attachments.get()
    default_storage.delete(attachment.file.name)

    # The site's own hosts (ALLOWED_HOSTS) are inside; 127.0.0.1 stands for an outside site here.
    settings.ALLOWED_HOSTS = ["testserver", "zjj.example.gov.cn"]
    settings.LINK_CHECK_EXTERNAL = False
    summary = site_checks.check_published_links()
    found = {(f.kind, f.target, f.status_code) for f in SiteCheckFinding.objects.all()}
    assert found == {
        (FindingKind.BROKEN_LINK, gone_url, 404),
        (FindingKind.BROKEN_LINK, f"/org/{COUNTY}/no-such-column/", 404),
        (FindingKind.BROKEN_ATTACHMENT, "名单.pdf", 404),
    }
    assert (summary.internal, summary.external, summary.external_skipped, summary.attachments) == (4, 0, 2, 1)
    assert {f.record_id for f in SiteCheckFinding.objects.all()} == {record.pk}

    settings.LINK_CHECK_EXTERNAL = True
    site_checks.check_published_links()
    outside = SiteCheckFinding.objects.filter(target__startswith=outside_server)
    assert [(f.target, f.status_code) for f in outside] == [(f"{outside_server}/missing", 404)]
    assert SiteCheckFinding.objects.count() == 4  # replaced, not added to the previous run


@pytest.mark.django_db
def test_wording_job_checks_published_records_only(s):
    """Drafts are the editor's business (checked at submission); the job lists public records only."""
    published = s.desk.publish(NODE, title="关于按排2026年公租房配租的公告")
    s.desk.draft(NODE, title="草稿：按排")
    findings = site_checks.check_published_wording()
    assert [(f.record_id, f.target, f.kind) for f in findings] == [(published.pk, "按排", FindingKind.WORDING)]
    assert SiteCheckFinding.objects.get().rule.phrase == "按排"


@pytest.mark.django_db
def test_check_site_command_runs_both_jobs(s):
    s.desk.publish(NODE, title="关于按排配租的公告", body='<p><a href="/org/419901/nowhere/">x</a></p>')
    out = StringIO()
    call_command("check_site", stdout=out)
    text = out.getvalue()
    assert "链接检查：1 条信息" in text and "发现问题 1 处" in text and "错敏词检查：发现 1 处" in text
    assert set(SiteCheckFinding.objects.values_list("kind", flat=True)) == {"broken_link", "wording"}


# --- the report -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_lists_findings_in_scope_each_linked_to_its_record(s):
    """The county's auditor sees the county's findings with links to the record (admin and public) and
    exports them; the other county's auditor does not see them; a withdrawn record's finding is dropped."""
    mine = s.desk.publish(NODE, title="关于按排配租的公告")
    theirs = s.other_desk.publish(NODE, title="邻县按排公告")
    site_checks.check_published_wording()

    html = client_for(s.auditor).get(REPORT_URL).content.decode()
    assert mine.title in html and theirs.title not in html
    assert reverse("admin:disclosure_record_change", args=[mine.pk]) in html
    assert mine.get_absolute_url() in html
    assert "错敏词</a>：1 处" in html
    other = client_for(s.other_auditor).get(REPORT_URL).content.decode()
    assert theirs.title in other and mine.title not in other

    export = client_for(s.auditor).get(reverse("disclosure:reports_site_check_csv"))
    csv = b"".join(export.streaming_content).decode("utf-8-sig")  # exports are streamed
    assert mine.index_number in csv and "按排" in csv
    assert client_for(s.auditor).get(REPORT_URL, {"kind": "nonsense"}).status_code == 404

    s.desk.withdraw(mine)
    assert mine.title not in client_for(s.auditor).get(REPORT_URL).content.decode()
