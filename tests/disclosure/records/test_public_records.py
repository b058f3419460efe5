"""Public side of records: column lists, counts, home lists, record pages, attachment downloads.

Records are made through disclosure.records.services by a real editor and a real reviewer, so every state in
these tests is one the workflow can actually reach.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.core.access import Role
from disclosure.records import services
from disclosure.records.models import (
    Attachment,
    Openness,
    Record,
    RecordType,
    Status,
    Validity,
    WithholdingGround,
)
from tests.disclosure.publishing import PROACTIVE_STATES, WITHHELD_STATES, bring_to
from tests.factories import make_staff, record_fields

COUNTY = "419901"
TOWNSHIP = "419901001"
CLOSED_TOWNSHIP = "419901002"  # deactivated in the no-leak world
SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE_MARKER = re.compile(r"【([a-z_]+)】")
BODY_MARKER = re.compile(r"〖([a-z_]+)〗")
NEVER_EXISTED = "2099-99999"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attachments of these tests are stored in a temporary directory, never in the shared var dir."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + content + b"\n%%EOF\n", content_type="application/pdf")


class Desk:
    """An editor and a reviewer of one organisation, moving records through the real services."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.editor = make_staff(organisation, Role.EDITOR)
        self.reviewer = make_staff(organisation, Role.REVIEWER)

    def draft(self, node: CatalogNode, key: str, *, attachment: bytes | None = None, **fields) -> Record:
        """A draft titled with 【key】, its body marked 〖key〗, with one PDF attachment."""
        values = record_fields(title=f"关于测试事项的公告【{key}】", body=f"<p>正文内容〖{key}〗</p>")
        values.update(fields)
        record = services.record_create(
            user=self.editor, organisation=self.organisation, node=node, **values
        )
        services.attachment_add(
            user=self.editor,
            record=record,
            upload=pdf_upload(f"附件-{key}.pdf", attachment or f"FILE-{key}".encode()),
        )
        return record

    def submit(self, record):
        return services.record_submit(user=self.editor, record=record)

    def approve(self, record):
        return services.record_approve(
            user=self.reviewer, record=record, confidentiality_checked=True, openness_checked=True
        )

    def publish(self, record, publish_at=None):
        return services.record_publish(user=self.reviewer, record=record, publish_at=publish_at)

    def bring_to(self, record: Record, state: str) -> Record:
        return bring_to(record, state, editor=self.editor, reviewer=self.reviewer)

    def make(self, node, key, state, **fields) -> Record:
        return self.bring_to(self.draft(node, key, **fields), state)

    def revise(self, original: Record, key: str) -> Record:
        """Revise a published record, retitle the revision with 【key】 and publish it."""
        revision = services.record_revise(user=self.editor, record=original)
        revision = services.record_update(
            user=self.editor,
            record=revision,
            title=f"关于测试事项的公告（修订）【{key}】",
            body=f"<p>修订后的正文〖{key}〗</p>",
        )
        return self.publish(self.approve(self.submit(revision)))


def node(code: str) -> CatalogNode:
    return CatalogNode.objects.get(code=code)


def fetch(client, url):
    """Status and body of a GET. The page shell repeats the request path (in the text-size link), so
    the path is blanked out: two answers that differ only in their address compare equal."""
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content.replace(url.encode(), b"<path>")


# ---------------------------------------------------------------------------------------------------
# The no-leak matrix
# ---------------------------------------------------------------------------------------------------

# PROACTIVE_STATES and WITHHELD_STATES (how far 依申请公开 and 不予公开 can go) come from publishing.
PUBLIC_KEYS = {"published", "revision", "published_other", "published_township"}


