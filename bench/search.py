"""Search benchmark: 100,000 public records' search documents in the current database, then latency.

    python bench/run.py search        (BENCH_RECORDS=100000, BENCH_SEARCH_REPEAT=15)
    BENCH_RECORDS=0 python bench/run.py search     (the documents already there, e.g. a seed_scale copy)

Works on the database that DATABASE_URL names (the embedded SQLite one by default). Everything it writes — synthetic records of the demo organisations and their search
documents, bulk-inserted — is written in ONE transaction that is rolled back at the end, so the
database is left as it was. The records are inserted directly in the published state: they are
throw-away measurement data, not information anyone published, and never committed.

Printed: build time, the query plans of a rare and a common search, then for each query the median
and 95th percentile of a full results page (count, first 20 results with snippets, facets), the median
and 95th percentile over all queries and repetitions, and for the common two-character words (征收,
补偿, 住房, 公示; target at 1M records: p95 ≤ 50 ms) the same against a naive ``icontains`` search of
the records (count + first 20, newest first) on the same data, with the ratio (target ≥ 20×).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.demo import ensure_demo_organisations
from catalog.models import CatalogNode
from catalog.services import catalog_load_standard
from disclosure.records.models import Openness, Record, RecordType, SearchDocument, Status
from disclosure.records.search_index import build_document
from disclosure.records.selectors import public_records
from disclosure.search import insights
from disclosure.search.highlight import highlight, snippet
from disclosure.search.selectors import SearchFilters, search_public_records

RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
REPEAT = int(os.environ.get("BENCH_SEARCH_REPEAT", "15"))

PLACES = ["老城区", "城关镇", "柳林镇", "杨庄乡", "人民路", "建设路", "幸福家园", "和谐小区", "东关", "西湖片区", "北城新区"]
SUBJECTS = [
    "棚户区改造项目房屋征收决定", "房屋征收补偿方案", "房屋调查登记结果", "评估机构选定", "分户初步评估结果",
    "分户补偿情况", "公租房承租资格审核结果", "公租房选房摇号", "公租房配租结果", "住房租赁补贴发放情况",
    "公租房租金标准", "保障性安居工程年度计划", "保障性住房开工项目清单", "农村危房改造实施方案",
    "农村危房改造补助对象", "危改户认定结果", "燃气经营许可证核发", "供热经营许可备案", "占用挖掘城市道路审批",
    "特殊车辆通行审批", "老旧小区改造计划", "物业服务投诉处理情况",
]
FORMS = ["关于{p}{s}的公告", "{p}{s}公示", "关于公布{p}{s}的通知", "{year}年{p}{s}", "{p}{s}的说明"]
SENTENCES = [
    "为了公共利益的需要，依法对项目范围内的房屋实施征收。", "被征收人可以选择货币补偿，也可以选择房屋产权调换。",
    "经申请人申请、街道初审、县住建局复核，以下家庭符合条件。", "摇号在公证人员现场监督下进行。",
    "D级危房拆除重建每户补助二万元，C级危房维修加固每户补助一万元。", "从事燃气经营活动的企业，应当依法取得许可证。",
    "公示期间如有异议，请向县住房和城乡建设局反映。", "联系电话：0370-1234567。", "本通知自印发之日起施行。",
    "请各单位高度重视，认真组织实施，确保按期完成任务。", "对违规转租、出借的承租家庭依法收回住房。",
    "改造对象为农村低收入群体等重点对象。", "供热企业应保障供热质量，及时处理群众诉求。",
    "施工单位应设置明显标志和安全防围设施。", "租金按每月每平方米五点二元执行。",
]
COMMON = ["征收", "补偿", "住房", "公示"]
ICONTAINS_REPEAT = int(os.environ.get("BENCH_ICONTAINS_REPEAT", "3"))
QUERIES = [
    *((word, None) for word in COMMON),
    ("公租", None),
    ("公租房配租结果", None),
    ("农村危房改造补助对象", None),
    ("燃气经营许可证", None),
    ("豫建〔2024〕12号", None),
    ("清建〔2025〕37号", None),
    ("幸福家园 摇号", None),
    ("危房", SearchFilters(organisation="419901001")),
    ("补偿方案", SearchFilters(nodes=("01",))),
    ("配租", SearchFilters(year=timezone.localdate().year, record_type=RecordType.RESULT)),
]


def prepare_catalog():
    if not CatalogNode.objects.exists():
        catalog_load_standard()
    return ensure_demo_organisations()


def synthetic_records(count: int, organisations, nodes, rng: random.Random):
    """Records as a bureau's archive would hold them, spread over organisations, items and years."""
    now = timezone.now()
    for n in range(count):
        organisation = organisations[n % len(organisations)]
        published = now - timedelta(days=rng.randint(0, 8 * 365), minutes=n)
        year = timezone.localtime(published).year
        title = rng.choice(FORMS).format(p=rng.choice(PLACES), s=rng.choice(SUBJECTS), year=year)
        body = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(4, 12)))
        prefix = rng.choice(["清建", "豫建", "清政", "清建村"])
        yield Record(
            organisation=organisation,
            node=rng.choice(nodes),
            title=title,
            document_number=f"{prefix}〔{year}〕{rng.randint(1, 120)}号" if n % 3 else "",
            issuing_body=organisation.name,
            formed_on=timezone.localtime(published).date(),
            record_type=rng.choice(RecordType.values),
            openness=Openness.PROACTIVE,
            body=f"<p>{body}</p>",
            status=Status.PUBLISHED,
            published_at=published,
            index_number=f"{organisation.code}/BENCH-{n:07d}",
        )


