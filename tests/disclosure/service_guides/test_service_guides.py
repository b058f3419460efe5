"""Service guides (办事指南): required elements, the one public layout, form downloads, the admin."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogNode, Organisation
from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.records import services
from disclosure.records.models import Record
from disclosure.service_guides import selectors
from disclosure.service_guides import services as service_guides
from disclosure.service_guides.models import (
    FeeMode,
    MaterialForm,
    ServiceGuide,
    ServiceGuideFAQ,
    ServiceGuideMaterial,
    ServiceGuideStep,
)
from disclosure.service_guides.selectors import missing_elements
from tests.factories import UserFactory, make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
ROAD = "040101"  # 占用、挖掘城市道路审批
HOUSING = "020701"  # 公租房申请办事指南
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

COMPLETE = {
    "responsible_body": "清河县住房和城乡建设局",
    "legal_basis": "《城市道路管理条例》第三十条",
    "conditions": "因工程建设需要挖掘城市道路的单位",
    "fee_mode": FeeMode.FREE,
    "statutory_days": 20,
    "promised_days": 5,
    "consultation_phone": "0370-1234567",
    "supervision_phone": "0370-7654321",
    "place": "清河县政务服务中心二楼住建窗口",
    "hours": "工作日 9:00-12:00，13:30-17:00",
}


class Desk:
    """An editor and a reviewer of one organisation, moving records through the real services."""

    def __init__(self, organisation, suffix=""):
        self.organisation = organisation
        self.editor = make_staff(organisation, Role.EDITOR, username=f"editor{suffix}")
        self.reviewer = make_staff(organisation, Role.REVIEWER, username=f"reviewer{suffix}")

    def draft(self, code=ROAD, **fields):
        node = CatalogNode.objects.get(code=code)
        defaults = {"title": "占用、挖掘城市道路审批办事指南", "record_type": "service_guide"}
        return services.record_create(
            user=self.editor, organisation=self.organisation, node=node, **record_fields(**{**defaults, **fields})
        )

    def publish(self, record):
        record = services.record_submit(user=self.editor, record=record)
        record = services.record_approve(
            user=self.reviewer, record=record, confidentiality_checked=True, openness_checked=True
        )
        return services.record_publish(user=self.reviewer, record=record)


def build_guide(desk, record, *, steps=2, materials=2, with_form=True, **fields):
    guide = service_guides.service_guide_create(user=desk.editor, record=record, **{**COMPLETE, **fields})
    for n in range(steps):
        ServiceGuideStep.objects.create(guide=guide, order=n + 1, name=f"环节{n + 1}", time_limit="1个工作日")
    for n in range(materials):
        material = ServiceGuideMaterial(
            guide=guide, order=n + 1, name=f"材料{n + 1}", originals=1, copies=2, form=MaterialForm.PAPER
        )
        if with_form and n == 0:
            upload = SimpleUploadedFile("申请表.pdf", PDF)
            for name, value in service_guides.material_form_facts(upload).items():
                setattr(material, name, value)
            material.form_file.save("申请表.pdf", upload, save=False)
        material.save()
    ServiceGuideFAQ.objects.create(guide=guide, order=1, question="可以网上申请吗？", answer="可以。")
    return guide


@pytest.fixture
def g(standard_catalog, demo_orgs):
    county = demo_orgs[COUNTY]
    return SimpleNamespace(
        county=county,
        desk=Desk(county),
        other=Desk(demo_orgs[TOWNSHIP], suffix="-township"),
    )


# --- required elements -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_complete_guide_misses_nothing(g):
    """With all twelve elements, at least one step and one material, nothing is missing."""
    guide = build_guide(g.desk, g.desk.draft())
    assert missing_elements(guide) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, label",
    [
        ({"responsible_body": ""}, "实施主体"),
        ({"legal_basis": " "}, "设定依据"),
        ({"conditions": ""}, "申请条件"),
        ({"fee_mode": FeeMode.UNSET}, "收费标准"),
        ({"fee_mode": FeeMode.CHARGED, "fee_amount": "每平方米10元", "fee_basis": ""}, "收费标准"),
        ({"statutory_days": None}, "法定时限"),
        ({"promised_days": None}, "承诺时限"),
        ({"consultation_phone": ""}, "咨询渠道"),
        ({"supervision_phone": ""}, "监督投诉渠道"),
        ({"place": ""}, "办理地点"),
        ({"hours": ""}, "办理时间"),
    ],
)
def test_each_missing_field_element_is_named(g, change, label):
    """Each required element left out is reported by its name, and only that one."""
    guide = build_guide(g.desk, g.desk.draft(), **change)
    assert missing_elements(guide) == [label]


@pytest.mark.django_db
def test_missing_steps_and_materials_are_named_and_a_charged_fee_with_basis_is_complete(g):
    """No step → 办理流程, no material → 申请材料; a fee with amount and basis counts as present;
    a consultation address alone is a consultation channel."""
    guide = build_guide(
        g.desk, g.desk.draft(), steps=0, materials=0,
        fee_mode=FeeMode.CHARGED, fee_amount="每平方米10元", fee_basis="豫发改收费〔2020〕1号",
        consultation_phone="", consultation_address="政务服务中心咨询台",
    )
    assert missing_elements(guide) == ["办理流程", "申请材料"]
    assert len(missing_elements(None)) == 12


@pytest.mark.django_db
def test_inconsistent_input_is_refused_with_chinese_messages(g):
    """A promised time longer than the statutory one, or 'free' with a fee amount, is refused."""
    record = g.desk.draft()
    with pytest.raises(ValidationError) as refused:
        service_guides.service_guide_create(user=g.desk.editor, record=record, statutory_days=5, promised_days=10)
    assert "承诺办结时限不能长于法定办结时限" in refused.value.message_dict["promised_days"][0]
    with pytest.raises(ValidationError) as refused:
        service_guides.service_guide_create(user=g.desk.editor, record=record, fee_mode=FeeMode.FREE, fee_amount="10元")
    assert "不收费" in refused.value.message_dict["fee_mode"][0]
    assert not ServiceGuide.objects.exists()


@pytest.mark.django_db
def test_a_guide_only_goes_on_a_service_guide_record_in_a_guide_column(g):
    """Wrong record type or a column outside 市政服务 approvals / 保障性住房 办事指南 is refused."""
    wrong_type = g.desk.draft(record_type="notice")
    wrong_column = g.desk.draft(code="020503")
    for record, message in ((wrong_type, "信息类别为“办事指南”"), (wrong_column, "办事指南只能发布在")):
        with pytest.raises(ValidationError) as refused:
            service_guides.service_guide_create(user=g.desk.editor, record=record)
        assert message in " ".join(refused.value.message_dict["record"])
    # 保障性住房 › 办事指南 and every child of the three 市政服务 approvals are guide columns.
    assert service_guides.service_guide_create(user=g.desk.editor, record=g.desk.draft(code=HOUSING))
    item_of_node = selectors.guide_item_of_node()
    codes = set(CatalogNode.objects.filter(pk__in=item_of_node).values_list("code", flat=True))
    assert {"040101", "040102", "040103", "040201", "040202", "040301", "040302", "020701"} <= codes
    assert "020503" not in codes and "0401" not in codes


@pytest.mark.django_db
def test_a_guide_is_editable_only_while_its_record_is(g):
    """Once the record is submitted the guide cannot change; another organisation never could."""
    record = g.desk.draft()
    guide = build_guide(g.desk, record)
    with pytest.raises(PermissionDenied):
        service_guides.service_guide_update(user=g.other.editor, guide=guide, place="别处")
    services.record_submit(user=g.desk.editor, record=record)
    with pytest.raises(PermissionDenied):
        service_guides.service_guide_update(user=g.desk.editor, guide=guide, place="别处")
    assert ServiceGuide.objects.get(pk=guide.pk).place == COMPLETE["place"]
    assert ActivityEntry.objects.filter(subject_type="service_guide", subject_id=guide.pk, action="create").exists()


@pytest.mark.django_db
def test_a_revision_starts_from_its_originals_guide(g):
    """Revising a published guide record copies the guide, its steps, materials (forms shared) and FAQ."""
    record = g.desk.draft()
    guide = build_guide(g.desk, record)
    original = g.desk.publish(record)
    revision = services.record_revise(user=g.desk.editor, record=original)
    copy = service_guides.service_guide_create(user=g.desk.editor, record=revision, place="新址")
    assert copy.place == "新址" and copy.responsible_body == guide.responsible_body
    assert copy.steps.count() == 2 and copy.materials.count() == 2 and copy.faqs.count() == 1
    assert copy.materials.get(order=1).form_file.name == guide.materials.get(order=1).form_file.name


# --- incomplete guides for the completeness report ----------------------------------------------


@pytest.mark.django_db
def test_incomplete_guides_lists_only_public_guides_lacking_an_element(g):
    """Public guides lacking an element are listed (with what they lack), a public guide record with no
    structured guide lacks everything; complete guides, drafts and other organisations are not listed."""
    complete = g.desk.draft(title="完整的指南")
    build_guide(g.desk, complete)
    g.desk.publish(complete)
    lacking = g.desk.draft(title="缺收费的指南", code="040201")
    build_guide(g.desk, lacking, fee_mode=FeeMode.UNSET, steps=0)
    lacking = g.desk.publish(lacking)
    g.desk.publish(g.desk.draft(title="只有正文的指南", code=HOUSING))
    draft = g.desk.draft(title="草稿指南")
    build_guide(g.desk, draft, place="")

    found = selectors.incomplete_service_guides([g.county.pk])
    everything = [str(label) for _key, label in selectors.REQUIRED_ELEMENTS]
    assert {x.title: x.missing for x in found} == {
        "只有正文的指南": everything,
        "缺收费的指南": ["办理流程", "收费标准"],
    }
    by_title = {x.title: x for x in found}
    assert by_title["缺收费的指南"].item_node_id == CatalogNode.objects.get(code="040201").pk
    assert by_title["缺收费的指南"].index_number == lacking.index_number
    assert selectors.incomplete_service_guides([g.other.organisation.pk]) == []


@pytest.mark.django_db
def test_incomplete_guides_takes_a_fixed_number_of_queries(g):
    """Two queries whatever the number of guides (catalog tree, records with counts)."""
    for n in range(3):
        record = g.desk.draft(title=f"指南{n}")
        build_guide(g.desk, record, place="")
        g.desk.publish(record)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.incomplete_service_guides([g.county.pk])
    assert len(found) == 3 and len(queries) == 2
    # Only the columns the check reads: never the records' bodies (the province completeness report
    # runs this over every service-guide record).
    assert '"body"' not in queries[1]["sql"] and '"legal_basis"' in queries[1]["sql"]


# --- the public layout --------------------------------------------------------------------------


def render_tag(record):
    return Template("{% load service_guide_tags %}{% service_guide record %}").render(Context({"record": record}))


@pytest.mark.django_db
def test_the_standard_layout_shows_every_element_in_statutory_order(g):
    """A public guide renders headings and facts in the statutory order, steps as an ordered list,
    materials as a table with column and row headers, fees, time limits, channels, forms and FAQ."""
    record = g.desk.draft()
    build_guide(g.desk, record)
    record = g.desk.publish(record)
    html = render_tag(record)
    order = ["实施主体", "设定依据", "申请条件", "办理流程", "申请材料", "收费标准", "法定办结时限",
             "承诺办结时限", "咨询渠道", "监督投诉渠道", "办理地点", "办理时间", "表格下载", "常见问题"]
    positions = [html.index(label) for label in order]
    assert positions == sorted(positions)
    assert '<ol class="guide-steps">' in html and html.count("<li>\n      <strong>环节") == 2
    assert '<th scope="col">材料名称</th>' in html and '<th scope="row">材料1</th>' in html
    assert "不收费" in html and "20个工作日" in html and "5个工作日" in html
    material = ServiceGuideMaterial.objects.get(guide__record=record, order=1)
    assert f"/org/{COUNTY}/doc/{record.index_serial}/forms/{material.pk}/" in html
    assert "可以网上申请吗？" in html


@pytest.mark.django_db
def test_missing_elements_say_so_in_the_layout(g):
    """An element not provided reads （未公布） rather than vanishing."""
    record = g.desk.draft()
    build_guide(g.desk, record, place="", steps=0)
    html = render_tag(g.desk.publish(record))
    assert html.count("（未公布）") == 2


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "submitted", "withdrawn"])
def test_the_layout_renders_nothing_for_a_record_that_is_not_public(g, state):
    """Drafts, records under review and withdrawn records show no guide at all."""
    record = g.desk.draft()
    build_guide(g.desk, record)
    if state == "submitted":
        record = services.record_submit(user=g.desk.editor, record=record)
    if state == "withdrawn":
        record = services.record_withdraw(user=g.desk.reviewer, record=g.desk.publish(record), reason="有误")
    assert render_tag(Record.objects.get(pk=record.pk)).strip() == ""
    assert selectors.public_service_guide(record) is None


@pytest.mark.django_db
def test_the_layout_takes_a_fixed_number_of_queries(g):
    """Four queries (guide, steps, materials, FAQ) for a guide of 2 or of 20 steps and materials;
    none for a record that is not a guide."""
    counts = []
    for n in (2, 20):
        record = g.desk.draft(title=f"指南{n}")
        build_guide(g.desk, record, steps=n, materials=n)
        # As the record page passes it: with its organisation loaded.
        record = Record.objects.select_related("organisation").get(pk=g.desk.publish(record).pk)
        with CaptureQueriesContext(connection) as queries:
            render_tag(record)
        counts.append(len(queries))
    assert counts == [4, 4]
    notice = g.desk.publish(g.desk.draft(code="020503", record_type="notice"))
    with CaptureQueriesContext(connection) as queries:
        render_tag(notice)
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_public_record_page_shows_the_guide(g, client):
    """The public page of a guide record carries the standard layout."""
    record = g.desk.draft()
    build_guide(g.desk, record)
    record = g.desk.publish(record)
    html = client.get(record.get_absolute_url()).content.decode()
    assert 'id="guide-heading"' in html and "办理流程" in html and "材料1" in html


# --- form downloads -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_public_guides_form_downloads(g, client):
    """The blank form of a public guide downloads as an attachment under its original name."""
    record = g.desk.draft()
    build_guide(g.desk, record)
    record = g.desk.publish(record)
    material = ServiceGuideMaterial.objects.get(guide__record=record, order=1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/org/{COUNTY}/doc/{record.index_serial}/forms/{material.pk}/")
    assert response.status_code == 200
    assert len(queries) == 1  # one query through public_records(), whatever else exists
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_form_downloads_apply_the_public_rule(g, client):
    """Draft, withdrawn, wrong organisation, wrong serial, material without a form: the same 404."""
    draft = g.desk.draft(title="草稿")
    build_guide(g.desk, draft)
    draft_material = ServiceGuideMaterial.objects.get(guide__record=draft, order=1)
    published = g.desk.draft(title="已发布")
    build_guide(g.desk, published)
    published = g.desk.publish(published)
    material = ServiceGuideMaterial.objects.get(guide__record=published, order=1)
    no_form = ServiceGuideMaterial.objects.get(guide__record=published, order=2)
    serial = published.index_serial
    urls = [
        f"/org/{COUNTY}/doc/{serial}/forms/{draft_material.pk}/",
        f"/org/{TOWNSHIP}/doc/{serial}/forms/{material.pk}/",
        f"/org/{COUNTY}/doc/2000-00001/forms/{material.pk}/",
        f"/org/{COUNTY}/doc/{serial}/forms/{no_form.pk}/",
        f"/org/{COUNTY}/doc/{serial}/forms/999999/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/org/{COUNTY}/doc/{serial}/forms/{material.pk}/").status_code == 200
    services.record_withdraw(user=g.desk.reviewer, record=published, reason="有误")
    assert client.get(f"/org/{COUNTY}/doc/{serial}/forms/{material.pk}/").status_code == 404


# --- admin --------------------------------------------------------------------------------------


def admin_post_data(record=None, **overrides):
    data = {
        **({"record": record.pk} if record is not None else {}),
        **{k: ("" if v is None else v) for k, v in COMPLETE.items()},
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1", "steps-0-name": "受理", "steps-0-description": "", "steps-0-time_limit": "即时",
        "materials-TOTAL_FORMS": "1", "materials-INITIAL_FORMS": "0",
        "materials-0-order": "1", "materials-0-name": "申请书", "materials-0-originals": "1",
        "materials-0-copies": "0", "materials-0-form": "paper", "materials-0-required": "on",
        "faqs-TOTAL_FORMS": "0", "faqs-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_adds_a_guide_with_steps_materials_and_a_checked_form(g, client):
    """An editor adds the guide of a draft record with one step and one material whose form is a PDF."""
    record = g.desk.draft()
    client.force_login(g.desk.editor)
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    response = client.post("/admin/disclosure/serviceguide/add/", admin_post_data(record, **{"materials-0-form_file": upload}))
    assert response.status_code == 302, response.content.decode()[:2000]
    guide = ServiceGuide.objects.get(record=record)
    material = guide.materials.get()
    assert material.form_file_name == "申请书.pdf" and material.form_file_size == len(PDF)
    assert guide.steps.get().name == "受理"
    assert missing_elements(guide) == []


@pytest.mark.django_db
def test_admin_names_a_stored_form_without_linking_to_storage_and_can_clear_it(g, client):
    """The change page shows the form's original name with a clear box; no link leads to the stored
    file (only the public download view serves it). Ticking the box removes the form."""
    record = g.desk.draft()
    client.force_login(g.desk.editor)
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    client.post("/admin/disclosure/serviceguide/add/", admin_post_data(record, **{"materials-0-form_file": upload}))
    guide = ServiceGuide.objects.get(record=record)
    material = guide.materials.get()
    url = f"/admin/disclosure/serviceguide/{guide.pk}/change/"
    html = client.get(url).content.decode()
    assert "当前文件：申请书.pdf" in html and 'name="materials-0-form_file-clear"' in html
    stored = material.form_file.name.rsplit("/", 1)[-1]
    assert stored not in html and "media-not-served" not in html
    data = admin_post_data(
        record,
        **{"materials-INITIAL_FORMS": "1", "materials-0-id": str(material.pk), "materials-0-guide": str(guide.pk),
           "materials-0-form_file-clear": "on", "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "1",
           "steps-0-id": str(guide.steps.get().pk), "steps-0-guide": str(guide.pk)},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    material.refresh_from_db()
    assert not material.form_file and material.form_file_name == ""


@pytest.mark.django_db
def test_admin_refuses_a_disguised_form_and_bad_time_limits_in_chinese(g, client):
    """An executable renamed .pdf and a promised time beyond the statutory one get Chinese form errors."""
    record = g.desk.draft()
    client.force_login(g.desk.editor)
    fake = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        "/admin/disclosure/serviceguide/add/",
        admin_post_data(record, promised_days="30", **{"materials-0-form_file": fake}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "内容与扩展名不符" in html
    assert "承诺办结时限不能长于法定办结时限" in html
    assert not ServiceGuide.objects.exists()


@pytest.mark.django_db
def test_admin_guide_is_read_only_once_its_record_is_submitted_and_scoped_to_the_organisation(g, client):
    """After submission the change view refuses a POST (403); another organisation sees no such guide."""
    record = g.desk.draft()
    guide = build_guide(g.desk, record)
    services.record_submit(user=g.desk.editor, record=record)
    client.force_login(g.desk.editor)
    url = f"/admin/disclosure/serviceguide/{guide.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, admin_post_data(place="别处")).status_code == 403
    assert ServiceGuide.objects.get(pk=guide.pk).place == COMPLETE["place"]
    client.force_login(g.other.editor)
    listing = client.get("/admin/disclosure/serviceguide/").content.decode()
    assert record.title not in listing
    assert client.get(url).status_code in (302, 404)


@pytest.mark.django_db
def test_admin_list_flags_missing_elements(g, client):
    """The guide list names what each guide lacks."""
    build_guide(g.desk, g.desk.draft(), hours="", materials=0)
    client.force_login(g.desk.editor)
    html = client.get("/admin/disclosure/serviceguide/").content.decode()
    assert "缺少：申请材料、办理时间" in html


@pytest.mark.django_db
def test_the_completeness_report_flags_an_incomplete_guide(g):
    """The completeness report carries a finding on the cell of a public guide lacking an element,
    naming the guide and what it lacks; a complete guide's cell has none."""
    from disclosure.reports.completeness import completeness_report

    lacking = g.desk.draft(title="燃气经营许可证核发办事指南", code="040201")
    build_guide(g.desk, lacking, fee_mode=FeeMode.UNSET)
    lacking = g.desk.publish(lacking)
    complete = g.desk.draft(title="完整的指南", code=ROAD)
    build_guide(g.desk, complete)
    g.desk.publish(complete)
    report = completeness_report([g.county])
    cells = {cell.item.code: cell for cell in report.cells}
    (remark,) = cells["040201"].findings
    assert "燃气经营许可证核发办事指南" in remark and lacking.index_number in remark and "收费标准" in remark
    assert cells[ROAD].findings == []
    assert report.total.flagged == 1