@pytest.fixture
def world(standard_catalog, demo_orgs):
    """Every reachable combination of state and openness, plus records hidden by their organisation
    or catalog node. Returns the records by key; PUBLIC_KEYS are the only public ones."""
    county = demo_orgs[COUNTY]
    desk = Desk(county)
    main = node("020502")  # 保障性住房 › 配给管理 › 选房或摇号公告
    records: dict[str, Record] = {}
    for state in PROACTIVE_STATES:
        records[state] = desk.make(main, state, state)
    for openness in (Openness.ON_APPLICATION, Openness.WITHHELD):
        for state in WITHHELD_STATES:
            key = f"{openness}_{state}"
            records[key] = desk.make(
                main, key, state, openness=openness, withholding_ground=WithholdingGround.THIRD_PARTY
            )
    records["superseded"] = desk.make(main, "superseded", "published")
    records["revision"] = desk.revise(records["superseded"], "revision")
    records["superseded"].refresh_from_db()
    records["published_other"] = desk.make(node("030201"), "published_other", "published")
    records["inactive_node"] = desk.make(node("020503"), "inactive_node", "published")
    records["inactive_ancestor"] = desk.make(node("030101"), "inactive_ancestor", "published")
    records["published_township"] = Desk(demo_orgs[TOWNSHIP]).make(
        node("020102"), "published_township", "published"
    )
    records["inactive_org"] = Desk(demo_orgs[CLOSED_TOWNSHIP]).make(
        node("020102"), "inactive_org", "published"
    )
    # Deactivation hides a subtree; nothing else about these records changes.
    Organisation.objects.filter(code=CLOSED_TOWNSHIP).update(is_active=False)
    CatalogNode.objects.filter(code="020503").update(is_active=False)
    CatalogNode.objects.filter(code="0301").update(is_active=False)
    for record in records.values():
        record.refresh_from_db()
    # The matrix really holds every state, both non-proactive attributes, and the hidden cases.
    assert {r.status for r in records.values()} == set(Status.values)
    assert {r.openness for r in records.values()} == set(Openness.values)
    assert records["superseded"].status == Status.SUPERSEDED
    assert records["published_not_yet"].status == Status.PUBLISHED
    assert records["published_not_yet"].published_at > timezone.now()
    assert records["withdrawn_notice"].withdrawal_notice
    assert not records["withdrawn_silent"].withdrawal_notice
    assert all(r.attachments.count() == 1 for r in records.values())
    return records


def markers_in(content: bytes) -> set[str]:
    """Record markers on a page, outside forms (a search form rightly echoes what was searched)."""
    text = re.sub(r"<form.*?</form>", "", content.decode(), flags=re.S)
    return set(TITLE_MARKER.findall(text)) | set(BODY_MARKER.findall(text))


def non_public(world) -> set[str]:
    return set(world) - PUBLIC_KEYS


FILTER_VARIANTS = [
    "",
    "?q=【",
    "?q=测试事项",
    f"?year={timezone.localtime().year}",
    "?type=result",
    "?validity=current",
    "?q=清建〔2026〕12号",
    "?q=draft",
    "?page=2",
]

# Column pages of the world and the public records each must list, exactly.
COLUMN_EXPECTATIONS = {
    f"/org/{COUNTY}/02/": {"published", "revision"},
    f"/org/{COUNTY}/0205/": {"published", "revision"},
    f"/org/{COUNTY}/020502/": {"published", "revision"},
    f"/org/{COUNTY}/03/": {"published_other"},
    f"/org/{COUNTY}/0302/": {"published_other"},
    f"/org/{COUNTY}/030201/": {"published_other"},
    f"/org/{COUNTY}/0201/": set(),
    f"/org/{COUNTY}/020102/": set(),
    f"/org/{TOWNSHIP}/02/": {"published_township"},
    f"/org/{TOWNSHIP}/0201/": {"published_township"},
    f"/org/{TOWNSHIP}/020102/": {"published_township"},
}
HIDDEN_COLUMNS = [
    f"/org/{COUNTY}/020503/",  # inactive node
    f"/org/{COUNTY}/0301/",  # inactive first-level item
    f"/org/{COUNTY}/030101/",  # beneath it
    f"/org/{CLOSED_TOWNSHIP}/02/",  # inactive organisation
    f"/org/{CLOSED_TOWNSHIP}/020102/",
]


