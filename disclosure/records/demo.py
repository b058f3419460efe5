"""Demo records for `seed_demo`: a living portal of the fictional 清河县住建局 and its township.

Every record is made through disclosure/services.py by the demo accounts (disclosure/demo.py), so its
audit log, reviews, versions and index numbers are real. Records cover every state and openness
attribute, many columns (several records each) and leave some applicable columns empty on purpose:
auditors need a missing item to find.

Demo history: the services stamp a publication with the time it happens, so a freshly seeded portal
would show everything published today. To give the columns a past (publications spread over the last
18 months, some later than the 20-working-day limit), each publication time is moved back afterwards
with a queryset ``update()`` of ``published_at`` only. No status is ever set outside the services;
the audit log keeps the true (seeding) times, and the record's search document is refreshed. Index
numbers are assigned by the real service at seeding; a publication moved into an earlier year then
takes the next number of that year, since an index number's year is the year of first publication.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import CatalogNode, Organisation
from disclosure.core.workdays import CalendarUnknown, add_working_days
from disclosure.records import review_chain, services
from disclosure.records.models import Openness, Record, RecordType, Status, WithholdingGround
from disclosure.records.review_models import STANDARD_CHAIN, ReviewChain
from disclosure.records.search_index import search_document_refresh
from disclosure.records.validity import POLICY_TYPES

DEMO_TOWNSHIP = "419901001"
# Who writes and who reviews at each demo organisation (usernames from disclosure/demo.py).
ACTORS = {DEMO_COUNTY: ("editor", "reviewer"), DEMO_TOWNSHIP: ("editor2", "reviewer2")}
# The county reviews in three steps (初审 by the section, 保密审查, 终审签发 by the leader), one demo
# reviewer each; the township has one reviewer and keeps the single default step.
CHAIN_REVIEWERS = {DEMO_COUNTY: ("reviewer", "secrecy", "leader"), DEMO_TOWNSHIP: ("reviewer2",)}
STEP_COMMENTS = {
    "初审": "内容准确，公开属性正确，同意提交保密审查。",
    "保密审查": "经保密审查，不涉及国家秘密和工作秘密，无个人隐私。",
    "终审签发": "同意签发。",
}


def ensure_demo_review_chain() -> bool:
    """The demo county's three-step chain (idempotent); True if it was made now."""
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    if county is None or ReviewChain.objects.filter(organisation=county).exists():
        return False
    chain = ReviewChain.objects.create(organisation=county)
    review_chain.chain_set(chain, [(str(name), checks) for name, checks in STANDARD_CHAIN])
    return True


def review_through_chain(record: Record, *, upto: int | None = None) -> Record:
    """Pass the steps of ``record``'s open review round (all, or the first ``upto``), each by the next
    demo reviewer of its organisation, every check confirmed. Demo data only."""
    names = CHAIN_REVIEWERS.get(record.organisation.code, ())
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    progress = review_chain.progress_of(record)
    while progress is not None and progress.next_step is not None and (upto is None or progress.position <= upto):
        step = progress.next_step
        user = users[names[(progress.position - 1) % len(names)]]
        comment = STEP_COMMENTS.get(step["name"], "经保密审查，同意按所定公开属性办理。")
        if progress.is_last:
            record = services.record_approve(user=user, record=record, checks=step["checks"], comment=comment)
        else:
            record = services.record_pass_step(user=user, record=record, checks=step["checks"], comment=comment)
        progress = review_chain.progress_of(record)
    return record


@dataclass(frozen=True)
class DemoRecord:
    """One demo record and the state it is brought to.

    ``ago``: the information was formed this many days before today. ``delay``: working days from
    formation to publication (over 20 is late). ``revises``: title of the published record this one
    revises (publishing it supersedes that one). Body items starting with "<" are HTML, others paragraphs.
    """

    org: str
    node: str
    title: str
    state: str
    ago: int
    body: tuple[str, ...]
    delay: int | None = None
    record_type: str = RecordType.NOTICE
    document_number: str = ""
    issuing_body: str = ""
    written_on: datetime.date | None = None
    openness: str = Openness.PROACTIVE
    ground: str = ""
    note: str = ""
    attachment: str = ""
    revises: str = ""
    comment: str = ""
    notice: bool = False
    change_note: str = ""
    steps_passed: int = 0  # of a submitted record: review steps already passed


C, T = DEMO_COUNTY, DEMO_TOWNSHIP
S = Status
RT = RecordType
PROJECT = "人民路南段棚户区改造项目"