@pytest.mark.django_db
def test_the_report_names_the_first_guides_of_a_cell_then_how_many_more(g):
    """One cell with N + 3 public records without a structured guide, two incomplete guides (one before
    them, one after, by id) and a complete one: the cell names the first N incomplete guides in id
    order (guide A, then the first N - 1 records without a guide) and says how many more lack an
    element: 1 + (N + 3) + 1 = N + 5 incomplete, N named, 5 more. The complete guide is never named; the
    cell's state and the tallies are as without the cap (one flagged cell), and the CSV export carries
    the same remarks."""
    from disclosure.reports import export
    from disclosure.reports.completeness import ItemState, completeness_report

    n = selectors.FINDINGS_PER_CELL
    first = g.desk.draft(title="指南A")
    build_guide(g.desk, first, fee_mode=FeeMode.UNSET)  # lacks 收费标准
    first = g.desk.publish(first)
    bare = [g.desk.publish(g.desk.draft(title=f"无结构化指南{k}")) for k in range(n + 3)]
    last = g.desk.draft(title="指南B")
    build_guide(g.desk, last, place=" \u3000\t")  # only whitespace (str.strip() clears it): lacks 办理地点
    last = g.desk.publish(last)
    complete = g.desk.draft(title="完整的指南C")
    build_guide(g.desk, complete)
    g.desk.publish(complete)
    assert first.pk < bare[0].pk < bare[-1].pk < last.pk

    with CaptureQueriesContext(connection) as queries:
        cells = selectors.incomplete_guides_by_cell([g.county.pk])
    # The catalog tree, the visible organisations and guide nodes, the records with a guide, and two for
    # those without (PostgreSQL: the scheduled ones and the kept counts with the first of each column;
    # SQLite: the window numbering them and their titles): however many records.
    assert len(queries) == 6
    road = CatalogNode.objects.get(code=ROAD).pk
    (cell,) = cells.values()
    assert list(cells) == [(g.county.pk, road)]
    assert cell.total == n + 5
    everything = [str(label) for _key, label in selectors.REQUIRED_ELEMENTS]
    assert [(x.title, x.missing) for x in cell.first] == [("指南A", ["收费标准"])] + [
        (f"无结构化指南{k}", everything) for k in range(n - 1)
    ]
    # The unbounded listing agrees on which guides are incomplete.
    listed = selectors.incomplete_service_guides([g.county.pk])
    assert len(listed) == n + 5 and {x.title: x.missing for x in listed}["指南B"] == ["办理地点"]

    report = completeness_report([g.county])
    (road_cell,) = [c for c in report.cells if c.item.code == ROAD]
    assert len(road_cell.findings) == n + 1
    assert road_cell.findings[0] == f"办事指南“指南A”（{first.index_number}）缺少必备要素：收费标准"
    assert road_cell.findings[1].startswith(f"办事指南“无结构化指南0”（{bare[0].index_number}）缺少必备要素：实施主体、")
    assert road_cell.findings[-1] == "另有 5 份办事指南缺少必备要素"
    assert not any("完整的指南C" in f or "指南B" in f for f in road_cell.findings)
    assert road_cell.state == ItemState.DISCLOSED and road_cell.count == n + 6
    assert report.total.flagged == 1
    rows = list(csv.reader(io.StringIO(export.to_csv(export.completeness_sheets(report)[0]).decode("utf-8-sig"))))
    (road_row,) = [row for row in rows if row[4] == ROAD]
    assert road_row[-1] == "；".join(road_cell.findings)


