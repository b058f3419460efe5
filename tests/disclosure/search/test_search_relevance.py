"""Relevance: a housing bureau's realistic records, and for each of 50 queries the record that must come first.

The corpus mirrors what a county bureau and its townships publish under the standard catalog:
expropriation decisions and compensation plans, public rental housing allocations, rural dilapidated
housing subsidies, municipal permits (gas, heating, roads), with document numbers such as
豫建〔2024〕12号 and 清建〔2026〕3号. Records are made through the real services, so the index is the one
the publish service writes. The same expectations hold on PostgreSQL (ts_rank_cd) and SQLite (bm25).
"""

from __future__ import annotations

import pytest

from disclosure.search.selectors import SearchFilters, search_with_fallback
from tests.disclosure.publishing import COUNTY, Desk

CHENGGUAN, LIULIN, YANGZHUANG = "419901001", "419901002", "419901003"

# key: (organisation, node, record type, title, document number, body)
CORPUS = {
    "zs_decision": (COUNTY, "010205", "notice", "清河县人民政府关于老城区棚户区改造项目房屋征收决定的公告", "清政〔2026〕8号",
        "为了公共利益的需要，根据《国有土地上房屋征收与补偿条例》，县人民政府决定对老城区棚户区改造项目范围内的房屋实施征收。征收范围：东至人民路，西至建设路。签约期限为六十日。"),
    "zs_plan": (COUNTY, "010204", "policy", "老城区棚户区改造项目国有土地上房屋征收补偿方案", "清建〔2026〕3号",
        "被征收人可以选择货币补偿，也可以选择房屋产权调换。搬迁费按每平方米十五元计发，临时安置费按月发放。"),
    "zs_survey": (COUNTY, "010203", "result", "老城区棚户区改造项目房屋调查登记结果公示", "清建〔2026〕5号",
        "对项目范围内房屋的权属、区位、用途、建筑面积等情况进行了调查登记，现将结果予以公布。"),
    "pg_agency": (COUNTY, "010301", "notice", "关于选定老城区棚户区改造项目房地产价格评估机构的公告", "清建〔2026〕6号",
        "经多数被征收人协商选定，河南中原房地产估价有限公司承担本项目的价格评估工作。"),
    "pg_result": (COUNTY, "010302", "result", "老城区棚户区改造项目分户初步评估结果公示", "",
        "评估时点为征收决定公告之日，初步评估结果在项目现场公示七日。"),
    "bc_household": (COUNTY, "010401", "result", "老城区棚户区改造项目分户补偿情况公示", "",
        "被征收人姓名以编号代替，公示每户的房屋面积、补偿金额和安置方式。"),
    "bc_decision": (COUNTY, "010402", "notice", "关于对人民路12号房屋作出补偿决定的公告", "清政补〔2026〕1号",
        "因征收当事人在签约期限内达不成协议，县人民政府依法作出决定，被征收人对本决定不服的，可以依法申请行政复议。"),
    "law_national": (COUNTY, "010101", "regulation", "国有土地上房屋征收与补偿条例", "国务院令第590号",
        "第一条 为了规范国有土地上房屋征收与补偿活动，维护公共利益，保障被征收房屋所有权人的合法权益，制定本条例。"),
    "province_notice": (COUNTY, "020102", "policy", "河南省住房和城乡建设厅关于进一步规范公租房管理的通知", "豫建〔2024〕12号",
        "各省辖市住房城乡建设局：为加强公共租赁住房运营管理，现就有关事项通知如下。"),
    "bz_law": (COUNTY, "020101", "regulation", "公共租赁住房管理办法", "住房和城乡建设部令第11号",
        "为了加强对公共租赁住房的管理，完善住房保障制度，制定本办法。"),
    "bz_rules": (COUNTY, "020102", "normative", "清河县公共租赁住房管理实施细则", "清政办〔2025〕21号",
        "本细则适用于本县行政区域内政府投资建设的公共租赁住房的分配、运营、使用和退出。"),
    "bz_consult": (COUNTY, "020201", "notice", "关于《清河县保障性租赁住房管理办法（征求意见稿）》公开征求意见的公告", "",
        "社会公众可在三十日内通过信函、电子邮件等方式提出意见建议。"),
    "bz_plan": (COUNTY, "020302", "plan", "清河县2026年保障性安居工程年度计划", "",
        "2026年计划筹集保障性租赁住房八百套，改造老旧小区十二个。"),
    "bz_started": (COUNTY, "020402", "result", "2026年保障性住房开工项目清单", "",
        "列明项目名称、建设地点、建设规模和开工时间。"),
    "bz_completed": (COUNTY, "020403", "result", "2025年保障性住房竣工项目清单", "",
        "列明项目名称、建设单位和基本建成时间。"),
    "pz_qualify": (COUNTY, "020501", "result", "2026年第一批公租房承租资格审核结果公示", "",
        "经申请人申请、街道初审、县住建局复核，以下家庭符合承租条件。"),
    "pz_lottery": (COUNTY, "020502", "notice", "幸福家园公租房小区选房摇号公告", "",
        "摇号时间为三月十日上午九时，地点在县政务服务中心，公证人员现场监督。"),
    "pz_result": (COUNTY, "020503", "result", "2026年第一批公租房配租结果公示", "清建〔2026〕9号",
        "以下一百二十户家庭取得幸福家园小区房源，请于十五日内签订租赁合同。"),
    "pz_subsidy": (COUNTY, "020504", "result", "2026年第一季度住房租赁补贴发放情况公示", "",
        "本季度向三百一十二户家庭发放补贴共计四十六万元。"),
    "ph_rent": (COUNTY, "020601", "notice", "关于调整公租房租金标准的通知", "清发改价〔2026〕4号",
        "自七月一日起，公租房租金按每月每平方米五点二元执行。"),
    "ph_exit": (COUNTY, "020602", "result", "公租房使用与退出管理情况公示", "",
        "对违规转租、出借的承租家庭依法收回住房。"),
    "guide_gzf": (COUNTY, "020701", "service_guide", "公租房（实物配租／租赁补贴）申请办事指南", "",
        "申请对象为本县城镇中等偏下收入住房困难家庭。需提交身份证明、收入证明和住房情况证明。办理时限二十个工作日。"),
    "interp": (COUNTY, "020801", "interpretation", "《清河县公共租赁住房管理实施细则》政策解读", "",
        "一、起草背景；二、主要内容；三、适用范围。"),
    "concern": (COUNTY, "020901", "notice", "关于群众反映幸福家园小区电梯故障问题的回应", "",
        "县住建局已督促物业服务企业完成维修，并安排专业机构进行安全检测。"),
    "wf_plan": (COUNTY, "030101", "policy", "清河县2026年农村危房改造实施方案", "清建村〔2026〕2号",
        "改造对象为农村低收入群体等重点对象，年度任务六百户。"),
    "wf_grade": (COUNTY, "030201", "policy", "农村住房安全性鉴定技术导则", "",
        "鉴定结论分为A级、B级、C级、D级四个等级。"),
    "wf_condition": (COUNTY, "030202", "notice", "农村危房改造对象申请条件", "",
        "农村低保户、分散供养特困人员、低保边缘家庭和防止返贫监测对象。"),
    "wf_subsidy": (COUNTY, "030203", "policy", "清河县农村危房改造补助资金标准", "",
        "D级危房拆除重建每户补助二万元，C级危房维修加固每户补助一万元。"),
    "wf_done": (COUNTY, "030204", "policy", "农村危房改造竣工验收合格标准", "",
        "竣工后由乡镇组织验收，验收合格后拨付补助资金。"),
    "wf_procedure": (CHENGGUAN, "030301", "notice", "城关镇危改户认定程序", "",
        "农户申请、村级评议公示、乡镇审核、县级审批。"),
    "wf_liulin": (LIULIN, "030302", "result", "柳林镇2026年农村危房改造补助对象审核审批结果公示", "",
        "经村民评议、镇政府审核，拟确定以下二十户为补助对象。"),
    "wf_yangzhuang": (YANGZHUANG, "030302", "result", "杨庄乡2026年危改户认定结果公示", "",
        "经审核，拟确定以下十二户为本年度改造对象。"),
    "sz_road": (COUNTY, "040101", "service_guide", "占用、挖掘城市道路审批办事指南", "",
        "因工程建设需要挖掘城市道路的，应当持城市规划部门批准签发的文件到市政工程行政主管部门办理审批手续。"),
    "sz_pipeline": (COUNTY, "040102", "service_guide", "依附城市道路建设各种管线审批办事指南", "",
        "依附于城市道路建设各种管线、杆线等设施的，应当经市政工程行政主管部门批准。"),
    "sz_vehicle": (COUNTY, "040103", "service_guide", "特殊车辆在城市道路上行驶审批办事指南", "",
        "履带车、铁轮车或者超重、超高、超长车辆需在城市道路上行驶的，事先须征得市政工程行政主管部门同意。"),
    "gas_guide": (COUNTY, "040201", "service_guide", "燃气经营许可证核发办事指南", "",
        "从事燃气经营活动的企业，应当依法取得燃气经营许可证。"),
    "gas_license": (COUNTY, "040201", "licensing", "关于核发清河县华润燃气有限公司燃气经营许可证的公告", "清建燃许〔2026〕1号",
        "经审查，该公司符合燃气经营许可条件，准予核发许可证，有效期三年。"),
    "gas_facility": (COUNTY, "040202", "service_guide", "燃气经营者改动市政燃气设施审批办事指南", "",
        "改动市政燃气设施，应当制定改动方案，报县级以上燃气管理部门批准。"),
    "gas_code": (COUNTY, "040201", "notice", "关于执行《城镇燃气设计规范》GB50028-2006的通知", "",
        "各燃气经营企业应严格执行国家标准GB 50028-2006中关于管道敷设的规定。"),
    "heat_guide": (COUNTY, "040301", "service_guide", "供热经营许可备案办事指南", "",
        "从事供热经营的企业应当向县住建局备案。"),
    "heat_stop": (COUNTY, "040302", "notice", "关于2026年供热期结束暂停供热的审批公告", "",
        "经审核，同意各供热企业于三月十五日起暂停供热。"),
}

