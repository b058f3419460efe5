"""Full-text search: segmentation, index maintenance by the services, the selector, the public page."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from disclosure.core.tokens import QueryTerm, document_terms, query_terms
from disclosure.records.models import Record, SearchDocument, Status
from disclosure.records.search_index import build_document, search_document_refresh
from disclosure.search.highlight import highlight, snippet
from disclosure.search.selectors import SearchFilters, filter_public_records, search_public_records
from tests.disclosure.publishing import COUNTY, LEAK_WORDS, PUBLIC_KEYS, TOWNSHIP, Desk, leak_world, marker
from tests.queries import count_queries

SHANGHAI = ZoneInfo("Asia/Shanghai")


def titles(documents) -> list[str]:
    return [document.title for document in documents]


def found(query: str, filters: SearchFilters | None = None) -> list[str]:
    return titles(search_public_records(query, filters))


# ------------------------------------------------------------------------------------ segmentation


def test_chinese_runs_become_bigrams_plus_their_last_character():
    """A run of Chinese characters is indexed as its bigrams and its last character."""
    assert document_terms("征收补偿") == ["征收", "收补", "补偿", "偿"]
    assert document_terms("房") == ["房"]


def test_mixed_document_number_splits_at_script_boundaries():
    """豫建〔2024〕12号: brackets dropped, the Chinese, digit and Latin runs kept apart."""
    assert document_terms("豫建〔2024〕12号") == ["豫建", "建", "2024", "12", "号"]
    assert document_terms("GB50028-2006 标准") == ["gb", "50028", "2006", "标准", "准"]


def test_full_width_forms_and_case_are_folded():
    """Full-width digits and letters are the same terms as their ASCII forms; case does not matter."""
    assert document_terms("２０２４年ＡＢＣ") == document_terms("2024年abc") == ["2024", "年", "abc"]


def test_query_terms_are_bigrams_and_a_lone_character_is_a_prefix():
    """A two-character word is one term; a lone character matches as a prefix; duplicates go."""
    assert query_terms("征收") == [QueryTerm("征收")]
    assert query_terms("公租房 公租") == [QueryTerm("公租"), QueryTerm("租房")]
    assert query_terms("豫建〔2024〕12号") == [
        QueryTerm("豫建"),
        QueryTerm("2024"),
        QueryTerm("12"),
        QueryTerm("号", prefix=True),
    ]
    assert query_terms("〔〕！!  ") == []


# ----------------------------------------------------------------------------------- the corpus


@pytest.fixture
def desks(standard_catalog, demo_orgs):
    return {code: Desk(demo_orgs[code]) for code in (COUNTY, TOWNSHIP)}


@pytest.fixture
def corpus(desks):
    county, township = desks[COUNTY], desks[TOWNSHIP]
    return {
        "decision": county.publish(
            "010205",
            title="清河县人民政府关于老城区棚户区改造项目房屋征收决定的公告",
            document_number="清政〔2026〕8号",
            record_type="notice",
            body="<p>为了公共利益的需要，决定对老城区棚户区改造项目范围内的房屋实施征收。</p>",
        ),
        "compensation": county.publish(
            "010204",
            title="老城区棚户区改造项目征收补偿方案",
            document_number="豫建〔2024〕12号",
            record_type="policy",
            body="<p>被征收人可以选择货币补偿，也可以选择房屋产权调换。</p>",
        ),
        "rental": county.publish(
            "020503",
            title="2026年第一批公租房配租结果公示",
            document_number="清建〔2026〕3号",
            record_type="result",
            body="<p>经资格审核和公开摇号，以下家庭取得公租房配租资格。</p>",
        ),
        "township": township.publish(
            "030302",
            title="城关镇2026年农村危房改造补助对象公示",
            document_number="",
            record_type="result",
            body="<p>经村民评议、乡镇审核，拟补助对象如下。&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        ),
    }


@pytest.mark.django_db
def test_two_character_words_find_their_records(corpus):
    """征收, 补偿 and 公租 each find the records that contain them, and only those."""
    assert set(found("征收")) == {corpus["decision"].title, corpus["compensation"].title}
    assert found("补偿")[0] == corpus["compensation"].title
    assert set(found("补偿")) == {corpus["compensation"].title}
    assert found("公租") == [corpus["rental"].title]


@pytest.mark.django_db
def test_mixed_document_numbers_are_found(corpus):
    """A document number with brackets, digits and 号 finds its record, typed with or without brackets."""
    for query in ("豫建〔2024〕12号", "豫建[2024]12号", "豫建2024 12号", "清建〔2026〕3号"):
        assert found(query)[0] in (corpus["compensation"].title, corpus["rental"].title), query
    assert found("豫建〔2024〕12号") == [corpus["compensation"].title]
    assert found("豫建〔2024〕13号") == []


@pytest.mark.django_db
def test_every_query_term_is_required(corpus):
    """Words that never occur together in one record find nothing."""
    assert found("公租房 征收") == []
    assert found("危房改造 补助") == [corpus["township"].title]


@pytest.mark.django_db
def test_title_matches_rank_above_body_matches(corpus):
    """征收 is in the title of the decision and of the compensation plan, but the plan's body only says
    被征收人: the decision, whose body repeats it, ranks first for 房屋征收."""
    assert found("房屋征收")[0] == corpus["decision"].title


@pytest.mark.django_db
def test_filters_narrow_like_the_columns(corpus):
    """Organisation, domain, item, year and type narrow a search; unknown node codes find nothing."""
    year = timezone.localdate().year
    assert set(found("公示", SearchFilters(organisation=TOWNSHIP))) == {corpus["township"].title}
    assert set(found("公示", SearchFilters(nodes=("02",)))) == {corpus["rental"].title}
    assert set(found("征收", SearchFilters(nodes=("01", "0102")))) == {
        corpus["decision"].title,
        corpus["compensation"].title,
    }
    assert set(found("征收", SearchFilters(nodes=("010204",)))) == {corpus["compensation"].title}
    assert set(found("征收", SearchFilters(record_type="policy"))) == {corpus["compensation"].title}
    assert len(found("公示", SearchFilters(year=year))) == 2
    assert found("公示", SearchFilters(year=year - 1)) == []
    assert found("公示", SearchFilters(nodes=("nope",))) == []
    listed = filter_public_records(SearchFilters(organisation=COUNTY, nodes=("01",)))
    assert {r.title for r in listed} == {corpus["decision"].title, corpus["compensation"].title}


@pytest.mark.django_db
def test_year_is_the_local_year_of_publication(corpus):
    """A record published on 31 December 23:30 in Beijing belongs to that year, though UTC says otherwise."""
    rental = corpus["rental"]
    Record.objects.filter(pk=rental.pk).update(published_at=datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI))
    search_document_refresh(record_ids=[rental.pk])
    assert SearchDocument.objects.get(pk=rental.pk).year == 2025
    assert found("公租", SearchFilters(year=2025)) == [rental.title]
    assert [r.pk for r in filter_public_records(SearchFilters(year=2025))] == [rental.pk]


# ---------------------------------------------------------------------------------- highlighting


def test_highlight_escapes_then_marks():
    """Markup in the text is escaped; the query's words are wrapped in <mark>, case-insensitively."""
    html = highlight("<b>征收</b> & GB50028", "征收 gb")
    assert html == "&lt;b&gt;<mark>征收</mark>&lt;/b&gt; &amp; <mark>GB</mark>50028"