@pytest.mark.django_db
def test_a_cell_at_the_cap_has_no_summary_remark(g):
    """Exactly N incomplete guides in a cell: N remarks, no "另有" remark."""
    n = selectors.FINDINGS_PER_CELL
    for k in range(n):
        g.desk.publish(g.desk.draft(title=f"无结构化指南{k}"))
    findings = selectors.service_guide_findings([g.county.pk], [CatalogNode.objects.get(code=ROAD).pk])
    (remarks,) = findings.values()
    assert len(remarks) == n and not any(r.startswith("另有") for r in remarks)


# --- demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_publishes_three_structured_guides_one_lacking_elements(standard_catalog, demo_orgs):
    """The demo (after accounts and records) publishes three structured guides through the record
    workflow; the gas licence change guide lacks its fees and promised time and is flagged, the public
    rental housing one is complete; running it again makes nothing new."""
    from disclosure.core.demo import ensure_demo_accounts
    from disclosure.records.demo import ensure_demo_records
    from disclosure.records.selectors import public_records
    from disclosure.service_guides.demo import ensure_demo_guides

    ensure_demo_accounts()
    ensure_demo_records()
    assert ensure_demo_guides() == 3
    guides = ServiceGuide.objects.filter(record__in=public_records())
    assert guides.count() == 3
    assert sorted(len(missing_elements(g)) for g in guides) == [0, 0, 2]
    flagged = {x.title: x.missing for x in selectors.incomplete_service_guides([demo_orgs[COUNTY].pk])}
    assert flagged["燃气经营许可证变更办事指南"] == ["收费标准", "承诺时限"]
    assert "公共租赁住房租赁补贴申请办事指南" not in flagged
    assert ensure_demo_guides() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "switched_off",
    [
        pytest.param(lambda record: CatalogNode.objects.filter(pk=record.node_id), id="column"),
        pytest.param(lambda record: CatalogNode.objects.filter(code="04"), id="domain"),
        pytest.param(lambda record: Organisation.objects.filter(pk=record.organisation_id), id="organisation"),
    ],
)
def test_a_form_under_a_switched_off_column_domain_or_organisation_answers_404(g, client, switched_off):
    """Switching off the guide's column, its domain (市政服务) or its organisation hides the blank form
    with the record: the same 404 as for a form that does not exist; switched on again, it downloads."""
    record = g.desk.draft()
    build_guide(g.desk, record)
    record = g.desk.publish(record)
    material = ServiceGuideMaterial.objects.get(guide__record=record, order=1)
    url = f"/org/{COUNTY}/doc/{record.index_serial}/forms/{material.pk}/"
    assert client.get(url).status_code == 200
    switched_off(record).update(is_active=False)
    assert client.get(url).status_code == 404
    assert selectors.public_service_guide(record) is None
    switched_off(record).update(is_active=True)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "colleague"])