def build(count: int, batch: int = 5000) -> float:
    rng = random.Random(20260301)
    orgs = prepare_catalog()
    organisations = [orgs[code] for code in ("419901", "419901001", "419901002", "419901003")]
    nodes = list(CatalogNode.objects.filter(level=2))
    started = time.perf_counter()
    pending: list[Record] = []

    def flush():
        created = Record.objects.bulk_create(pending)
        SearchDocument.objects.bulk_create([build_document(record) for record in created])
        pending.clear()

    for record in synthetic_records(count, organisations, nodes, rng):
        pending.append(record)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does in a live database: move new entries out of the GIN pending list.
            cursor.execute("SELECT gin_clean_pending_list('searchdoc_vector_gin'::regclass)")
            cursor.execute("ANALYZE disclosure_searchdocument")
            cursor.execute("ANALYZE disclosure_record")
        else:
            cursor.execute("INSERT INTO disclosure_searchfts(disclosure_searchfts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def results_page(query: str, filters, tree) -> int:
    """What the search page does: count, first page, highlighted titles and snippets, facets."""
    documents = search_public_records(query, filters, tree=tree)
    total = documents.count()
    for document in documents[:20]:
        highlight(document.title, query)
        snippet(document.body_text, query)
    if total:
        insights.facets(documents, tree, selected={})
    return total


def icontains_page(word: str) -> int:
    """A naive search on the same data: public records whose title or body contains the word."""
    records = public_records().filter(Q(title__icontains=word) | Q(body__icontains=word))
    total = records.count()
    list(records.order_by("-published_at", "-id").only("title")[:20])
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, *args, repeat: int) -> tuple[list[float], int]:
    runs, result = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        runs.append((time.perf_counter() - started) * 1000)
    return runs, result


def measure() -> None:
    tree = catalog_selectors.catalog_tree()
    print(f"检索文档 {SearchDocument.objects.count()} 条", flush=True)
    for word in ("征收补偿方案", "征收"):
        print(f"查询计划（{word}：找出最新的候选文档）：")
        print(search_public_records(word).explain())
    timings: list[float] = []
    common: dict[str, list[float]] = {}
    print(f"{'查询':<24}{'命中':>8}{'中位数(ms)':>12}{'p95(ms)':>10}")
    for query, filters in QUERIES:
        results_page(query, filters, tree)  # warm-up
        runs, total = timed(results_page, query, filters, tree, repeat=REPEAT)
        timings.extend(runs)
        if filters is None and query in COMMON:
            common[query] = runs
        label = query + ("（筛选）" if filters else "")
        shown = f"{total}+" if total >= 1000 else str(total)
        print(f"{label:<24}{shown:>8}{statistics.median(runs):>12.1f}{percentile(runs, 0.95):>10.1f}", flush=True)
    print(
        f"全部 {len(timings)} 次：中位数 {statistics.median(timings):.1f} ms，"
        f"p95 {percentile(timings, 0.95):.1f} ms"
    )
    all_common = [t for runs in common.values() for t in runs]
    print(
        f"常用两字词（{'、'.join(COMMON)}）{len(all_common)} 次：中位数 {statistics.median(all_common):.1f} ms，"
        f"p95 {percentile(all_common, 0.95):.1f} ms（目标：百万条时 p95 ≤ 50 ms）"
    )
    print(f"{'icontains 对照':<24}{'命中':>8}{'中位数(ms)':>12}{'倍数':>10}")
    ratios = []
    for word in COMMON:
        runs, total = timed(icontains_page, word, repeat=ICONTAINS_REPEAT)
        ratio = statistics.median(runs) / statistics.median(common[word])
        ratios.append(ratio)
        print(f"{word:<24}{total:>8}{statistics.median(runs):>12.1f}{ratio:>9.1f}×", flush=True)
    print(f"全文检索比 icontains 快 {min(ratios):.1f}–{max(ratios):.1f} 倍（目标 ≥ 20 倍）")


def main() -> None:
    if RECORDS == 0:
        print(f"数据库：{connection.vendor}；使用库中已有的检索文档（BENCH_RECORDS=0）", flush=True)
        measure()
        return
    print(f"数据库：{connection.vendor}；构建 {RECORDS} 条公开信息的检索文档……", flush=True)
    with transaction.atomic():
        seconds = build(RECORDS)
        print(f"构建用时 {seconds:.1f} 秒", flush=True)
        measure()
        transaction.set_rollback(True)  # leave the database as it was