def test_highlight_marks_whole_runs_and_their_bigrams():
    """A longer query run is marked whole where it occurs, and by its bigrams elsewhere."""
    assert highlight("征收补偿方案；补偿标准", "征收补偿") == (
        "<mark>征收补偿</mark>方案；<mark>补偿</mark>标准"
    )


def test_query_markup_cannot_inject():
    """Markup in the query is not a word: nothing of it reaches the page unescaped."""
    html = highlight("a<script>b", "<script>")
    assert "<script>" not in html
    assert html == "a&lt;<mark>script</mark>&gt;b"


def test_snippet_is_cut_around_the_first_match():
    """The snippet starts shortly before the first match, with ellipses where text was cut."""
    text = "前" * 100 + "公租房配租" + "后" * 100
    piece = snippet(text, "配租")
    assert piece.startswith("…") and piece.endswith("…")
    assert "<mark>配租</mark>" in piece
    assert len(re.sub(r"</?mark>", "", piece)) <= 122


@pytest.mark.django_db
def test_page_snippets_are_escaped_and_highlighted(client, corpus):
    """The body's escaped markup stays escaped on the results page, and matches are marked."""
    html = client.get("/search/", {"q": "补助对象"}).content.decode()
    assert "<mark>补助对象</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


# ------------------------------------------------------------------------------ index maintenance


