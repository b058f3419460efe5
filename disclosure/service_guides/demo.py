"""Demo structured service guides (办事指南) for `seed_demo`, after the demo records exist.

Three new service-guide records of the demo county with structured guides, made the way staff make
them: draft the record, fill in its guide, submit, approve, publish. Two are complete; the gas
licence change guide lacks its fees and promised time, so the completeness report flags it. (The
older demo guide records, published as plain text by disclosure/records/demo.py, are left as they
are and flagged too: restructuring them is the bureau's next task. Revising them here would
supersede records the demo's own tests count.)

Idempotent: a guide is made only when its record does not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import CatalogNode, Organisation
from disclosure.records import services
from disclosure.records.demo import demo_pdf, review_through_chain
from disclosure.records.models import Openness, Record, RecordType
from disclosure.service_guides import services as service_guides
from disclosure.service_guides.models import FeeMode, MaterialForm

EDITOR, REVIEWER = "editor", "reviewer"  # demo accounts of the county (disclosure/core/demo.py)


class Material(NamedTuple):
    """A required material of a demo guide: by default one paper original; ``blank_form`` names the
    blank form offered for download."""

    name: str
    originals: int = 1
    copies: int = 0
    form: str = MaterialForm.PAPER
    required: bool = True
    note: str = ""
    blank_form: str = ""


@dataclass(frozen=True)
class DemoGuide:
    """A service-guide record of the demo county and its structured guide."""

    node: str
    title: str
    fields: dict  # guide fields beyond GUIDE_DEFAULTS
    steps: tuple[tuple[str, str, str], ...]  # (name, description, time limit)
    materials: tuple[Material, ...]
    faqs: tuple[tuple[str, str], ...] = ()  # (question, answer)


# What every demo guide of the county bureau shares: the body that acts and where to ask.
GUIDE_DEFAULTS = {
    "responsible_body": "清河县住房和城乡建设局",
    "consultation_phone": "0370-1234567",
    "consultation_address": "清河县人民路88号政务服务中心二楼住建窗口",
    "supervision_phone": "0370-1234500",
    "supervision_channel": "12345政务服务便民热线；清河县纪委监委驻县住建局纪检监察组",
    "place": "清河县人民路88号政务服务中心二楼住建窗口",
    "hours": "工作日 上午8:30-12:00，下午14:30-17:30（法定节假日除外）",
}
GUIDES = (
    DemoGuide(
        "020701",
        "公共租赁住房租赁补贴申请办事指南",
        {
            "legal_basis": "《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条至第十三条；\n"
            "《清河县公共租赁住房管理实施细则》",
            "conditions": "具有本县城区户籍或在城区稳定就业的家庭，在城区无住房或人均住房建筑面积低于15平方米，"
            "家庭收入、财产符合规定标准。",
            "fee_mode": FeeMode.FREE,
            "statutory_days": 20,
            "promised_days": 15,
        },
        steps=(
            ("申请", "申请家庭向户籍或工作所在地街道（乡镇）提出书面申请。", "即时"),
            ("初审并公示", "街道（乡镇）入户调查、邻里访问，初审结果公示5个工作日。", "10个工作日"),
            ("审核并公示", "县住房和城乡建设局会同民政等部门审核，结果公示5个工作日。", "10个工作日"),
            ("轮候与配租", "审核通过的家庭进入轮候，按轮候顺序摇号配租或发放租赁补贴。", "按轮候顺序"),
        ),
        materials=(
            Material("公共租赁住房申请表", blank_form="公共租赁住房申请表.pdf"),
            Material("家庭成员身份证、户口簿", originals=0, copies=1, note="原件核验后退还"),
            Material("家庭收入证明", note="由工作单位或街道出具"),
            Material("住房情况承诺书", form=MaterialForm.BOTH, blank_form="住房情况承诺书.pdf"),
        ),
        faqs=(("外地户籍可以申请吗？", "在本县城区稳定就业满一年并连续缴纳社会保险的外来务工人员可以申请。"),),
    ),
    DemoGuide(
        "040101",
        "临时占用城市道路审批办事指南",
        {
            "legal_basis": "《城市道路管理条例》第三十条、第三十一条、第三十三条",
            "conditions": "因工程建设需要挖掘城市道路，或因特殊情况需要临时占用城市道路的单位和个人。",
            "fee_mode": FeeMode.FREE,
            "statutory_days": 20,
            "promised_days": 5,
        },
        steps=(
            ("受理", "窗口核对材料，材料齐全的当场受理；不齐全的一次性告知需补正的内容。", "即时"),
            ("审查与现场踏勘", "审查施工方案、交通疏导方案，必要时现场踏勘。", "3个工作日"),
            ("决定与送达", "作出准予或不予许可的决定，送达申请人。", "2个工作日"),
        ),
        materials=(
            Material("占用、挖掘城市道路申请书", blank_form="占用挖掘城市道路申请书.pdf"),
            Material("施工方案及占用、挖掘位置图", form=MaterialForm.BOTH),
            Material("交通疏导方案", form=MaterialForm.BOTH, note="涉及机动车道的提供"),
        ),
        faqs=(("占用期满需要延期怎么办？", "应在期满前5个工作日内提出延期申请，经批准后方可继续占用。"),),
    ),
    # Incomplete on purpose: fees and the promised time limit are not filled in.
    DemoGuide(
        "040201",
        "燃气经营许可证变更办事指南",
        {
            "legal_basis": "《城镇燃气管理条例》第十五条",
            "conditions": "符合燃气发展规划要求；有符合国家标准的燃气气源和燃气设施；有固定的经营场所、"
            "完善的安全管理制度和健全的经营方案；主要负责人和安全管理人员经专业培训并考核合格。",
            "statutory_days": 20,
        },
        steps=(
            ("受理", "审查申请材料是否齐全、是否符合法定形式。", "即时"),
            ("审查与现场核查", "对经营场所、储气设施和安全管理制度进行现场核查。", "15个工作日"),
            ("决定", "符合条件的颁发燃气经营许可证。", "5个工作日"),
        ),
        materials=(
            Material("燃气经营许可申请书", blank_form="燃气经营许可申请书.pdf"),
            Material("企业营业执照", originals=0, copies=1),
            Material("燃气气源证明及供气协议", originals=0, copies=1),
        ),
    ),
)


def _blank_form(name: str) -> ContentFile:
    title = name.rsplit(".", 1)[0]
    return ContentFile(demo_pdf(title, ["申请人（单位）：", "联系电话：", "申请事项：", "申请日期：    年  月  日"]), name=name)


def _fill_guide(guide, spec: DemoGuide, editor) -> None:
    """The guide's steps, materials and FAQ, each numbered from 1 in the order given."""
    for order, (name, description, time_limit) in enumerate(spec.steps, start=1):
        service_guides.service_guide_add_step(
            user=editor, guide=guide, order=order, name=name, description=description, time_limit=time_limit
        )
    for order, material in enumerate(spec.materials, start=1):
        service_guides.service_guide_add_material(
            user=editor, guide=guide, order=order, name=material.name, originals=material.originals,
            copies=material.copies, form=material.form, required=material.required, note=material.note,
            upload=_blank_form(material.blank_form) if material.blank_form else None,
        )
    for order, (question, answer) in enumerate(spec.faqs, start=1):
        service_guides.service_guide_add_faq(user=editor, guide=guide, order=order, question=question, answer=answer)