def test_column_pages_list_exactly_the_public_records(client, world):
    """Domain, first- and second-level columns list exactly the public records beneath them, with any
    filter; hidden columns answer 404."""
    for url, expected in COLUMN_EXPECTATIONS.items():
        status, content = fetch(client, url)
        assert status == 200, url
        assert markers_in(content) == expected, url
        if expected:
            assert "本栏目暂无公开信息" not in content.decode()
        else:
            assert "本栏目暂无公开信息" in content.decode()
        for variant in FILTER_VARIANTS:
            status, content = fetch(client, url + variant)
            assert status == 200, url + variant
            assert markers_in(content) <= expected, url + variant
    for key in non_public(world):
        # Searching for a hidden record's own marker finds nothing.
        status, content = fetch(client, f"/org/{COUNTY}/02/?q=【{key}】")
        assert status == 200 and markers_in(content) == set(), key
    for url in HIDDEN_COLUMNS:
        assert fetch(client, url)[0] == 404, url


def count_on_page(content: bytes, code: str) -> int:
    match = re.search(rf'data-node="{code}">(\d+) 条<', content.decode())
    assert match, code
    return int(match.group(1))


def test_organisation_and_site_home_count_and_list_only_public(client, world):
    """The organisation home counts and lists only public records, per first-level item; the site
    home lists the latest public records of every organisation, and nothing else."""
    status, content = fetch(client, f"/org/{COUNTY}/")
    assert status == 200
    assert markers_in(content) == {"published", "revision", "published_other"}
    assert count_on_page(content, "0205") == 2
    assert count_on_page(content, "0302") == 1
    shown = set(re.findall(r'data-node="(\d+)"', content.decode()))
    assert "0301" not in shown  # an inactive item is not shown at all
    for code in shown - {"0205", "0302"}:
        assert count_on_page(content, code) == 0, code

    status, content = fetch(client, f"/org/{TOWNSHIP}/")
    assert markers_in(content) == {"published_township"}
    assert count_on_page(content, "0201") == 1
    assert fetch(client, f"/org/{CLOSED_TOWNSHIP}/")[0] == 404

    status, content = fetch(client, "/")
    assert status == 200
    assert markers_in(content) == PUBLIC_KEYS


def record_url(org_code: str, serial: str) -> str:
    return reverse("disclosure:record", kwargs={"org": org_code, "number": serial})


def attachment_url(org_code: str, serial: str, attachment_id: int) -> str:
    return reverse(
        "disclosure:attachment", kwargs={"org": org_code, "number": serial, "attachment_id": attachment_id}
    )


def test_record_pages_and_downloads_only_for_public_records(client, world):
    """Public records have a page and downloads; a non-public one answers the very same 404 as a
    number that never existed; a withdrawal with notice answers 410 with title and index number only."""
    never_status, never_content = fetch(client, record_url(COUNTY, NEVER_EXISTED))
    assert never_status == 404
    for key in PUBLIC_KEYS:
        record = world[key]
        status, content = fetch(client, record.get_absolute_url())
        assert status == 200, key
        assert markers_in(content) == {key}, key
        assert record.index_number in content.decode()
    for key in non_public(world):
        record = world[key]
        if not record.index_number:
            # Never published: it never had an address to begin with.
            assert record.status in (Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED,
                                     Status.APPROVED, Status.SCHEDULED), key
            continue
        status, content = fetch(client, record.get_absolute_url())
        if key == "superseded":
            # Its number now belongs to the revision that replaced it.
            assert status == 200 and markers_in(content) == {"revision"}
        elif key == "withdrawn_notice":
            text = content.decode()
            assert status == 410
            withdrawn_on = timezone.localtime(record.withdrawn_at)
            assert f"该信息已于 {withdrawn_on.year}年{withdrawn_on.month}月{withdrawn_on.day}日 撤回" in text
            assert record.index_number in text
            assert TITLE_MARKER.findall(text) == ["withdrawn_notice"]
            assert not BODY_MARKER.findall(text)
            assert "/files/" not in text and "附件" not in text
        else:
            assert (status, content) == (404, never_content), key

    # Each public record's attachment downloads; every other attachment answers the 404 of a file
    # that never existed, under its own record's address and under a public record's address.
    public = world["published"]
    never_status, never_content = fetch(client, attachment_url(COUNTY, public.index_serial, 10**9))
    assert never_status == 404
    for key in PUBLIC_KEYS:
        record = world[key]
        attachment = record.attachments.get()
        status, content = fetch(
            client, attachment_url(record.organisation.code, record.index_serial, attachment.pk)
        )
        assert status == 200, key
        assert content == attachment.file.open("rb").read()
        attachment.file.close()
    for key in non_public(world):
        record = world[key]
        attachment = record.attachments.get()
        addresses = [attachment_url(COUNTY, public.index_serial, attachment.pk)]
        if record.index_number:
            addresses.append(attachment_url(record.organisation.code, record.index_serial, attachment.pk))
        for url in addresses:
            assert fetch(client, url) == (404, never_content), (key, url)


