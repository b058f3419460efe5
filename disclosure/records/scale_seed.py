"""A synthetic province at scale for benchmarks: ``manage.py seed_scale``.

One province office, its cities, counties and townships (the shape of bench/completeness.py: 150
organisations are 1 + 9 + 35 + 105), and N records spread over the catalog columns that apply to
each organisation, with Chinese housing titles and bodies, publication dates over eight years, and a
share that must never reach the public (drafts, submitted, scheduled in the future, withdrawn,
依申请公开 and 不予公开) so that the public rule matters. Every public record gets its search
document, tokenised by disclosure/core/tokens.py exactly as ``search_index.build_document`` does it
(the tokens of the fixed vocabulary are memoised; a test compares them with ``build_document``).

Seeded organisations have codes starting with ``SEED_PREFIX``; ``--replace`` deletes them and
everything seeded under them. This is test data: it is written directly in its final state, without
audit entries, versions or reviews (nothing is written to the append-only log tables, whose triggers
are left alone).

PostgreSQL: records and search documents go through COPY (psycopg 3 ``cursor.copy``) in chunks, the
search documents' GIN index is dropped during the load and rebuilt once at the end (the vector
trigger stays: the database derives the vector from the tokens as for every other write). Other
databases: ``bulk_create``.
"""

from __future__ import annotations

import queue
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode, Method, Organisation, OrgLevel
from disclosure.core.tokens import document_tokens
from disclosure.records.metadata import DEFAULT_TOPIC
from disclosure.records.models import (
    IndexSequence,
    Openness,
    Record,
    RecordType,
    SearchDocument,
    Status,
    WithholdingGround,
)

SEED_PREFIX = "scale"
"""Codes of seeded organisations start with this (scale41, scale4101, scale410101, scale410101001)."""

YEARS = 8
CHUNK = 50_000

PLACES = [
    "老城区", "城关镇", "柳林镇", "杨庄乡", "人民路", "建设路", "幸福家园", "和谐小区", "东关", "西湖片区",
    "北城新区", "南关村", "火车站片区", "滨河路", "纺织厂家属院", "红旗街道", "新华街道", "李家庄", "王营村",
    "开发区", "工业园区", "文化路", "朝阳社区", "东风小区",
]
SUBJECTS = [
    "棚户区改造项目房屋征收决定", "国有土地上房屋征收补偿方案", "房屋征收调查登记结果", "房屋征收评估机构选定结果",
    "分户初步评估结果", "征收补偿分户情况", "公租房承租资格审核结果", "公租房选房摇号", "公租房配租结果",
    "住房租赁补贴发放情况", "公租房租金标准", "保障性安居工程年度计划", "保障性住房开工项目清单",
    "保障性租赁住房项目认定", "农村危房改造实施方案", "农村危房改造补助对象", "危房改造资金分配",
    "棚户区改造安置住房分配", "住房公积金缴存情况", "燃气经营许可证核发", "供热经营许可备案",
    "占用挖掘城市道路审批", "老旧小区改造计划", "物业服务投诉处理情况", "建筑工程施工许可", "商品房预售许可",
    "城镇住房保障家庭审核", "房屋安全鉴定结果",
]
FORMS = [
    "关于{p}{s}的公告", "{p}{s}公示", "关于公布{p}{s}的通知", "{year}年{p}{s}", "{p}{s}的说明",
    "关于{p}{s}的批复", "{year}年度{p}{s}公示",
]
SENTENCES = [
    "为了公共利益的需要，依法对项目范围内的房屋实施征收。", "被征收人可以选择货币补偿，也可以选择房屋产权调换。",
    "经申请人申请、街道初审、县住建局复核，以下家庭符合住房保障条件。", "摇号在公证人员现场监督下进行。",
    "D级危房拆除重建每户补助二万元，C级危房维修加固每户补助一万元。", "从事燃气经营活动的企业，应当依法取得许可证。",
    "公示期间如有异议，请向住房和城乡建设局反映。", "公示期为七个工作日。", "本通知自印发之日起施行。",
    "请各单位高度重视，认真组织实施，确保按期完成任务。", "对违规转租、出借的承租家庭依法收回住房。",
    "改造对象为农村低收入群体等重点对象。", "供热企业应保障供热质量，及时处理群众诉求。",
    "施工单位应设置明显标志和安全防围设施。", "租金按每月每平方米五点二元执行。",
    "棚户区改造坚持政府主导、市场运作、群众自愿的原则。", "征收补偿方案已经征求公众意见并修改完善。",
    "保障性住房优先保障城镇住房和收入困难家庭。", "房屋征收部门应当将补偿结果在征收范围内向被征收人公布。",
    "对符合条件的困难家庭给予住房租赁补贴。", "危房改造竣工后由乡镇组织验收。",
    "项目实施过程中接受社会监督。", "逾期未签订补偿协议的，依法作出补偿决定。",
]
KEYWORDS = ["", "", "", "征收 补偿", "保障性住房 公租房", "棚户区改造", "危房改造", "住房 租赁", "公示"]
NUMBER_PREFIXES = ["建", "住建", "房征", "建保"]
TOWNSHIP_SUBJECTS = SUBJECTS[14:18] + SUBJECTS[6:9]