def ensure_demo_guides() -> int:
    """Make the demo guides; returns how many were made. Needs the demo accounts and catalog."""
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[EDITOR, REVIEWER])}
    if county is None or len(users) < 2:
        return 0
    editor, reviewer = users[EDITOR], users[REVIEWER]
    made = 0
    nodes = {n.code: n for n in CatalogNode.objects.filter(code__in={spec.node for spec in GUIDES})}
    for spec in GUIDES:
        title = spec.title
        if spec.node not in nodes or Record.objects.filter(organisation=county, title=title).exists():
            continue
        formed_on = timezone.localdate() - timedelta(days=12)
        record = services.record_create(
            user=editor,
            organisation=county,
            node=nodes[spec.node],
            title=title,
            record_type=RecordType.SERVICE_GUIDE,
            openness=Openness.PROACTIVE,
            issuing_body=county.name,
            formed_on=formed_on,
            written_on=formed_on,
            summary=f"{title.removesuffix('办事指南')}的实施主体、设定依据、申请条件、办理流程、申请材料、收费和时限。",
            body="<p>本事项的申请条件、办理流程、申请材料、收费标准和办理时限等见下方办事指南，空白表格可直接下载。</p>",
        )
        guide = service_guides.service_guide_create(user=editor, record=record, **{**GUIDE_DEFAULTS, **spec.fields})
        _fill_guide(guide, spec, editor)
        services.record_submit(user=editor, record=record)
        review_through_chain(record)  # the county's review chain, by its demo reviewers
        services.record_publish(user=reviewer, record=record)
        made += 1
    return made