def test_no_surface_shows_a_non_public_marker(client, world):
    """Crawl every public surface of the world: no title, body or file marker of a non-public record
    appears anywhere, except the withdrawal notice's own title on its 410 page. (Column pages with
    every filter variant are checked, more strictly, by test_column_pages_list_exactly_the_public_records.)"""
    urls = ["/", f"/org/{COUNTY}/", f"/org/{TOWNSHIP}/"] + HIDDEN_COLUMNS
    urls += [url + "?q=【" for url in COLUMN_EXPECTATIONS]
    urls += [record.get_absolute_url() for record in world.values() if record.index_number]
    urls += [
        attachment_url(COUNTY, world["published"].index_serial, a.pk) for a in Attachment.objects.all()
    ]
    hidden = non_public(world)
    for url in urls:
        status, content = fetch(client, url)
        assert status in (200, 404, 410), url
        text = content.decode(errors="replace")
        titles = set(TITLE_MARKER.findall(text)) & hidden
        assert titles <= ({"withdrawn_notice"} if status == 410 else set()), url
        assert not set(BODY_MARKER.findall(text)) & hidden, url
        for key in hidden:
            assert f"FILE-{key}" not in text, url


# ---------------------------------------------------------------------------------------------------
# Filters and pagination
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def backdate(record: Record, when: datetime) -> None:
    """Move a publication into an earlier year.

    The publish service always stamps the current time; a bureau's archive naturally holds records
    published in earlier years. Only published_at moves, which no workflow rule depends on.
    """
    Record.objects.filter(pk=record.pk).update(published_at=when)


def listed(content: bytes) -> set[str]:
    return set(TITLE_MARKER.findall(content.decode()))


def test_filters_by_year_type_validity_and_keyword(client, desk):
    """Each filter narrows the column to the matching public records; the form keeps the choice."""
    main = node("020502")
    old = desk.make(main, "old", "published", record_type=RecordType.POLICY,
                    document_number="豫建〔2024〕12号", validity=Validity.REPEALED)
    middle = desk.make(main, "middle", "published", record_type=RecordType.NOTICE,
                       document_number="清建〔2025〕3号")
    desk.make(main, "recent", "published", record_type=RecordType.RESULT, document_number="",
              title="公租房配租结果公示【recent】")
    backdate(old, datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI))
    backdate(middle, datetime(2025, 1, 1, 0, 30, tzinfo=SHANGHAI))  # 2024 in UTC, 2025 locally
    this_year = timezone.localtime().year
    url = f"/org/{COUNTY}/0205/"

    expectations = {
        "": {"old", "middle", "recent"},
        "?year=2024": {"old"},
        "?year=2025": {"middle"},
        f"?year={this_year}": {"recent"},
        "?type=policy": {"old"},
        "?type=result": {"recent"},
        "?validity=repealed": {"old"},
        "?validity=current": {"middle", "recent"},
        "?" + urlencode({"q": "豫建〔2024〕12号"}): {"old"},
        "?" + urlencode({"q": "〔2025〕"}): {"middle"},
        "?" + urlencode({"q": "配租结果"}): {"recent"},
        "?" + urlencode({"q": "公告"}): {"old", "middle"},
        "?type=notice&validity=current&year=2025": {"middle"},
        "?type=licensing": set(),
    }
    for query, expected in expectations.items():
        response = client.get(url + query)
        assert response.status_code == 200, query
        assert listed(response.content) == expected, query
        if not expected:
            assert "没有符合条件的信息" in response.content.decode()
    html = client.get(url).content.decode()
    for year in (2024, 2025, this_year):
        assert f'<option value="{year}">{year}年</option>' in html
    assert '<option value="2023"' not in html
    # The chosen values stay selected in the form.
    html = client.get(url + "?type=policy&q=" + quote("豫建")).content.decode()
    assert '<option value="policy" selected>' in html
    assert 'value="豫建"' in html