# Share of each non-public case, the rest is published 主动公开 (about 88 %).
STATES = [
    ("draft", 0.03),
    ("submitted", 0.01),
    ("scheduled", 0.01),
    ("withdrawn", 0.03),
    ("on_application", 0.03),
    ("withheld", 0.01),
]


class SeedRefused(Exception):
    """The seed would touch data it must not; the message says why (Chinese, for the operator)."""


@dataclass
class SeedResult:
    organisations: int = 0
    records: int = 0
    public: int = 0
    documents: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


class Progress:
    """A plain progress bar on stderr (no dependency): ``label [#####.....] 42% 420000/1000000 12.3s``."""

    def __init__(self, label: str, total: int, stream=None, width: int = 30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.began = time.perf_counter()
        self._shown = -1

    def advance(self, count: int) -> None:
        self.done += count
        percent = self.done * 100 // self.total
        if percent != self._shown:
            self._shown = percent
            filled = self.width * self.done // self.total
            elapsed = time.perf_counter() - self.began
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
                f"{self.done}/{self.total} {elapsed:.1f}s"
            )
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


# --- organisations ----------------------------------------------------------------------------


def province_shape(count: int) -> tuple[int, int, int]:
    """(cities, counties, townships) under the province office for ``count`` organisations in all:
    150 gives 9, 35, 105 (bench/completeness.py's province)."""
    if count < 1:
        raise SeedRefused("单位数至少为 1。")
    rest = count - 1
    cities = min(rest, max(1, round(rest * 9 / 149))) if rest else 0
    counties = min(rest - cities, max(1, round(rest * 35 / 149))) if rest - cities > 0 else 0
    return cities, counties, rest - cities - counties


def _organisation_tree(count: int, prefix: str = SEED_PREFIX) -> tuple:
    """(code, name, level, children) nested tuples of the synthetic province, codes starting with ``prefix``."""
    cities, counties, townships = province_shape(count)
    city_nodes = [[f"{prefix}41{c + 1:02d}", f"造数市{c + 1}住房和城乡建设局", OrgLevel.CITY, []]
                  for c in range(cities)]
    county_nodes = []
    for k in range(counties):
        city = city_nodes[k % cities]
        node = [f"{city[0]}{len(city[3]) + 1:02d}", f"{city[1][:-8]}县{len(city[3]) + 1}住房和城乡建设局",
                OrgLevel.COUNTY, []]
        city[3].append(node)
        county_nodes.append(node)
    parents = county_nodes or city_nodes
    for t in range(townships):
        county = parents[t % len(parents)]
        n = len(county[3]) + 1
        county[3].append([f"{county[0]}{n:03d}", f"{county[1][:-8]}乡镇{n}人民政府", OrgLevel.TOWNSHIP, []])
    return (f"{prefix}41", "造数省住房和城乡建设厅", OrgLevel.PROVINCE, city_nodes)


