"""Demo content for `seed_demo`: a policy published together with its interpretation (同步), and a
second policy waiting for its interpretation's review.

Everything is made through the services by the demo accounts, so audit logs, reviews and index
numbers are real.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.demo import DEMO_COUNTY
from catalog.models import CatalogNode, Organisation
from disclosure.interpretations.services import interpretation_link
from disclosure.records import services
from disclosure.records.demo import review_through_chain
from disclosure.records.models import Interpretation, InterpretationForm, RecordType

POLICY_NODE = "020102"  # 保障性住房 › 法规政策 › 政策文件
INTERPRETATION_NODE = "020801"  # 保障性住房 › 政策解读
POLICY = "清河县公共租赁住房保障对象准入和退出管理办法"
PENDING_POLICY = "清河县住房租赁补贴发放管理办法"


def _record(editor, county, node, **fields):
    base = {
        "issuing_body": "清河县住房和城乡建设局",
        "formed_on": timezone.localdate(),
        "written_on": timezone.localdate(),
        "openness": "proactive",
    }
    base.update(fields)
    return services.record_create(user=editor, organisation=county, node=node, **base)


def _approve(reviewer, editor, record):
    services.record_submit(user=editor, record=record)
    # Through the county's review chain, by its demo reviewers (``reviewer`` does the first step).
    return review_through_chain(record)


def _interpretation_pair(county, editor, reviewer) -> int:
    """A policy that needs interpretation, published together with its Q&A interpretation; and a second
    policy waiting for its interpretation's review (it cannot be published before)."""
    nodes = {n.code: n for n in CatalogNode.objects.filter(code__in=[POLICY_NODE, INTERPRETATION_NODE])}
    if len(nodes) < 2:
        return 0
    policy = _record(
        editor, county, nodes[POLICY_NODE],
        title=POLICY,
        record_type=RecordType.NORMATIVE,
        needs_interpretation=True,
        document_number="清建规〔2026〕2号",
        summary="规定公共租赁住房保障对象的准入条件、审核程序和退出情形。",
        body="<p>第一条 为规范公共租赁住房保障对象准入和退出管理，制定本办法。</p>"
        "<p>第二条 申请公共租赁住房的家庭，人均住房面积低于15平方米，且家庭收入低于规定标准。</p>"
        "<p>第三条 保障对象家庭收入、住房状况发生变化不再符合条件的，应当在6个月内退出。</p>",
    )
    interpretation = _record(
        editor, county, nodes[INTERPRETATION_NODE],
        title=f"《{POLICY}》政策问答",
        record_type=RecordType.INTERPRETATION,
        summary="就准入条件、审核程序和退出情形答群众问。",
        body="<h3>问：谁可以申请公共租赁住房？</h3><p>答：人均住房面积低于15平方米、收入低于标准的城镇家庭，以及符合条件的新就业职工和外来务工人员。</p>"
        "<h3>问：不再符合条件怎么办？</h3><p>答：应在6个月内退出，过渡期内按市场租金计收。</p>",
    )
    interpretation_link(user=editor, interpretation=interpretation, policy=policy, form=InterpretationForm.QA)
    _approve(reviewer, editor, policy)
    _approve(reviewer, editor, interpretation)
    services.record_publish(user=reviewer, record=policy)  # publishes the interpretation with it

    pending = _record(
        editor, county, nodes[POLICY_NODE],
        title=PENDING_POLICY,
        record_type=RecordType.NORMATIVE,
        needs_interpretation=True,
        document_number="清建规〔2026〕3号",
        body="<p>第一条 为规范住房租赁补贴发放，制定本办法。</p>",
    )
    _approve(reviewer, editor, pending)
    graphic = _record(
        editor, county, nodes[INTERPRETATION_NODE],
        title=f"图解：《{PENDING_POLICY}》",
        record_type=RecordType.INTERPRETATION,
        body="<p>一图读懂住房租赁补贴：谁能领、领多少、怎么领。</p>",
    )
    interpretation_link(user=editor, interpretation=graphic, policy=pending, form=InterpretationForm.GRAPHIC)
    services.record_submit(user=editor, record=graphic)
    return 2


def ensure_demo_interpretations() -> int:
    """Create the demo policy-and-interpretation pairs; returns how many were made (0 when they exist).

    Needs the standard catalog, the demo organisations and accounts.
    """
    county = Organisation.objects.filter(code=DEMO_COUNTY).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["editor", "reviewer"])}
    editor, reviewer = users.get("editor"), users.get("reviewer")
    if county is None or editor is None or reviewer is None:
        return 0
    if Interpretation.objects.filter(record__organisation=county).exists():
        return 0
    return _interpretation_pair(county, editor, reviewer)