DEMO_RECORDS = [
    # ---------------------------------------------------------------- 国有土地上房屋征收
    DemoRecord(
        C, "010101", "国有土地上房屋征收与补偿条例", S.PUBLISHED, 520, (
            "《国有土地上房屋征收与补偿条例》已经2011年1月19日国务院第141次常务会议通过，现予公布，自公布之日起施行。",
            "条例规定，为了公共利益的需要，征收国有土地上单位、个人的房屋的，应当对被征收房屋所有权人给予公平补偿。"
            "房屋征收与补偿应当遵循决策民主、程序正当、结果公开的原则。",
        ), delay=6, record_type=RT.POLICY, document_number="国务院令第590号", issuing_body="国务院",
        written_on=datetime.date(2011, 1, 21),
    ),
    DemoRecord(
        C, "010102", "清河县国有土地上房屋征收与补偿实施办法", S.PUBLISHED, 480, (
            "第一条　为规范本县国有土地上房屋征收与补偿活动，维护公共利益，保障被征收人的合法权益，"
            "根据《国有土地上房屋征收与补偿条例》等规定，结合本县实际，制定本办法。",
            "第二条　县人民政府负责本县行政区域内的房屋征收与补偿工作。县住房和城乡建设局为房屋征收部门，"
            "县房屋征收服务中心受其委托承担房屋征收与补偿的具体工作。",
            "第三条　房屋征收补偿方案应当公开征求意见，征求意见期限不少于30日。",
        ), delay=9, record_type=RT.NORMATIVE, document_number="清政〔2025〕8号", issuing_body="清河县人民政府",
    ),
    DemoRecord(
        C, "010102", "清河县国有土地上房屋征收与补偿实施办法（2026年修订）", S.SUBMITTED, 14, (
            "第一条　为规范本县国有土地上房屋征收与补偿活动，维护公共利益，保障被征收人的合法权益，"
            "根据《国有土地上房屋征收与补偿条例》等规定，结合本县实际，制定本办法。",
            "第二条　县人民政府负责本县行政区域内的房屋征收与补偿工作。县住房和城乡建设局为房屋征收部门。",
            "第三条　房屋征收补偿方案应当公开征求意见，征求意见期限不少于30日；"
            "修订后增加：搬迁奖励、临时安置费标准每三年评估调整一次。",
        ), record_type=RT.NORMATIVE, document_number="清政〔2026〕（待定）", issuing_body="清河县人民政府",
        revises="清河县国有土地上房屋征收与补偿实施办法",
        change_note="依据县政府2026年工作安排修订：第三条增加搬迁奖励、临时安置费标准定期评估调整的规定。",
    ),
    DemoRecord(
        C, "010203", f"关于{PROJECT}房屋调查登记的公告", S.PUBLISHED, 450, (
            f"根据县人民政府工作安排，县住房和城乡建设局将对{PROJECT}征收范围内房屋的权属、区位、用途、建筑面积等情况"
            "组织调查登记，请被征收人予以配合。",
            "调查登记时间：自本公告发布之日起30日内。调查结果将在征收范围内公布。",
        ), delay=4, document_number="清建〔2025〕15号",
    ),
    DemoRecord(
        C, "010204", f"{PROJECT}国有土地上房屋征收补偿方案（征求意见稿）", S.PUBLISHED, 420, (
            "为做好项目征收补偿工作，现将征收补偿方案（征求意见稿）予以公布，公开征求公众意见，征求意见期限为30日。",
            "补偿方式：被征收人可以选择货币补偿，也可以选择房屋产权调换。",
            "意见反馈：县房屋征收服务中心，电话0370-1234567。",
        ), delay=3, document_number="清建〔2025〕21号",
    ),
    DemoRecord(
        C, "010204", f"关于{PROJECT}征收补偿方案征求意见情况和修改情况的公告", S.PUBLISHED, 380, (
            "征求意见期间，共收到书面意见46条，主要涉及临时安置费标准、搬迁奖励期限等。",
            "经研究，采纳意见12条，对临时安置费标准和搬迁奖励期限作了修改，修改情况见附表。",
        ), delay=32,
    ),
    DemoRecord(
        C, "010205", f"清河县人民政府关于{PROJECT}国有土地上房屋征收决定的公告", S.PUBLISHED, 360, (
            f"为了公共利益的需要，根据《国有土地上房屋征收与补偿条例》规定，县人民政府决定对{PROJECT}范围内的"
            "国有土地上房屋实施征收。",
            "一、征收范围：东至文化路，西至人民路，南至滨河路，北至解放路（详见征收范围示意图）。",
            "二、签约期限：自本公告发布之日起60日内。",
            "三、被征收人对房屋征收决定不服的，可以自本公告发布之日起60日内依法申请行政复议，"
            "也可以在6个月内依法提起行政诉讼。",
        ), delay=2, document_number="清政〔2025〕19号", issuing_body="清河县人民政府", attachment="征收范围示意图.pdf",
    ),
    DemoRecord(
        C, "010301", f"{PROJECT}房地产价格评估机构选定结果公告", S.PUBLISHED, 340, (
            "经被征收人协商投票，选定河南某某房地产评估有限公司为本项目房地产价格评估机构。",
            "投票结果：参与投票户数312户，该机构得票201票，超过参与投票户数的半数。",
        ), delay=5, record_type=RT.RESULT,
    ),
    DemoRecord(
        C, "010302", f"{PROJECT}分户初步评估结果公示", S.PUBLISHED, 300, (
            "现将项目分户初步评估结果予以公示，公示期为10日。",
            "被征收人对评估结果有疑问的，可以向评估机构申请解释；对评估结果有异议的，"
            "可以自收到评估报告之日起10日内申请复核评估。",
        ), delay=7, record_type=RT.RESULT, attachment="分户初步评估结果.pdf",
    ),
    DemoRecord(
        C, "010401", f"{PROJECT}分户补偿情况公示（第一批）", S.PUBLISHED, 250, (
            "现将第一批已签约被征收户的补偿情况予以公示，接受社会监督。",
            "<table><thead><tr><th>序号</th><th>房屋坐落</th><th>补偿方式</th><th>补偿金额（万元）</th></tr></thead>"
            "<tbody><tr><td>1</td><td>人民路南段12号</td><td>货币补偿</td><td>86.4</td></tr>"
            "<tr><td>2</td><td>人民路南段14号</td><td>产权调换</td><td>—</td></tr>"
            "<tr><td colspan=\"3\">合计（本批共58户）</td><td>3,912.7</td></tr></tbody></table>",
        ), delay=8, record_type=RT.RESULT,
    ),
    DemoRecord(
        C, "010401", f"{PROJECT}分户补偿情况公示（第二批）", S.SUBMITTED, 12, (
            "现将第二批已签约被征收户的补偿情况予以公示，接受社会监督。公示期为10日。",
        ), record_type=RT.RESULT, steps_passed=1,  # 初审 passed: waits for 保密审查 (secrecy)
    ),
    DemoRecord(
        C, "010201", f"{PROJECT}房屋征收启动要件材料", S.APPROVED, 470, (
            "包括项目立项批复、规划许可、土地利用年度计划及征收资金落实证明等审批过程材料。",
        ), record_type=RT.OTHER, openness=Openness.ON_APPLICATION, ground=WithholdingGround.PROCESS,
        note="属于审批过程材料，公民、法人或者其他组织可依申请获取。",
    ),
    DemoRecord(
        C, "010202", f"{PROJECT}社会稳定风险评估报告", S.APPROVED, 460, (
            "报告对项目征收可能引发的社会稳定风险进行了识别、分析和评估，并提出了风险防范化解措施。",
        ), record_type=RT.OTHER, openness=Openness.WITHHELD, ground=WithholdingGround.SECURITY,
        note="报告含重点人员及风险点位信息，公开后可能危及社会稳定。",
    ),
    # ---------------------------------------------------------------- 保障性住房
    DemoRecord(
        C, "020101", "公共租赁住房管理办法", S.PUBLISHED, 510, (
            "《公共租赁住房管理办法》已经第84次部常务会议审议通过，现予发布，自2012年7月15日起施行。",
            "办法对公共租赁住房的申请与审核、轮候与配租、使用与退出等作了规定。",
        ), delay=10, record_type=RT.POLICY, document_number="住房和城乡建设部令第11号",
        issuing_body="住房和城乡建设部", written_on=datetime.date(2012, 5, 28),
    ),
    DemoRecord(
        C, "020102", "清河县公共租赁住房管理实施细则", S.PUBLISHED, 500, (
            "第一条　为加强本县公共租赁住房管理，根据《公共租赁住房管理办法》，制定本细则。",
            "第二条　申请公共租赁住房的家庭，应当在本县城区无住房或者住房面积低于规定标准，"
            "收入、财产低于规定标准。",
        ), delay=12, record_type=RT.NORMATIVE, document_number="清建〔2025〕3号",
    ),
    DemoRecord(
        C, "020102", "清河县公共租赁住房管理实施细则（2026年修订）", S.PUBLISHED, 200, (
            "第一条　为加强本县公共租赁住房管理，根据《公共租赁住房管理办法》，制定本细则。",
            "第二条　申请公共租赁住房的家庭，应当在本县城区无住房或者住房面积低于规定标准，"
            "收入、财产低于规定标准；新就业无房职工和外来务工人员可以申请。",
            "第三条　公共租赁住房租金标准由县住房和城乡建设局会同县发展改革委每两年评估调整一次。",
        ), delay=6, record_type=RT.NORMATIVE, document_number="清建〔2026〕5号",
        revises="清河县公共租赁住房管理实施细则",
        change_note="扩大保障范围：新就业无房职工和外来务工人员可以申请；租金标准改为每两年评估调整一次。",
    ),
    DemoRecord(
        C, "020201", "关于公开征求《清河县保障性租赁住房发展实施方案（征求意见稿）》意见的公告", S.PUBLISHED, 330, (
            "为广泛听取社会各界意见，现将《清河县保障性租赁住房发展实施方案（征求意见稿）》全文公布，"
            "征求意见时间为30日。",
            "公众可通过电子邮件gongkai@qinghe.example.gov.cn或信函方式提出意见。",
        ), delay=1,
    ),
    DemoRecord(
        C, "020203", "清河县保障性租赁住房发展实施方案", S.PUBLISHED, 280, (
            "到2027年，全县筹集保障性租赁住房1,200套（间），重点解决新市民、青年人住房困难问题。",
            "方案明确了土地、财税、金融等支持政策和部门职责分工。",
        ), delay=28, record_type=RT.NORMATIVE, document_number="清政办〔2025〕27号",
        issuing_body="清河县人民政府办公室",
    ),
    DemoRecord(
        C, "020301", "清河县“十四五”城镇住房保障规划", S.PUBLISHED, 530, (
            "规划期内，全县计划筹集公共租赁住房、保障性租赁住房共计2,600套，发放租赁补贴3,000户次。",
        ), delay=14, record_type=RT.PLAN,
    ),
    DemoRecord(
        C, "020302", "清河县2025年保障性住房建设计划", S.PUBLISHED, 505, (
            "2025年全县计划新开工保障性租赁住房300套，基本建成公共租赁住房240套。",
        ), delay=7, record_type=RT.PLAN,
    ),
    DemoRecord(
        C, "020302", "清河县2026年保障性住房建设计划", S.PUBLISHED, 260, (
            "2026年全县计划新开工保障性租赁住房400套，基本建成保障性租赁住房300套，筹集配售型保障性住房100套。",
        ), delay=5, record_type=RT.PLAN,
    ),
    DemoRecord(
        C, "020302", "关于2027年保障性住房建设计划的请示（过程稿）", S.SUBMITTED, 7, (
            "拟定2027年计划新开工保障性租赁住房350套，请县人民政府研究。",
        ), record_type=RT.PLAN, openness=Openness.WITHHELD, ground=WithholdingGround.PROCESS,
        note="请示报告，属于过程性信息；计划经批准后另行主动公开。",
    ),
    DemoRecord(
        C, "020401", "城南公租房项目立项信息", S.PUBLISHED, 240, (
            "项目名称：清河县城南公共租赁住房项目。建设地点：城南新区纬三路北侧。",
            "建设规模：总建筑面积4.2万平方米，公共租赁住房600套。总投资：1.8亿元。",
        ), delay=3,
    ),
    DemoRecord(
        C, "020401", "城南公租房项目建设资金使用明细", S.DRAFT, 35, (
            "项目中央补助资金、地方配套资金使用明细及施工单位结算情况。",
        ), record_type=RT.OTHER, openness=Openness.ON_APPLICATION, ground=WithholdingGround.THIRD_PARTY,
        note="含施工企业报价等商业信息，经第三方同意后可依申请公开。",
    ),
    DemoRecord(
        C, "020402", "清河县2026年保障性住房开工项目清单", S.DRAFT, 20, (
            "<table><thead><tr><th>项目名称</th><th>建设地点</th><th>套数</th><th>开工时间</th></tr></thead>"
            "<tbody><tr><td>城南保障性租赁住房二期</td><td>城南新区</td><td>260</td><td>2026年9月</td></tr></tbody></table>",
        ),
    ),
    DemoRecord(
        C, "020403", "清河县2025年保障性住房基本建成项目清单", S.PUBLISHED, 320, (
            "2025年全县基本建成公共租赁住房240套，详见下表。",
            "<table><thead><tr><th>项目名称</th><th>套数</th><th>基本建成时间</th></tr></thead>"
            "<tbody><tr><td>城北公租房三期</td><td>240</td><td>2025年11月</td></tr></tbody></table>",
        ), delay=38,
    ),
    DemoRecord(
        C, "020501", "清河县2026年第一批公租房承租资格审核结果公示", S.PUBLISHED, 230, (
            "经申请人申请、街道（乡镇）初审、县住房和城乡建设局审核，共有86户家庭符合公租房承租条件，现予公示。",
            "公示期为5个工作日。对公示结果有异议的，请向县住房保障服务中心书面反映。",
        ), delay=3, record_type=RT.RESULT,
    ),
    DemoRecord(
        C, "020502", "城南公租房小区2026年摇号配租公告", S.PUBLISHED, 200, (
            "城南公租房小区首批房源300套，定于2026年5月20日上午9时在县政务服务中心公开摇号。",
            "摇号全程由县公证处公证，并邀请申请人代表现场监督。",
        ), delay=2,
    ),
    DemoRecord(
        C, "020503", "清河县2026年第一批公租房配租结果公示", S.PUBLISHED, 180, (
            "城南公租房小区首批摇号配租已完成，现将配租结果予以公示，公示期为5个工作日。",
            "配租名单见附件（已隐去身份证号码等个人信息）。",
        ), delay=4, record_type=RT.RESULT, attachment="配租结果名单.pdf",
    ),
    DemoRecord(
        C, "020503", "清河县2026年第二批公租房配租结果公示", S.SCHEDULED, 10, (
            "城南公租房小区第二批摇号配租已完成，现将配租结果予以公示，公示期为5个工作日。",
        ), record_type=RT.RESULT,
    ),
    DemoRecord(
        C, "020601", "关于调整公共租赁住房租金标准的通知", S.WITHDRAWN, 160, (
            "自2026年7月1日起，城区公共租赁住房租金标准调整为每月每平方米6.5元。",
        ), delay=5, document_number="清建〔2026〕18号",
        comment="租金测算依据需重新核定，本通知撤回，调整后的标准另行公布。", notice=True,
    ),
    DemoRecord(
        C, "020601", "清河县公共租赁住房租金标准（2026年）", S.PUBLISHED, 120, (
            "城区公共租赁住房租金标准为每月每平方米6.0元，乡镇为每月每平方米4.5元。",
            "符合条件的低保、特困家庭按租金标准的10%缴纳。",
        ), delay=6, document_number="清建〔2026〕26号",
    ),
    DemoRecord(
        C, "020602", "关于清退违规转租转借公租房的公告", S.CHANGES_REQUESTED, 25, (
            "经核查，部分承租家庭存在转租、转借公租房的行为，现予清退。",
        ), comment="请补充清退程序、申诉渠道和联系电话后重新提交。",
    ),
    DemoRecord(
        C, "020701", "公租房（实物配租／租赁补贴）申请办事指南", S.PUBLISHED, 440, (
            "<h3>申请条件</h3>",
            "具有本县城区户籍或在城区稳定就业的家庭，在城区无住房或人均住房建筑面积低于15平方米，收入、财产符合规定标准。",
            "<h3>申请材料</h3>",
            "<ol><li>公租房申请表；</li><li>家庭成员身份证、户口簿；</li><li>收入证明；</li><li>住房情况承诺书。</li></ol>",
            "<h3>办理流程</h3>",
            "申请→街道（乡镇）初审并公示→县住房和城乡建设局审核并公示→轮候→配租。",
            "<h3>办理时限与收费</h3>",
            "审核时限20个工作日；不收费。",
            "<h3>咨询和监督</h3>",
            "咨询电话：0370-1234567；监督电话：0370-1234500。",
        ), delay=5, record_type=RT.SERVICE_GUIDE,
    ),
    DemoRecord(
        C, "020801", "《清河县公共租赁住房管理实施细则（2026年修订）》政策解读", S.PUBLISHED, 200, (
            "一、修订背景：为扩大公租房保障范围，将新就业无房职工和外来务工人员纳入保障。",
            "二、主要变化：放宽申请条件；建立租金定期评估调整机制。",
            "三、解读机关：清河县住房和城乡建设局；解读人：住房保障股；联系电话：0370-1234567。",
        ), delay=6, record_type=RT.INTERPRETATION,
    ),
    DemoRecord(
        C, "020901", "关于群众反映城南公租房小区冬季供暖问题的回应", S.PUBLISHED, 95, (
            "近日，有群众反映城南公租房小区部分楼栋室温偏低。县住房和城乡建设局已会同供热企业入户测温，"
            "对12户进行了管网排气和阀门调节，室温已达到18℃以上。",
            "如仍有问题，请拨打供热服务热线0370-1234588。",
        ), delay=2,
    ),
    DemoRecord(
        C, "020901", "关于公租房轮候进度有关问题的回应", S.SUBMITTED, 6, (
            "截至目前，全县公租房轮候家庭共312户，预计2027年上半年完成全部配租。",
        ),
    ),
    # ---------------------------------------------------------------- 农村危房改造
    DemoRecord(
        C, "030101", "关于做好2026年农村危房改造工作的通知", S.PUBLISHED, 270, (
            "各乡镇人民政府：为做好2026年农村危房改造工作，保障农村低收入群体住房安全，现就有关事项通知如下。",
            "一、改造对象为农村易返贫致贫户、低保户、分散供养特困人员等重点对象中住房安全性鉴定为C级或D级的农户。",
            "二、各乡镇于2026年6月底前完成对象认定和公示。",
        ), delay=8, record_type=RT.POLICY, document_number="清建〔2026〕9号",
    ),
    DemoRecord(
        C, "030201", "农村住房安全性鉴定技术导则", S.PUBLISHED, 490, (
            "导则规定了农村住房安全性鉴定的程序、方法和评定标准，将房屋安全性分为A、B、C、D四个等级。",
        ), delay=11, record_type=RT.POLICY, issuing_body="住房和城乡建设部",
    ),
    DemoRecord(
        C, "030202", "清河县农村危房改造对象申请条件", S.PUBLISHED, 265, (
            "申请对象须为本县农村户籍，住房经鉴定为C级或D级危房，且属于农村低收入群体等重点对象。",
        ), delay=4,
    ),
    DemoRecord(
        C, "030203", "清河县2026年农村危房改造资金补助标准", S.APPROVED, 30, (
            "C级危房加固改造每户补助1.5万元，D级危房拆除重建每户补助3.5万元。",
        ), document_number="清建〔2026〕41号",
    ),
    DemoRecord(
        C, "030301", "清河县农村危房改造危改户认定程序", S.PUBLISHED, 262, (
            "农户申请→村级评议并公示→乡镇审核并公示→县住房和城乡建设局审批并公示。",
        ), delay=5,
    ),
    DemoRecord(
        C, "030302", "清河县2025年农村危房改造补助对象审核审批结果公示", S.PUBLISHED, 400, (
            "经农户申请、村级评议、乡镇审核、县级审批，确定2025年农村危房改造补助对象58户，现予公示。",
        ), delay=6, record_type=RT.RESULT,
    ),
    DemoRecord(
        C, "030302", "清河县2026年第一批农村危房改造补助对象审核审批结果公示", S.PUBLISHED, 150, (
            "经农户申请、村级评议、乡镇审核、县级审批，确定2026年第一批农村危房改造补助对象42户，现予公示，公示期7日。",
            "补助对象名单见附件。",
        ), delay=26, record_type=RT.RESULT, attachment="补助对象名单.pdf",
    ),
    # ---------------------------------------------------------------- 市政服务
    DemoRecord(
        C, "040101", "占用、挖掘城市道路审批办事指南", S.PUBLISHED, 430, (
            "<h3>办理依据</h3>", "《城市道路管理条例》第三十条、第三十一条。",
            "<h3>申请材料</h3>", "<ol><li>申请书；</li><li>施工方案及占用、挖掘位置图；</li><li>交通疏导方案。</li></ol>",
            "<h3>办理时限</h3>", "承诺时限5个工作日。",
        ), delay=5, record_type=RT.SERVICE_GUIDE,
    ),
    DemoRecord(
        C, "040102", "依附城市道路建设各种管线、杆线等设施审批办事指南", S.PUBLISHED, 425, (
            "<h3>办理依据</h3>", "《城市道路管理条例》第二十九条。",
            "<h3>办理时限</h3>", "承诺时限5个工作日；不收费。",
        ), delay=5, record_type=RT.SERVICE_GUIDE,
    ),
    DemoRecord(
        C, "040201", "燃气经营许可证核发办事指南", S.PUBLISHED, 415, (
            "<h3>办理依据</h3>", "《城镇燃气管理条例》第十五条。",
            "<h3>申请条件</h3>", "符合燃气发展规划要求；有符合国家标准的燃气气源和燃气设施；有固定的经营场所、"
            "完善的安全管理制度和健全的经营方案；企业主要负责人、安全生产管理人员以及运行、维护和抢修人员经专业培训并考核合格。",
            "<h3>办理时限</h3>", "法定时限20个工作日，承诺时限10个工作日。",
        ), delay=4, record_type=RT.SERVICE_GUIDE, attachment="燃气经营许可申请表.pdf",
    ),
    DemoRecord(
        C, "040201", "2026年第三季度燃气经营许可证核发结果公告", S.SUBMITTED, 8, (
            "2026年第三季度共核发燃气经营许可证2件，详见下表。",
        ), record_type=RT.LICENSING, steps_passed=2,  # waits for 终审签发 (leader)
    ),
    DemoRecord(
        C, "040202", "燃气经营者改动市政燃气设施审批办事指南", S.DRAFT, 15, (
            "<h3>办理依据</h3>", "《城镇燃气管理条例》第三十八条。",
        ), record_type=RT.SERVICE_GUIDE,
    ),
    DemoRecord(
        C, "040301", "供热经营许可办事指南", S.PUBLISHED, 410, (
            "<h3>申请条件</h3>", "具有独立法人资格；有与供热规模相适应的热源和供热设施；有相应的专业技术人员。",
            "<h3>办理时限</h3>", "承诺时限10个工作日。",
        ), delay=7, record_type=RT.SERVICE_GUIDE,
    ),
    # ---------------------------------------------------------------- 城关镇
    DemoRecord(
        T, "020501", "城关镇2026年第二批公租房申请家庭初审结果公示", S.PUBLISHED, 140, (
            "经入户调查和邻里访问，城关镇2026年第二批共有23户家庭通过初审，现予公示，公示期为5个工作日。",
        ), delay=3, record_type=RT.RESULT,
    ),
    DemoRecord(
        T, "020701", "城关镇公租房申请受理办事指南", S.PUBLISHED, 300, (
            "受理地点：城关镇便民服务中心2号窗口。受理时间：工作日8:30-17:30。",
            "所需材料：公租房申请表、家庭成员身份证和户口簿、收入证明。",
        ), delay=5, record_type=RT.SERVICE_GUIDE,
    ),
    DemoRecord(
        T, "010401", "城关镇人民路南段片区分户补偿情况公示", S.PUBLISHED, 240, (
            "城关镇配合县房屋征收部门，现将人民路南段片区本镇辖区内分户补偿情况予以公示。",
        ), delay=6, record_type=RT.RESULT,
    ),
    DemoRecord(
        T, "030302", "城关镇2026年农村危房改造补助对象公示", S.PUBLISHED, 170, (
            "经农户申请、村级评议，城关镇审核确定2026年农村危房改造补助对象9户，现予公示，公示期7日。",
        ), delay=5, record_type=RT.RESULT,
    ),
    DemoRecord(
        T, "030302", "城关镇2026年第二批农村危房改造补助对象初审公示", S.SUBMITTED, 9, (
            "经农户申请、村级评议，城关镇初审确定2026年第二批农村危房改造补助对象6户。",
        ), record_type=RT.RESULT,
    ),
    DemoRecord(
        T, "030101", "城关镇农村危房改造工作实施方案", S.DRAFT, 18, (
            "为落实县住房和城乡建设局工作部署，结合本镇实际，制定本实施方案。",
        ),
    ),
]