def create_organisations(count: int, prefix: str = SEED_PREFIX) -> list[Organisation]:
    """Bulk-create the synthetic tree in a new mptt tree (nested-set fields computed here), province first.

    ``prefix`` starts every code (``bench/completeness.py`` uses its own, so that it can run on a
    database this command has seeded)."""
    tree_id = (Organisation.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    rows_by_depth: dict[int, list[tuple[Organisation, str | None]]] = {}
    counter = [0]

    def number(node, depth, parent_code, order):
        code, name, level, children = node
        counter[0] += 1
        org = Organisation(code=code, name=name, level=level, tree_id=tree_id, depth=depth, lft=counter[0],
                           sort_order=order, short_name=name[:50])
        for index, child in enumerate(children):
            number(child, depth + 1, code, index)
        counter[0] += 1
        org.rght = counter[0]
        rows_by_depth.setdefault(depth, []).append((org, parent_code))

    number(_organisation_tree(count, prefix), 0, None, 0)
    by_code: dict[str, Organisation] = {}
    for depth in sorted(rows_by_depth):
        rows = rows_by_depth[depth]
        for org, parent_code in rows:
            org.parent = by_code.get(parent_code)
        created = Organisation.objects.bulk_create([org for org, _ in rows])
        if created and created[0].pk is None:  # databases that return no ids
            created = list(Organisation.objects.filter(code__in=[org.code for org, _ in rows]))
        by_code.update({org.code: org for org in created})
    return sorted(by_code.values(), key=lambda org: org.lft)


def seeded_organisations():
    return Organisation.objects.filter(code__startswith=SEED_PREFIX)


# --- columns ----------------------------------------------------------------------------------


def columns_by_organisation(organisations: list[Organisation]) -> dict[int, list[CatalogNode]]:
    """For each organisation, the visible 主动公开 catalog leaves at level ≥ 2 that apply to it."""
    leaves: list[CatalogNode] = []

    def walk(node: CatalogNode) -> None:
        children = node.get_children()
        if node.level >= 2 and not children:
            leaves.append(node)
        for child in children:
            walk(child)

    for root in catalog_selectors.catalog_tree():
        walk(root)
    leaves = [node for node in leaves if node.method == Method.PROACTIVE and node.owner_id is None]
    levels = {node.pk: catalog_selectors.applicable_levels(node) for node in leaves}
    return {org.pk: [node for node in leaves if org.level in levels[node.pk]] for org in organisations}


# --- text -------------------------------------------------------------------------------------


@cache
def tokens(text: str) -> str:
    """``document_tokens`` memoised: the vocabulary is fixed, so most texts recur."""
    return document_tokens(text)


def _joined_tokens(parts: list[str]) -> str:
    """Tokens of texts joined by a separator that is no term (each part ends a run of its own)."""
    return " ".join(t for t in (tokens(part) for part in parts) if t)


@dataclass
class Row:
    pk: int
    organisation: Organisation
    node: CatalogNode
    title: str
    document_number: str
    keywords: str
    paragraphs: list[list[str]]
    record_type: str
    formed_on: date
    status: str
    openness: str
    withholding_ground: str
    index_number: str
    publish_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_notice: bool

    @property
    def body(self) -> str:
        return "".join(f"<p>{''.join(sentences)}</p>" for sentences in self.paragraphs)

    @property
    def body_text(self) -> str:
        """What ``search_index.body_text`` makes of ``body`` (no markup but the paragraphs)."""
        return " ".join("".join(sentences) for sentences in self.paragraphs)

    def is_public(self, now: datetime) -> bool:
        return (self.status == Status.PUBLISHED and self.openness == Openness.PROACTIVE
                and self.published_at <= now)

    def body_tokens(self) -> str:
        parts = [self.keywords] if self.keywords else []
        parts.extend(sentence for sentences in self.paragraphs for sentence in sentences)
        return _joined_tokens(parts)


def generate(organisations: list[Organisation], columns: dict[int, list[CatalogNode]], count: int,
             first_pk: int, now: datetime, seed: int = 20261206) -> Iterator[Row]:
    """``count`` rows in publication order (ids grow with time, as in a live database)."""
    rng = random.Random(seed)
    placed = [(org, node) for org in organisations for node in columns[org.pk]]
    if not placed:
        raise SeedRefused("目录中没有适用于造数单位的主动公开栏目，请先运行 load_catalog。")
    weights = [1 + (3 if org.level == OrgLevel.COUNTY else 0) for org, _ in placed]
    cumulative = []
    total = 0
    for weight in weights:
        total += weight
        cumulative.append(total)
    start = now - timedelta(days=YEARS * 365)
    span = (now - start).total_seconds() - 3600
    serials: dict[tuple[int, int], int] = {}
    thresholds = []
    acc = 0.0
    for state, share in STATES:
        acc += share
        thresholds.append((acc, state))
    record_types = RecordType.values
    tz = timezone.get_current_timezone()
    for n in range(count):
        org, node = placed[n] if n < len(placed) else rng.choices(placed, cum_weights=cumulative)[0]
        moment = (start + timedelta(seconds=span * (n + rng.random()) / count)).astimezone(tz)
        year = moment.year
        subjects = TOWNSHIP_SUBJECTS if org.level == OrgLevel.TOWNSHIP else SUBJECTS
        title = rng.choice(FORMS).format(p=rng.choice(PLACES), s=rng.choice(subjects), year=year)
        number = ""
        if n % 3 == 0:
            number = f"{org.name[:2]}{rng.choice(NUMBER_PREFIXES)}〔{year}〕{rng.randint(1, 150)}号"
        paragraphs = [[rng.choice(SENTENCES) for _ in range(rng.randint(1, 4))] for _ in range(rng.randint(1, 3))]
        draw = rng.random()
        state = next((name for limit, name in thresholds if draw < limit), "published")
        status, openness, ground = Status.PUBLISHED, Openness.PROACTIVE, ""
        published_at = publish_at = withdrawn_at = None
        notice = False
        index_number = ""
        if state in ("published", "withdrawn"):
            published_at = moment
            key = (org.pk, year)
            serials[key] = serials.get(key, 0) + 1
            index_number = f"{org.code}/{year}-{serials[key]:05d}"
            if state == "withdrawn":
                status = Status.WITHDRAWN
                withdrawn_at = min(now, moment + timedelta(days=rng.randint(1, 60)))
                notice = rng.random() < 0.5
        elif state == "scheduled":
            status = Status.SCHEDULED
            publish_at = now + timedelta(days=rng.randint(1, 30))
        elif state in ("draft", "submitted"):
            status = Status.DRAFT if state == "draft" else Status.SUBMITTED
        else:
            status = Status.APPROVED
            openness = Openness.ON_APPLICATION if state == "on_application" else Openness.WITHHELD
            ground = WithholdingGround.PROCESS if state == "on_application" else WithholdingGround.THIRD_PARTY
        yield Row(
            pk=first_pk + n, organisation=org, node=node, title=title, document_number=number,
            keywords=rng.choice(KEYWORDS), paragraphs=paragraphs, record_type=rng.choice(record_types),
            formed_on=moment.date() - timedelta(days=rng.randint(0, 25)), status=status, openness=openness,
            withholding_ground=ground, index_number=index_number, publish_at=publish_at,
            published_at=published_at, withdrawn_at=withdrawn_at, withdrawal_notice=notice,
        )


# --- rows for the database ----------------------------------------------------------------------


class _Columns:
    """A model's concrete columns, with our values where we have them and each field's default else
    (so that a column another migration adds is filled as Django would fill it)."""

    def __init__(self, model, skip=()):
        self.fields = [f for f in model._meta.concrete_fields if f.column not in skip]
        self.names = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default() or not f.null:
                value = f.get_default()
                self.defaults[f.attname] = f.get_db_prep_save(value, connection) if value is not None else value
            else:
                self.defaults[f.attname] = None

    def row(self, values: dict) -> tuple:
        return tuple(values[f.attname] if f.attname in values else self.defaults[f.attname] for f in self.fields)


def record_values(row: Row, now: datetime) -> dict:
    created = row.published_at or (now - timedelta(days=1))
    return {
        "id": row.pk, "created_at": created, "updated_at": row.withdrawn_at or created,
        "organisation_id": row.organisation.pk, "node_id": row.node.pk, "title": row.title,
        "document_number": row.document_number, "issuing_body": row.organisation.name,
        "formed_on": row.formed_on, "record_type": row.record_type, "topic": DEFAULT_TOPIC,
        "keywords": row.keywords, "openness": row.openness, "withholding_ground": row.withholding_ground,
        "body": row.body, "status": row.status, "index_number": row.index_number,
        "publish_at": row.publish_at, "published_at": row.published_at, "withdrawn_at": row.withdrawn_at,
        "withdrawal_notice": row.withdrawal_notice,
    }


def document_values(row: Row, now: datetime) -> dict:
    tz = timezone.get_current_timezone()
    return {
        "record_id": row.pk, "organisation_id": row.organisation.pk, "node_id": row.node.pk,
        "year": row.published_at.astimezone(tz).year, "record_type": row.record_type,
        "published_at": row.published_at, "title": row.title, "document_number": row.document_number,
        "body_text": row.body_text, "attachment_text": None, "title_tokens": tokens(row.title),
        "number_tokens": tokens(row.document_number), "body_tokens": row.body_tokens(), "indexed_at": now,
    }


# --- the seed -----------------------------------------------------------------------------------


def _real_published() -> int:
    return (Record.objects.filter(status=Status.PUBLISHED).exclude(organisation__code__startswith=SEED_PREFIX)
            .count())


def delete_seeded() -> int:
    """Delete the seeded organisations and everything seeded under them; returns the records deleted."""
    org_ids = list(seeded_organisations().values_list("pk", flat=True))
    if not org_ids:
        return 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(org_ids))
            # Log entries stay (append-only); their links are set to NULL as Django's SET_NULL would do.
            for table in ("disclosure_auditentry",):
                cursor.execute(f"UPDATE {table} SET record_id = NULL WHERE record_id IN "
                               f"(SELECT id FROM disclosure_record WHERE organisation_id IN ({marks}))", org_ids)
                cursor.execute(f"UPDATE {table} SET organisation_id = NULL WHERE organisation_id IN ({marks})", org_ids)
            cursor.execute(f"DELETE FROM disclosure_searchdocument WHERE organisation_id IN ({marks})", org_ids)
            cursor.execute(f"DELETE FROM disclosure_record WHERE organisation_id IN ({marks})", org_ids)
            deleted = cursor.rowcount
            IndexSequence.objects.filter(organisation_id__in=org_ids).delete()
            # Whatever else points at them (settings, accounts) goes through Django's deletion; leaves
            # first (``parent`` is protected). The tree is a tree of its own: no other tree to renumber.
            seeded = Organisation.objects.filter(pk__in=org_ids)
            for depth in sorted(set(seeded.values_list("depth", flat=True)), reverse=True):
                seeded.filter(depth=depth).delete()
    except IntegrityError as error:
        # The append-only log refuses to lose what staff did to seeded records (versions, reviews).
        raise SeedRefused(f"上次造数的数据已有审核或版本记录，日志不允许删除，无法 --replace：{error}；请另建数据库再造数。") from error
    return deleted