@pytest.mark.django_db
def test_publish_withdraw_and_revise_keep_the_index_in_step(desks):
    """Publishing indexes a record; withdrawing removes it; a published revision replaces its original."""
    desk = desks[COUNTY]
    draft = desk.draft("020503", title="公租房租金标准调整的通知")
    approved = desk.approve(draft)
    assert not SearchDocument.objects.filter(pk=approved.pk).exists()
    published = Record.objects.get(pk=approved.pk)
    from disclosure.records import services

    published = services.record_publish(user=desk.reviewer, record=published)
    assert found("租金") == [published.title]
    revision = desk.revise(published, title="公租房租金标准调整的通知（修订）")
    assert found("租金") == [revision.title]
    assert not SearchDocument.objects.filter(pk=published.pk).exists()
    desk.withdraw(revision)
    assert found("租金") == []
    assert SearchDocument.objects.count() == 0


@pytest.mark.django_db
def test_a_scheduled_record_is_indexed_when_it_is_published(desks):
    """A scheduled record has no document until the due-run publishes it."""
    from datetime import timedelta

    from disclosure.records import services

    desk = desks[COUNTY]
    record = desk.approve(desk.draft("020503", title="燃气经营许可证核发结果"))
    when = timezone.now() + timedelta(minutes=5)
    record = services.record_publish(user=desk.reviewer, record=record, publish_at=when)
    assert record.status == Status.SCHEDULED and found("燃气") == []
    # Five minutes pass: the scheduled time now lies behind us.
    Record.objects.filter(pk=record.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    services.publish_due_records()
    assert found("燃气") == [record.title]


@pytest.mark.django_db
def test_a_failed_move_leaves_the_index_as_it_was(desks):
    """The index is written in the service's transaction: a move that fails writes no document."""
    from django.db import transaction

    from disclosure.records import services

    desk = desks[COUNTY]
    record = desk.approve(desk.draft("020503", title="公租房配租结果"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.record_publish(user=desk.reviewer, record=record)
            raise RuntimeError("crash after publishing")
    assert not SearchDocument.objects.exists()
    assert found("配租") == []


@pytest.mark.django_db
def test_rebuild_command_indexes_exactly_the_public_records(corpus, desks):
    """`search_index` rebuilds from public_records(): documents of non-public records are dropped."""
    desk = desks[COUNTY]
    hidden = desk.approve(desk.draft("020503", title="待发布的公租房通知"))
    fake = build_document(hidden)
    fake.published_at = fake.published_at or timezone.now()
    fake.year = 2026
    fake.save()
    SearchDocument.objects.filter(pk=corpus["rental"].pk).delete()
    call_command("search_index", stdout=open("/dev/null", "w"))
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == {r.pk for r in corpus.values()}
    assert found("公租房") == [corpus["rental"].title]


def _index_every_record():
    """A search document for every record, public or not, as a stale or corrupted index might hold."""
    SearchDocument.objects.all().delete()
    documents = []
    for record in Record.objects.all():
        record.published_at = record.published_at or timezone.now()
        documents.append(build_document(record))
    SearchDocument.objects.bulk_create(documents)


@pytest.mark.django_db
def test_the_index_holds_only_public_records(standard_catalog, demo_orgs):
    """After every kind of move, only public records have search documents (hidden-by-deactivation
    ones excepted: their records never moved; the query-time filter covers them, see next test)."""
    world = leak_world(demo_orgs)
    indexed = set(SearchDocument.objects.values_list("pk", flat=True))
    expected = {world[key].pk for key in PUBLIC_KEYS | {"inactive_node", "inactive_ancestor", "inactive_org"}}
    assert indexed == expected


@pytest.mark.django_db
def test_non_public_records_never_appear_even_with_a_search_document(client, standard_catalog, demo_orgs):
    """Every record gets a document, yet search (selector and page) returns only the public ones."""
    world = leak_world(demo_orgs)
    _index_every_record()
    assert SearchDocument.objects.count() == len(world)
    public_titles = {world[key].title for key in PUBLIC_KEYS}
    assert set(found(LEAK_WORDS)) == public_titles
    for key, record in world.items():
        hits = found(marker(key))
        assert hits == ([record.title] if key in PUBLIC_KEYS else []), key
        html = client.get("/search/", {"q": marker(key)}).content.decode()
        results = html.split('id="results-heading"', 1)[1]
        assert (marker(key) in results) == (key in PUBLIC_KEYS), key


# ------------------------------------------------------------------------------------ the page


@pytest.mark.django_db
def test_search_page_shows_results_with_count_and_filters_in_the_url(client, corpus):
    """Results link to the record, the count is shown, and page links keep the query and filters."""
    response = client.get("/search/", {"q": "征收", "org": COUNTY, "year": "", "type": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "共找到 2 条相关信息" in html
    assert corpus["decision"].get_absolute_url() in html
    assert 'name="q"' in html and 'for="id_q"' in html and 'for="id_org"' in html
    assert f'<option value="{COUNTY}" selected>' in html


@pytest.mark.django_db
def test_pagination_keeps_query_and_filters(client, desks, settings):
    """With more hits than a page, the next-page link carries q and the filters."""
    settings.PAGE_SIZE = 2
    for n in range(5):
        desks[COUNTY].publish("020503", title=f"公租房配租结果第{n}批", document_number="")
    html = client.get("/search/", {"q": "配租", "org": COUNTY}).content.decode()
    assert "共找到 5 条相关信息" in html
    assert re.search(r'href="\?q=%E9%85%8D%E7%A7%9F&amp;org=419901&amp;page=2"', html)
    second = client.get("/search/", {"q": "配租", "org": COUNTY, "page": "2"}).content.decode()
    assert second.count('class="result-title"') == 2


@pytest.mark.django_db
def test_nothing_found_says_so(client, corpus):
    """A search without hits answers 200 with 没有找到相关信息."""
    response = client.get("/search/", {"q": "不存在的词语"})
    assert response.status_code == 200
    assert "没有找到相关信息" in response.content.decode()


@pytest.mark.django_db
def test_when_no_record_holds_every_word_the_page_offers_partial_matches(client, corpus):
    """征收决定公告 misses 征收决定的公告 (no bigram 定公): the page says so and lists the best partial match."""
    assert found("征收决定公告") == []
    html = client.get("/search/", {"q": "征收决定公告"}).content.decode()
    assert "没有同时包含全部关键词的信息" in html
    results = html.split('class="search-results"', 1)[1]
    assert results.index(corpus["decision"].get_absolute_url()) < results.index("</li>")


@pytest.mark.django_db
def test_filters_alone_list_newest_records(client, corpus):
    """Without words, a filter lists the public records it lets through."""
    html = client.get("/search/", {"org": TOWNSHIP}).content.decode()
    assert "共找到 1 条相关信息" in html
    assert corpus["township"].title in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"q": "征收", "year": "abc"},
        {"q": "征收", "year": "99999999999999999999"},
        {"q": "征收", "type": "nonsense"},
        {"q": "征收", "org": "../../etc"},
        {"q": "征收", "domain": "99", "item": "<script>"},
        {"q": "征收", "page": "-1"},
        {"q": "征收", "page": "9999"},
        {"q": "征收", "page": "x"},
    ],
)
def test_bad_parameters_are_ignored(client, corpus, params):
    """A bad filter value or page is ignored (the search still runs), never an error page."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert corpus["decision"].get_absolute_url() in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_a_parameter_is_a_400(client, corpus):
    """A NUL byte cannot be a search word or a code (PostgreSQL cannot even compare it): the request
    is refused with a 400 before it reaches the search (portal/middleware.py), never a 500."""
    response = client.get("/search/", {"q": "征收", "org": "\x00", "type": "\x00"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_long_query_is_cut_to_100_characters(client, corpus):
    """A query beyond 100 characters is searched by its first 100."""
    query = corpus["decision"].title + "。" * 200
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "共找到 1 条相关信息" in html
    assert 'maxlength="100"' in html


@pytest.mark.django_db
def test_header_search_box_on_every_page(client, corpus):
    """The site header holds a labelled GET search form pointing at /search/."""
    html = client.get(f"/org/{COUNTY}/").content.decode()
    header = html.split("</header>")[0]
    assert 'action="/search/"' in header and 'method="get"' in header
    assert '<label class="visually-hidden" for="site-search-q">' in header
    assert 'id="site-search-q"' in header


@pytest.mark.django_db
def test_search_page_query_count_does_not_grow(client, desks, monkeypatch):
    """The page costs the same number of queries with 3 or 30 matching records: the public trees'
    version (catalog and organisations are the process's snapshot), the candidates with their records'
    public check, the page's documents (counts and facets are computed from the candidates), one adding
    to the word's anonymous daily count (the popular words and synonyms are read once per ten minutes
    and per minute: hence one search before measuring)."""

    def queries():
        return count_queries(client, "/search/", q="配租", domain="02", year=timezone.localdate().year)

    from disclosure.search import synonyms

    # The synonym table is read once a minute; publishing 27 records may take longer on a busy machine.
    monkeypatch.setattr(synonyms, "CACHE_SECONDS", 3600)
    synonyms._cache.clear()
    for n in range(3):
        desks[COUNTY].publish("020503", title=f"公租房配租结果{n}", document_number="")
    queries()
    small = queries()
    for n in range(27):
        desks[TOWNSHIP].publish("020102", title=f"配租政策文件{n}", document_number="")
    assert queries() == small == 4


# --------------------------------------------------------------------------------- PostgreSQL


FILLER = "住房城乡建设领域基层政务公开标准目录保障性住房配给管理农村危房改造市政服务燃气供热"


def _filler_documents(count: int, organisation, node) -> None:
    """``count`` public records about other matters, with their search documents, for realistic
    statistics: in a live index most documents are public and a query's words are rare."""
    now = timezone.now()
    records = Record.objects.bulk_create(
        Record(
            organisation=organisation,
            node=node,
            title=f"{FILLER[n % 40 : n % 40 + 12]}通知{n}",
            formed_on=timezone.localdate(),
            openness="proactive",
            status=Status.PUBLISHED,
            published_at=now,
            index_number=f"{organisation.code}/1990-{n:05d}",
            body=f"<p>{FILLER * 3}</p>",
        )
        for n in range(count)
    )
    SearchDocument.objects.bulk_create(build_document(record) for record in records)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index is PostgreSQL only")
def test_postgresql_search_uses_the_gin_index(corpus):
    """The text match is answered from the GIN index on the search documents, not a table scan.

    3,000 more public documents about other matters give the planner statistics in which 征收补偿 is
    rare, as in a real index. Rows just written sit in the GIN index's pending list,
    which the planner must cost as a scan of the whole list; autovacuum flushes it in a live
    database, and here ``gin_clean_pending_list`` does. No planner setting is changed: with real
    statistics the planner picks the index by itself (bench/search.py shows it at 100,000).
    """
    _filler_documents(3000, corpus["decision"].organisation, corpus["decision"].node)
    documents = search_public_records("征收补偿")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('searchdoc_vector_gin'::regclass)")
        cursor.execute("ANALYZE disclosure_searchdocument")
        cursor.execute("ANALYZE disclosure_record")
        plan = documents.explain()
    assert "Bitmap Index Scan on searchdoc_vector_gin" in plan, plan
    assert "Seq Scan on disclosure_searchdocument" not in plan, plan
    assert [d.title for d in documents] == [corpus["compensation"].title]


# -------------------------------------------------------------------------------- bounded work


@pytest.mark.django_db
def test_a_search_ranks_counts_and_facets_only_the_newest_candidates(client, desks, monkeypatch):
    """With more matches than SEARCH_CANDIDATES, only the newest that many are ranked, counted, paged and
    faceted, and the page says "至少"; by date and by relevance list the same candidates."""
    from disclosure.search import selectors, views

    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    monkeypatch.setattr(views, "SEARCH_CANDIDATES", 3)
    # The oldest holds the word in its title (it would rank first), the four newer ones in the body.
    oldest = desks[COUNTY].publish("020503", title="配租配租配租结果", document_number="")
    newer = [
        desks[COUNTY].publish("020503", title=f"第{n}批名单", document_number="", body="<p>配租名单如下。</p>")
        for n in range(4)
    ]
    newest_three = [record.title for record in reversed(newer[1:])]
    assert found("配租") and oldest.title not in found("配租")
    assert sorted(found("配租")) == sorted(newest_three)
    assert titles(search_public_records("配租", by_date=True)) == newest_three
    assert search_public_records("配租").count() == 3
    html = client.get("/search/", {"q": "配租"}).content.decode()
    assert "找到至少 3 条相关信息" in html and "分类计数按最新的 3 条结果统计" in html
    assert html.count('class="result-title"') == 3 and oldest.get_absolute_url() not in html
    assert re.search(r'<span class="count">3</span>', html)  # the facet counts the candidates only
    # Narrowing reaches older records: the title word alone is in the oldest one.
    assert found("配租结果") == [oldest.title]
    # Rare words are ranked over every match: relevance first, the title match on top.
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 1000)
    assert found("配租")[0] == oldest.title


@pytest.mark.django_db
def test_a_document_copied_wrong_cannot_show_its_record(client, desks, demo_orgs):
    """The candidates are chosen by the document's own organisation, node and time; the record itself is
    still checked. A withdrawn record whose document survived with a visible organisation, and a record of
    a switched-off organisation whose document names another one, stay hidden; switching an organisation
    off hides its documents at once."""
    county, township = desks[COUNTY], desks[TOWNSHIP]
    withdrawn = county.publish("020503", title="撤回的配租公告", document_number="")
    stale = build_document(withdrawn)
    county.withdraw(withdrawn)
    assert not SearchDocument.objects.filter(pk=withdrawn.pk).exists()
    stale.save()  # a document that outlived its record's publication
    hidden = township.publish("020102", title="城关镇配租政策", document_number="")
    SearchDocument.objects.filter(pk=hidden.pk).update(organisation=demo_orgs[COUNTY])
    shown = county.publish("020503", title="县级配租结果", document_number="")
    assert sorted(found("配租")) == sorted([shown.title, hidden.title])
    type(demo_orgs[TOWNSHIP]).objects.filter(pk=demo_orgs[TOWNSHIP].pk).update(is_active=False)
    assert found("配租") == [shown.title]
    assert "撤回的配租公告" not in client.get("/search/", {"q": "配租"}).content.decode()
    assert search_public_records("配租").count() == 1