# Applicable columns deliberately left without any record (the auditors' missing items).
EMPTY_COUNTY_COLUMNS = ("010402", "020202", "020504", "021001", "030204", "040103", "040302")


# ---------------------------------------------------------------- attachments


def _pdf_text(text: str) -> str:
    """A PDF hex string in UCS-2 big-endian, for the UniGB-UCS2-H encoding of a standard CJK font."""
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small real one-page PDF with Chinese text (the standard STSong-Light font, not embedded)."""
    rows = [f"BT /F1 16 Tf 72 770 Td {_pdf_text(title)} Tj ET"]
    y = 730
    for line in lines:
        for start in range(0, len(line), 36):  # about 36 characters fit on a line at 12 pt
            rows.append(f"BT /F1 12 Tf 72 {y} Td {_pdf_text(line[start:start + 36])} Tj ET")
            y -= 20
    stream = "\n".join(rows).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------- building


def _body_html(body: tuple[str, ...]) -> str:
    return "".join(part if part.startswith("<") else f"<p>{part}</p>" for part in body)


def _summary(body: tuple[str, ...]) -> str:
    text = next((part for part in body if not part.startswith("<")), "")
    return text[:120]


def _publication_time(formed_on: datetime.date, delay: int, serial: int) -> datetime.datetime:
    """A working-day publication time ``delay`` working days after formation, in office hours."""
    try:
        day = add_working_days(formed_on, delay)
    except CalendarUnknown:  # a year without a known calendar: count calendar days instead
        day = formed_on + datetime.timedelta(days=delay)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + serial % 8, 7 * serial % 60)))
    return min(moment, timezone.now() - datetime.timedelta(hours=1))


def _content(spec: DemoRecord, organisation: Organisation, today: datetime.date) -> dict:
    formed_on = today - datetime.timedelta(days=spec.ago)
    return {
        "title": spec.title,
        "document_number": spec.document_number,
        "issuing_body": spec.issuing_body or organisation.name,
        "written_on": spec.written_on or formed_on,
        "formed_on": formed_on,
        "record_type": spec.record_type,
        "openness": spec.openness,
        "withholding_ground": spec.ground,
        "openness_note": spec.note,
        "summary": _summary(spec.body),
        "body": _body_html(spec.body),
        "change_note": spec.change_note,
        # Policy documents take effect on the day they were written (有效性 is derived from it).
        "effective_on": (spec.written_on or formed_on) if spec.record_type in POLICY_TYPES else None,
    }




def _build(spec: DemoRecord, *, organisation, node, editor, reviewer, originals, today, serial) -> Record:
    content = _content(spec, organisation, today)
    if spec.revises:
        record = services.record_revise(user=editor, record=originals[spec.revises])
        record = services.record_update(user=editor, record=record, **content)
    else:
        record = services.record_create(user=editor, organisation=organisation, node=node, **content)
    if spec.attachment:
        pdf = demo_pdf(spec.title[:30], [organisation.name, *(p for p in spec.body if not p.startswith("<"))])
        services.attachment_add(user=editor, record=record, upload=ContentFile(pdf, name=spec.attachment))
    if spec.state == Status.DRAFT:
        return record
    services.record_submit(user=editor, record=record)
    if spec.state == Status.SUBMITTED:
        return review_through_chain(record, upto=spec.steps_passed) if spec.steps_passed else record
    if spec.state == Status.CHANGES_REQUESTED:
        return services.record_request_changes(user=reviewer, record=record, comment=spec.comment)
    review_through_chain(record)
    if spec.state == Status.APPROVED:
        return record
    if spec.state == Status.SCHEDULED:
        start = timezone.localtime() + datetime.timedelta(days=2)
        publish_at = start.replace(hour=9, minute=0, second=0, microsecond=0)
        return services.record_publish(user=reviewer, record=record, publish_at=publish_at)
    record = services.record_publish(user=reviewer, record=record)
    # Demo history (see the module docstring): the publication time, never the status; and, for a
    # publication moved into an earlier year, an index number of that year (the 索引号's year is the
    # year of first publication).
    published_at = _publication_time(content["formed_on"], spec.delay or 5, serial)
    changes = {"published_at": published_at}
    year = timezone.localtime(published_at).year
    if not record.revises_id and not record.index_number.startswith(f"{record.organisation.code}/{year}-"):
        changes["index_number"] = services.next_index_number(record.organisation, year)
    Record.objects.filter(pk=record.pk).update(**changes)
    search_document_refresh(record_ids=[record.pk])  # the search document carries the time too
    if spec.state == Status.WITHDRAWN:
        services.record_withdraw(user=reviewer, record=record, reason=spec.comment, public_notice=spec.notice)
    return record


def ensure_demo_records() -> int:
    """Create the demo records through the services; returns how many were made (0 if already there).

    Idempotent: nothing is made when the demo county already has records. Needs the standard catalog
    (`load_catalog`) and the demo accounts.
    """
    ensure_demo_review_chain()
    if Record.objects.filter(organisation__code=DEMO_COUNTY).exists():
        return 0
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=ACTORS)}
    nodes = {n.code: n for n in CatalogNode.objects.filter(code__in={spec.node for spec in DEMO_RECORDS})}
    if len(organisations) < len(ACTORS) or len(nodes) < len({spec.node for spec in DEMO_RECORDS}):
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(username__in=sum(ACTORS.values(), ()))}
    today = timezone.localdate()

    def publication_order(spec: DemoRecord):
        # Published history first, oldest first, so index serials follow publication dates; then the rest.
        if spec.delay is None:
            return (1, today)
        return (0, _publication_time(today - datetime.timedelta(days=spec.ago), spec.delay, 0).date())

    originals: dict[str, Record] = {}
    made = 0
    for serial, spec in enumerate(sorted(DEMO_RECORDS, key=publication_order)):
        editor, reviewer = (users[name] for name in ACTORS[spec.org])
        record = _build(
            spec,
            organisation=organisations[spec.org],
            node=nodes[spec.node],
            editor=editor,
            reviewer=reviewer,
            originals=originals,
            today=today,
            serial=serial,
        )
        originals[spec.title] = record
        made += 1
    return made