def seed_scale(*, organisations: int = 150, records: int = 1_000_000, replace: bool = False,
               force: bool = False, stream=None, seed: int = 20261206, workers: int = 2) -> SeedResult:
    """Seed the synthetic province (see module doc). Raises SeedRefused with the reason in Chinese.

    On PostgreSQL outside a transaction, the search documents are written by ``workers`` extra
    connections while this one writes the records (see ``_parallel_copy``); inside a transaction (the
    tests), or with ``workers=0``, everything is written in that one transaction."""
    stream = stream if stream is not None else sys.stderr
    began = time.perf_counter()
    result = SeedResult()
    if not CatalogNode.objects.exists():
        raise SeedRefused("数据库中没有公开目录，请先运行 manage.py load_catalog。")
    if not force:
        real = _real_published()
        if real:
            raise SeedRefused(f"数据库中已有 {real} 条非造数的已发布信息；造数只用于测试库。确需在此库造数请加 --force。")
    if seeded_organisations().exists():
        if not replace:
            raise SeedRefused(f"数据库中已有造数单位（编码以 {SEED_PREFIX} 开头）；加 --replace 先删除再造数。")
        step = time.perf_counter()
        deleted = delete_seeded()
        result.timings["delete"] = time.perf_counter() - step
        stream.write(f"已删除上次造数的 {deleted} 条信息。\n")
    now = timezone.now()
    if connection.vendor == "postgresql" and not connection.in_atomic_block and workers > 0:
        _parallel_copy(organisations, records, seed, now, result, stream, workers)
    else:
        with transaction.atomic():
            orgs = create_organisations(organisations)
            result.organisations = len(orgs)
            columns = columns_by_organisation(orgs)
            first_pk = (Record.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            rows = generate(orgs, columns, records, first_pk, now, seed)
            writer = _copy_writer if connection.vendor == "postgresql" else _bulk_writer
            serials = writer(rows, records, now, result, stream)
            _save_sequences(serials)
    step = time.perf_counter()
    _analyze()
    result.timings["analyze"] = time.perf_counter() - step
    result.seconds = time.perf_counter() - began
    return result


def _save_sequences(serials: dict) -> None:
    """Index-number sequences past the seeded serials, so that publishing later never reuses one."""
    IndexSequence.objects.bulk_create(
        [IndexSequence(organisation_id=org_id, year=year, last_serial=last)
         for (org_id, year), last in sorted(serials.items())]
    )


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _serials(chunk: list[Row], serials: dict) -> None:
    for row in chunk:
        if row.index_number:
            key = (row.organisation.pk, row.published_at.astimezone(timezone.get_current_timezone()).year)
            serials[key] = max(serials.get(key, 0), int(row.index_number.rsplit("-", 1)[1]))


def _copy_writer(rows: Iterator[Row], total: int, now: datetime, result: SeedResult, stream) -> dict:
    record_columns = _Columns(Record)
    document_columns = _Columns(SearchDocument, skip={"vector"})
    serials: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # One GIN build at the end is several times faster than a million insertions into it.
        cursor.execute("DROP INDEX IF EXISTS searchdoc_vector_gin")
        raw = cursor.cursor
        bar = Progress("造数（记录与检索文档）", total, stream)
        for chunk in _chunks(rows, CHUNK):
            with raw.copy(f"COPY disclosure_record ({', '.join(record_columns.names)}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(record_columns.row(record_values(row, now)))
            public = [row for row in chunk if row.is_public(now)]
            with raw.copy(
                f"COPY disclosure_searchdocument ({', '.join(document_columns.names)}) FROM STDIN"
            ) as copy:
                for row in public:
                    copy.write_row(document_columns.row(document_values(row, now)))
            _serials(chunk, serials)
            result.records += len(chunk)
            result.public += len(public)
            result.documents += len(public)
            bar.advance(len(chunk))
        bar.close()
        result.timings["copy"] = time.perf_counter() - bar.began
        step = time.perf_counter()
        stream.write("检查外键并重建检索索引（GIN）……\n")
        stream.flush()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, before the DDL
        cursor.execute("CREATE INDEX searchdoc_vector_gin ON disclosure_searchdocument USING gin (vector)")
        result.timings["gin"] = time.perf_counter() - step
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('disclosure_record', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM disclosure_record))"
        )
    return serials