# (query, filters or None, the record that must come first)
EXPECTED = [
    ("征收决定", None, "zs_decision"),
    ("房屋征收决定公告", None, "zs_decision"),
    ("补偿方案", None, "zs_plan"),
    ("征收补偿方案", None, "zs_plan"),
    ("清建〔2026〕3号", None, "zs_plan"),
    ("调查登记", None, "zs_survey"),
    ("评估机构", None, "pg_agency"),
    ("分户初步评估", None, "pg_result"),
    ("分户补偿", None, "bc_household"),
    ("补偿决定", None, "bc_decision"),
    ("人民路12号", None, "bc_decision"),
    ("国务院令第590号", None, "law_national"),
    ("豫建〔2024〕12号", None, "province_notice"),
    ("豫建2024 12号", None, "province_notice"),
    ("公共租赁住房管理办法", None, "bz_law"),
    ("政策解读", None, "interp"),
    ("征求意见", None, "bz_consult"),
    ("安居工程年度计划", None, "bz_plan"),
    ("开工项目", None, "bz_started"),
    ("竣工项目清单", None, "bz_completed"),
    ("承租资格审核", None, "pz_qualify"),
    ("选房摇号", None, "pz_lottery"),
    ("配租结果", None, "pz_result"),
    ("公租房配租", None, "pz_result"),
    ("清建〔2026〕9号", None, "pz_result"),
    ("租赁补贴发放", None, "pz_subsidy"),
    ("租金标准", None, "ph_rent"),
    ("退出管理", None, "ph_exit"),
    ("公租房 申请 办事指南", None, "guide_gzf"),
    ("电梯故障", None, "concern"),
    ("农村危房改造实施方案", None, "wf_plan"),
    ("鉴定技术导则", None, "wf_grade"),
    ("危房改造 申请条件", None, "wf_condition"),
    ("补助资金标准", None, "wf_subsidy"),
    ("竣工验收", None, "wf_done"),
    ("危改户认定程序", None, "wf_procedure"),
    ("柳林镇 补助对象", None, "wf_liulin"),
    ("补助对象", SearchFilters(organisation=LIULIN), "wf_liulin"),
    ("危改户", SearchFilters(organisation=YANGZHUANG), "wf_yangzhuang"),
    ("挖掘城市道路", None, "sz_road"),
    ("特殊车辆", None, "sz_vehicle"),
    ("华润燃气", None, "gas_license"),
    ("清建燃许〔2026〕1号", None, "gas_license"),
    ("燃气经营许可证核发办事指南", None, "gas_guide"),
    ("燃气", SearchFilters(record_type="licensing"), "gas_license"),
    ("改动市政燃气设施", None, "gas_facility"),
    ("GB50028", None, "gas_code"),
    ("ＧＢ５００２８－２００６", None, "gas_code"),
    ("供热经营许可", None, "heat_guide"),
    ("暂停供热", None, "heat_stop"),
    ("公租房 收回", SearchFilters(nodes=("0206",)), "ph_exit"),
    ("公租房", SearchFilters(nodes=("020601",)), "ph_rent"),
]


@pytest.fixture
def corpus(standard_catalog, demo_orgs):
    desks = {code: Desk(demo_orgs[code]) for code in (COUNTY, CHENGGUAN, LIULIN, YANGZHUANG)}
    records = {}
    for key, (org, node, record_type, title, number, body) in CORPUS.items():
        records[key] = desks[org].publish(
            node, title=title, document_number=number, record_type=record_type, body=f"<p>{body}</p>"
        )
    return records


def test_the_relevance_set_is_large_and_covers_the_corpus():
    """At least 30 queries, each expecting a record of the corpus."""
    assert len(EXPECTED) >= 30
    assert {key for _query, _filters, key in EXPECTED} <= set(CORPUS)


@pytest.mark.django_db
def test_each_query_returns_its_record_first(corpus):
    """For every query of the set, the expected record is the first result (all failures listed at once)."""
    failures = []
    for query, filters, key in EXPECTED:
        documents, _exact = search_with_fallback(query, filters)  # what the search page does
        results = list(documents[:3])
        first = results[0].record_id if results else None
        if first != corpus[key].pk:
            failures.append(f"{query!r}: expected {key}, got {[d.title for d in results]}")
    assert not failures, "\n".join(failures)