def test_filter_form_is_accessible(client, desk):
    """The filter form is a GET form, every control has a label."""
    desk.make(node("020502"), "one", "published")
    html = client.get(f"/org/{COUNTY}/020502/").content.decode()
    form = re.search(r'<form class="filters"[^>]*>(.*?)</form>', html, re.S)
    assert 'method="get"' in form.group(0)
    for name in ("year", "type", "validity", "q"):
        assert f'<label for="id_{name}">' in form.group(1), name
        assert f'id="id_{name}"' in form.group(1), name


def test_pagination_keeps_the_filters(client, desk, settings):
    """Pagination links carry the filter state, and following them stays inside the filtered set."""
    settings.PAGE_SIZE = 2
    main = node("020502")
    for n in range(5):
        desk.make(main, f"match_{'abcde'[n]}", "published", record_type=RecordType.NOTICE)
    desk.make(main, "other", "published", record_type=RecordType.RESULT)
    url = f"/org/{COUNTY}/020502/"

    first = client.get(url + "?type=notice&q=" + quote("测试")).content.decode()
    assert len(listed(first.encode())) == 2
    links = re.findall(r'<a href="(\?[^"]*page=2[^"]*)"', first)
    assert links
    for link in links:
        assert "type=notice" in link and "q=" + quote("测试") in link.replace("&amp;", "&")
    seen = set()
    page = 1
    while True:
        response = client.get(url + f"?type=notice&q={quote('测试')}&page={page}")
        seen |= listed(response.content)
        if f"page={page + 1}" not in response.content.decode():
            break
        page += 1
    assert page == 3
    assert seen == {f"match_{c}" for c in "abcde"}
    # Invalid filter values are not carried into the links.
    html = client.get(url + "?type=nonsense&year=20x6").content.decode()
    links = re.findall(r'<a href="(\?[^"]*page=2[^"]*)"', html)
    assert links and all("nonsense" not in link and "20x6" not in link for link in links)


NONSENSE = [
    "?page=abc",
    "?page=-1",
    "?page=0",
    "?page=99999999999999999999999",
    "?page=1.5",
    "?year=20x6",
    "?year=99999999999999999999999",
    "?year=1900",
    "?year=",
    "?type=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "?q=" + "长" * 5000,
    "?q=%25%5F%27%22%3B--",
    "?type=policy&type=notice&year=2024&year=abc",
]


def test_nonsense_parameters_never_fail(client, desk):
    """Nonsense query parameters give the page (ignored, or a message on the field), never a 500,
    and nothing from them is echoed unescaped."""
    desk.make(node("020502"), "one", "published")
    for query in NONSENSE:
        response = client.get(f"/org/{COUNTY}/020502/" + query)
        assert response.status_code == 200, query
        html = response.content.decode()
        assert "<script>" not in html, query
        assert "长" * 101 not in html, query  # the keyword is capped at 100 characters
    for query in ("?validity=%00", "?q=%00"):  # a NUL byte is refused before the view: portal/middleware.py
        assert client.get(f"/org/{COUNTY}/020502/" + query).status_code == 400, query


def test_invalid_filter_values_are_reported_and_ignored(client, desk):
    """A year or type that is not offered shows a Chinese message and does not narrow the list."""
    desk.make(node("020502"), "one", "published")
    html = client.get(f"/org/{COUNTY}/020502/?year=20x6&type=%3Cscript%3E").content.decode()
    assert "请从列表中选择年份" in html and "请从列表中选择信息类别" in html
    assert listed(html.encode()) == {"one"}