def _bulk_writer(rows: Iterator[Row], total: int, now: datetime, result: SeedResult, stream) -> dict:
    serials: dict = {}
    bar = Progress("造数（记录与检索文档）", total, stream)
    for chunk in _chunks(rows, 2000):
        Record.objects.bulk_create([Record(**record_values(row, now)) for row in chunk], batch_size=500)
        public = [row for row in chunk if row.is_public(now)]
        documents = [SearchDocument(**document_values(row, now)) for row in public]
        SearchDocument.objects.bulk_create(documents, batch_size=500)
        _serials(chunk, serials)
        result.records += len(chunk)
        result.public += len(public)
        result.documents += len(public)
        bar.advance(len(chunk))
    bar.close()
    result.timings["insert"] = time.perf_counter() - bar.began
    return serials


def _analyze() -> None:
    """Planner statistics for the fresh rows, and on PostgreSQL the visibility map too: what autovacuum
    would do soon after a bulk load. Without the map an index-only scan (the reports' partial indexes)
    reads every row from the table again (completeness at 1M: 1.4 s unvacuumed, 0.7 s vacuumed, on a
    server with autovacuum off). VACUUM cannot run in a transaction: there (tests) only ANALYZE."""
    tables = ["disclosure_record", "disclosure_searchdocument", "catalog_organisation", "disclosure_indexsequence"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} " + ", ".join(tables))
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")