def test_admin_change_form_saves_every_inline_for_the_records_editors(g, client, who):
    """An editor of the organisation (the author or a colleague) posts the change form of a draft's guide:
    a guide field, a changed step, a new step, a new material with its blank form and a new FAQ are
    all saved, the form checked like an attachment."""
    record = g.desk.draft()
    guide = build_guide(g.desk, record, steps=1, materials=1, with_form=False)
    guide.faqs.all().delete()
    step, material = guide.steps.get(), guide.materials.get()
    user = g.desk.editor if who == "editor" else make_staff(g.county, Role.EDITOR, username="colleague")
    client.force_login(user)
    url = f"/admin/disclosure/serviceguide/{guide.pk}/change/"
    assert client.get(url).status_code == 200
    data = admin_post_data(
        place="清河县人民路88号",
        **{
            "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "1",
            "steps-0-id": str(step.pk), "steps-0-guide": str(guide.pk), "steps-0-order": "1",
            "steps-0-name": "受理并审查", "steps-0-time_limit": "1个工作日",
            "steps-1-order": "2", "steps-1-name": "决定", "steps-1-description": "作出许可决定", "steps-1-time_limit": "2个工作日",
            "materials-TOTAL_FORMS": "2", "materials-INITIAL_FORMS": "1",
            "materials-0-id": str(material.pk), "materials-0-guide": str(guide.pk), "materials-0-order": "1",
            "materials-0-name": material.name, "materials-0-originals": "1", "materials-0-copies": "2",
            "materials-0-form": "paper", "materials-0-required": "on",
            "materials-1-order": "2", "materials-1-name": "施工方案", "materials-1-originals": "1",
            "materials-1-copies": "0", "materials-1-form": "both", "materials-1-required": "on",
            "materials-1-form_file": SimpleUploadedFile("施工方案模板.pdf", PDF, content_type="application/pdf"),
            "faqs-TOTAL_FORMS": "1", "faqs-INITIAL_FORMS": "0",
            "faqs-0-order": "1", "faqs-0-question": "可以委托他人办理吗？", "faqs-0-answer": "可以，需提交授权委托书。",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    guide.refresh_from_db()
    assert guide.place == "清河县人民路88号"
    assert list(guide.steps.values_list("name", flat=True)) == ["受理并审查", "决定"]
    added = guide.materials.get(order=2)
    assert added.form_file_name == "施工方案模板.pdf" and added.form_file_size == len(PDF)
    assert guide.faqs.get().question == "可以委托他人办理吗？"
    assert ActivityEntry.objects.filter(subject_type="service_guide", subject_id=guide.pk, action="update", actor=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "reviewer", "orgadmin", "auditor", "other_editor", "no_role", "superuser"])
def test_no_role_meets_a_server_error_on_the_guide_screens(g, client, who):
    """Every role opens the guide list, the add page and the change pages of a draft's and a published
    record's guide: each answers below 500; only editors and a superuser may add."""
    draft = g.desk.draft(title="草稿指南")
    draft_guide = build_guide(g.desk, draft)
    published = g.desk.draft(title="已发布指南")
    published_guide = build_guide(g.desk, published)
    g.desk.publish(published)
    users = {
        "editor": g.desk.editor,
        "reviewer": g.desk.reviewer,
        "orgadmin": make_staff(g.county, Role.ORG_ADMIN, username="orgadmin"),
        "auditor": make_staff(g.county, Role.AUDITOR, username="auditor"),
        "other_editor": g.other.editor,
        "no_role": make_staff(g.county, username="no_role"),
        "superuser": UserFactory(username="root", is_superuser=True),
    }
    client.force_login(users[who])
    urls = [
        "/admin/disclosure/serviceguide/",
        "/admin/disclosure/serviceguide/add/",
        f"/admin/disclosure/serviceguide/{draft_guide.pk}/change/",
        f"/admin/disclosure/serviceguide/{published_guide.pk}/change/",
    ]
    answers = {url: client.get(url).status_code for url in urls}
    assert all(code < 500 for code in answers.values()), answers
    assert (answers["/admin/disclosure/serviceguide/add/"] == 200) == (who in ("editor", "other_editor", "superuser"))