# ---------------------------------------------------------------------------------------------------
# Query counts do not grow with data
# ---------------------------------------------------------------------------------------------------


def bulk_published(organisation, column, start: int, count: int, created_by) -> None:
    """Already-published rows, written in one INSERT.

    Fair for measuring queries: the public pages read only the columns set here (status, openness,
    published_at, index_number, organisation, node, titles and dates), exactly as the publish service
    leaves them; reviews, audit entries and versions, which these rows lack, are never read by a
    public page. Their index numbers use year 2000, where the service hands out no serials.
    """
    now = timezone.now()
    Record.objects.bulk_create(
        Record(
            organisation=organisation,
            node=column,
            title=f"批量公开信息{n}",
            document_number=f"清建〔2000〕{n}号",
            formed_on=now.date(),
            written_on=now.date(),
            openness=Openness.PROACTIVE,
            status=Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
            index_number=f"{organisation.code}/2000-{n:05d}",
            created_by=created_by,
        )
        for n in range(start, start + count)
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def test_query_counts_are_the_same_with_10_and_1000_records(client, desk, demo_orgs):
    """Column lists (filtered or not, any page), the record page, the organisation home, the site home
    and the download run a fixed number of queries, whether 10 or 1,000 public records exist."""
    county = demo_orgs[COUNTY]
    main = node("020502")
    partner = desk.make(main, "partner", "published")
    draft = desk.draft(main, "shown")
    draft.related.add(partner)
    shown = desk.bring_to(draft, "published")
    desk.make(main, "third", "published")
    bulk_published(county, main, 0, 7, desk.editor)
    assert Record.objects.count() == 10
    attachment = shown.attachments.get()
    urls = {
        "column": f"/org/{COUNTY}/020502/",
        "column_domain": f"/org/{COUNTY}/02/",
        "column_filtered": f"/org/{COUNTY}/0205/?type=notice&q=" + quote("公开") + "&page=2",
        "record": shown.get_absolute_url(),
        "organisation": f"/org/{COUNTY}/",
        "home": "/",
        "download": attachment_url(COUNTY, shown.index_serial, attachment.pk),
    }
    client.get("/")  # the public trees are built once per catalog version (catalog/trees.py)
    with_10 = {name: count_queries(client, url) for name, url in urls.items()}
    bulk_published(county, main, 7, 990, desk.editor)
    assert Record.objects.count() == 1000
    with_1000 = {name: count_queries(client, url) for name, url in urls.items()}
    assert with_10 == with_1000
    # The public trees come from the process's snapshot (catalog/trees.py): one cache read for the tree
    # version, then the organisation's oldest publication, the years present (EXISTS probes), a capped
    # count, the page (disclosure/site/listing.py).
    assert with_10 == {
        "column": 5,
        "column_domain": 5,
        "column_filtered": 5,
        # tree version (the record's placement and its node's path for the breadcrumb come from the trees),
        # record (with EXISTS flags for attachments, related records and interpretation links), its
        # attachments, its public related records (it has both); no interpretation link: no query for them.
        "record": 4,
        # tree version, counts per item, latest ten.
        "organisation": 3,
        # tree version, latest ten.
        "home": 2,
        "download": 1,
    }


# ---------------------------------------------------------------------------------------------------
# Record page content
# ---------------------------------------------------------------------------------------------------

XSS_BODY = """
<p>安全段落</p>
<script>alert('x1')</script>
<img src="x" onerror="alert('x2')">
<a href="javascript:alert('x3')">链接一</a>
<a href="JaVaScRiPt:alert('x3b')">链接二</a>
<svg onload="alert('x4')"><circle r="1"></circle></svg>
<p style="width: expression(alert('x5'))">样式</p>
<div style="background:url(javascript:alert('x5b'))">背景</div>
<iframe src="https://evil.example/"></iframe>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">数据链接</a>
<object data="evil.swf"></object><embed src="evil.swf">
<math><mtext><table><mglyph><style><img src=x onerror=alert('x6')></style></mglyph></table></mtext></math>
<form action="https://evil.example/"><input name="pw"></form>
<a href="vbscript:msgbox('x7')">vb</a>
<p onclick="alert('x8')" onmouseover="alert('x9')">点击</p>
<base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<a href="https://www.gov.cn/" target="_blank">中国政府网</a>
"""

DANGEROUS_TAGS = {"script", "iframe", "svg", "math", "object", "embed", "style", "base", "meta", "frame",
                  "frameset", "applet", "link"}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


class MarkupAudit(HTMLParser):
    """Collects what would execute or load from elsewhere in the <body> of a page.

    The <head> is the page shell's own (charset, viewport, stylesheet, icon); record content never
    reaches it except as the escaped <title>.
    """

    def __init__(self):
        super().__init__()
        self.in_body = False
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if not self.in_body:
            return
        if tag in DANGEROUS_TAGS:
            self.findings.append(f"<{tag}>")
        if tag == "form" and not (dict(attrs).get("action") or "/").startswith("/"):
            self.findings.append(f"<form> to {dict(attrs)['action']}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.findings.append(f"{tag} {name}")
            if name == "style":
                self.findings.append(f"{tag} style")
            if name in ("href", "src", "action", "formaction", "data") and value.startswith(DANGEROUS_SCHEMES):
                self.findings.append(f"{tag} {name}={value[:20]}")


def test_record_body_never_renders_executable_markup(client, desk):
    """A body with known XSS payloads, saved through the services, renders without anything that
    could run: no script-like tags, no event handlers, no style, no javascript:/data: URLs."""
    record = desk.make(node("020502"), "xss", "published", body=XSS_BODY)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    audit = MarkupAudit()
    audit.feed(response.content.decode())
    assert audit.findings == []
    html = response.content.decode()
    assert "<p>安全段落</p>" in html  # the body is rendered as HTML, not escaped
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer">中国政府网</a>' in html
    for payload in ("alert(", "msgbox("):
        assert payload not in html


def test_record_page_shows_metadata_attachments_and_public_related(client, desk):
    """The header table carries the standard metadata; attachments link to the download view; only
    public related records are linked."""
    main = node("020502")
    public_partner = desk.make(main, "partner", "published")
    hidden_partner = desk.make(main, "hidden_partner", "approved")
    draft = desk.draft(
        main,
        "main",
        document_number="豫建〔2024〕12号",
        issuing_body="清河县住房和城乡建设局办公室",
        record_type=RecordType.POLICY,
        validity=Validity.AMENDED,
    )
    draft.related.add(public_partner, hidden_partner)
    record = desk.bring_to(draft, "published")
    html = client.get(record.get_absolute_url()).content.decode()
    published = timezone.localtime(record.published_at)
    for label, value in [
        ("索引号", record.index_number),
        ("发布机构", "清河县住房和城乡建设局"),
        ("所属栏目", "选房或摇号公告"),
        ("信息类别", "政策文件"),
        ("发文机关", "清河县住房和城乡建设局办公室"),
        ("成文日期", "2026年3月2日"),
        ("文号", "豫建〔2024〕12号"),
        ("发布日期", f"{published.year}年{published.month}月{published.day}日"),
        ("有效性", "已修改"),
    ]:
        assert re.search(rf'<th scope="row">{label}</th><td>(<[^>]+>)*{re.escape(value)}', html), label
    assert f'href="/org/{COUNTY}/020502/"' in html
    assert f'datetime="{published.isoformat()}"' in html
    attachment = record.attachments.get()
    assert attachment_url(COUNTY, record.index_serial, attachment.pk) in html
    assert "附件-main.pdf" in html
    assert public_partner.get_absolute_url() in html
    assert "hidden_partner" not in html


def test_column_rows_link_titles_and_show_number_and_date(client, desk):
    """Each row of a column: the title linking to the record, the document number, a <time>."""
    record = desk.make(node("020502"), "row", "published", document_number="豫建〔2024〕12号")
    html = client.get(f"/org/{COUNTY}/020502/").content.decode()
    published = timezone.localtime(record.published_at)
    assert f'<a href="{record.get_absolute_url()}">关于测试事项的公告【row】</a>' in html
    assert "豫建〔2024〕12号" in html
    assert f'<time datetime="{published.isoformat()}">{published.year}年{published.month}月{published.day}日</time>' in html


def test_lists_are_newest_first(client, desk):
    """Column, organisation home and site home list the newest publication first."""
    main = node("020502")
    first = desk.make(main, "first", "published")
    desk.make(main, "second", "published")
    backdate(first, timezone.now() - timedelta(days=3))
    for url in (f"/org/{COUNTY}/020502/", f"/org/{COUNTY}/", "/"):
        html = client.get(url).content.decode()
        assert html.index("【second】") < html.index("【first】"), url


# ---------------------------------------------------------------------------------------------------
# Attachment download
# ---------------------------------------------------------------------------------------------------


def test_attachment_download_returns_exact_bytes_and_name(client, desk):
    """The download sends the stored bytes under the original Chinese name, as an attachment, with the
    type from its extension and nosniff; wrong combinations answer 404."""
    main = node("020502")
    content = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    draft = desk.draft(main, "a")
    services.attachment_add(
        user=desk.editor, record=draft, upload=SimpleUploadedFile("2024年配租结果公示.pdf", content), sort_order=1
    )
    record_a = desk.bring_to(draft, "published")
    record_b = desk.make(main, "b", "published")
    chinese = record_a.attachments.get(original_name="2024年配租结果公示.pdf")

    response = client.get(attachment_url(COUNTY, record_a.index_serial, chinese.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('2024年配租结果公示.pdf')}"

    never = fetch(client, attachment_url(COUNTY, record_b.index_serial, 10**9))
    for url in [
        attachment_url(COUNTY, record_b.index_serial, chinese.pk),  # A's file under B's address
        attachment_url(TOWNSHIP, record_a.index_serial, chinese.pk),  # wrong organisation
        attachment_url(COUNTY, NEVER_EXISTED, chinese.pk),  # wrong number
    ]:
        assert fetch(client, url) == never, url
    # The storage path itself is not served under any URL.
    assert client.get(django_settings.MEDIA_URL + chinese.file.name).status_code == 404
    assert client.get("/" + chinese.file.name).status_code == 404


def test_attachment_of_a_record_that_stops_being_public_answers_404(client, desk):
    """Once a record is withdrawn, the download that worked before answers 404."""
    record = desk.make(node("020502"), "gone", "published")
    url = attachment_url(COUNTY, record.index_serial, record.attachments.get().pk)
    assert fetch(client, url)[0] == 200
    services.record_withdraw(user=desk.reviewer, record=record, reason="内容有误", public_notice=True)
    assert fetch(client, url)[0] == 404


def test_record_and_download_refuse_unsafe_methods(client, desk):
    """Record pages and downloads answer GET and HEAD only."""
    record = desk.make(node("020502"), "post", "published")
    url = attachment_url(COUNTY, record.index_serial, record.attachments.get().pk)
    assert client.post(record.get_absolute_url()).status_code == 405
    assert client.post(url).status_code == 405
    assert client.head(record.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("hide", ["node", "organisation"])
def test_withdrawal_notice_of_a_hidden_column_answers_404(client, desk, hide):
    """A withdrawal notice shows only while its column is visible: once the column or the organisation
    is deactivated, its address answers the very same 404 as a number that never existed."""
    record = desk.make(node("020502"), "notice_hidden", "withdrawn_notice")
    assert fetch(client, record.get_absolute_url())[0] == 410
    if hide == "node":
        CatalogNode.objects.filter(code="0205").update(is_active=False)
    else:
        Organisation.objects.filter(code=COUNTY).update(is_active=False)
    never = fetch(client, record_url(COUNTY, NEVER_EXISTED))
    assert never[0] == 404
    assert fetch(client, record.get_absolute_url()) == never