# --- PostgreSQL, in parallel --------------------------------------------------------------------
#
# Deriving each document's tsvector (the table's trigger) is most of the database's work, and one
# backend does it on one core. So this connection commits the organisations, then writes the records
# in one transaction while ``workers`` other connections, each in a transaction of its own, write the
# search documents of the chunks handed to them. Their foreign keys are checked (deferred) only after
# the records' transaction has committed. The GIN index is dropped for the load and built once at the
# end (in ``finally``: it is rebuilt even when the seed fails). Not atomic as a whole: after a failure,
# rerun with --replace.

_ABORT = object()


def _document_worker(params: dict, sql: str, jobs: queue.Queue, records_committed: threading.Event,
                     errors: list) -> None:
    import psycopg

    try:
        with psycopg.connect(**params) as conn:  # one transaction, committed when the block ends
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute("SET LOCAL statement_timeout = 0")
            cursor = conn.cursor()
            while True:
                job = jobs.get()
                if job is None:
                    break
                if job is _ABORT:
                    raise SeedRefused("造数中止。")
                with cursor.copy(sql) as copy:
                    for values in job:
                        copy.write_row(values)
            while not records_committed.wait(1):
                if errors:
                    raise SeedRefused("造数中止。")
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except Exception as error:  # reported by the main thread
        errors.append(error)


def _put(jobs: queue.Queue, job, errors: list) -> None:
    while True:
        if errors:
            raise errors[0]
        try:
            jobs.put(job, timeout=1)
            return
        except queue.Full:
            continue


def _parallel_copy(organisations: int, total: int, seed: int, now: datetime, result: SeedResult, stream,
                   workers: int) -> None:
    with transaction.atomic():
        orgs = create_organisations(organisations)
        columns = columns_by_organisation(orgs)
    result.organisations = len(orgs)
    record_columns = _Columns(Record)
    document_columns = _Columns(SearchDocument, skip={"vector"})
    document_sql = f"COPY disclosure_searchdocument ({', '.join(document_columns.names)}) FROM STDIN"
    params = connection.get_connection_params()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("DROP INDEX IF EXISTS searchdoc_vector_gin")
    jobs: queue.Queue = queue.Queue(maxsize=2 * workers)
    records_committed = threading.Event()
    errors: list = []
    threads = [
        threading.Thread(target=_document_worker, args=(params, document_sql, jobs, records_committed, errors),
                         daemon=True)
        for _ in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                first_pk = (Record.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
                serials: dict = {}
                bar = Progress("造数（记录与检索文档）", total, stream)
                record_sql = f"COPY disclosure_record ({', '.join(record_columns.names)}) FROM STDIN"
                for chunk in _chunks(generate(orgs, columns, total, first_pk, now, seed), CHUNK):
                    with cursor.cursor.copy(record_sql) as copy:
                        for row in chunk:
                            copy.write_row(record_columns.row(record_values(row, now)))
                    public = [row for row in chunk if row.is_public(now)]
                    _put(jobs, [document_columns.row(document_values(row, now)) for row in public], errors)
                    _serials(chunk, serials)
                    result.records += len(chunk)
                    result.public += len(public)
                    result.documents += len(public)
                    bar.advance(len(chunk))
                _save_sequences(serials)
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('disclosure_record', 'id'), "
                    "(SELECT coalesce(max(id), 1) FROM disclosure_record))"
                )
        except BaseException:
            for _ in threads:
                jobs.put(_ABORT)
            raise
        records_committed.set()
        for _ in threads:
            _put(jobs, None, errors)
        for thread in threads:
            thread.join()
        bar.close()
        result.timings["copy"] = time.perf_counter() - bar.began
        if errors:
            raise errors[0]
    finally:
        step = time.perf_counter()
        stream.write("重建检索索引（GIN）……\n")
        stream.flush()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS searchdoc_vector_gin ON disclosure_searchdocument USING gin (vector)"
            )
        result.timings["gin"] = time.perf_counter() - step
