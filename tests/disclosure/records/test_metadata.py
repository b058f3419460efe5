"""主题分类 and 主题词 (国办公开办函〔2019〕61号: a record's header shows 索引号, 主题分类, 发布机构, 成文日期,
文号 and 主题词): shown on the record page, filterable in columns and search, exported by the API."""

from __future__ import annotations

import datetime
import json

import pytest

from disclosure.records.metadata import Topic, normalise_keywords, split_keywords
from tests.disclosure.publishing import COUNTY, Desk


@pytest.fixture
def desk(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Desk(demo_orgs[COUNTY])


@pytest.fixture
def records(desk):
    rent = desk.publish(
        "020503", title="公租房配租结果公示", topic=Topic.CONSTRUCTION, keywords="公租房、配租，租金",
        written_on=datetime.date(2026, 3, 2), document_number="清建〔2026〕12号",
    )
    fee = desk.publish("020503", title="收费标准调整的通知", topic=Topic.FINANCE, keywords="收费 公租房租金")
    return rent, fee


def test_keywords_are_split_on_the_usual_separators_and_stored_once():
    assert split_keywords("公租房、配租，租金; 公租房  保障") == ["公租房", "配租", "租金", "保障"]
    assert normalise_keywords(" 公租房、配租 ") == "公租房 配租"


def test_topic_choices_are_the_national_first_level_list():
    """22 first-level subjects of the State Council's catalogue, housing under 城乡建设、环境保护."""
    assert len(Topic.choices) == 22
    assert Topic.CONSTRUCTION.label == "城乡建设、环境保护"
    assert Topic.OTHER.label == "其他"


@pytest.mark.django_db
def test_record_header_shows_the_catalog_metadata(client, records):
    """索引号, 主题分类, 发布机构, 成文日期, 文号 and 主题词 head the record page; each 主题词 links to a search."""
    rent, _fee = records
    html = client.get(rent.get_absolute_url()).content.decode()
    for label, value in [
        ("索引号", rent.index_number),
        ("主题分类", "城乡建设、环境保护"),
        ("发布机构", "清河县住房和城乡建设局"),
        ("成文日期", "2026年3月2日"),
        ("文号", "清建〔2026〕12号"),
        ("主题词", "配租"),
    ]:
        assert f'<th scope="row">{label}</th>' in html and value in html, label
    assert rent.keywords == "公租房 配租 租金"
    assert "keyword=%E9%85%8D%E7%A7%9F" in html  # 配租


@pytest.mark.django_db
def test_column_filters_by_topic_and_subject_word(client, records):
    """The column's filter form has 主题分类 and 主题词; a 主题词 matches whole words only; a bad topic is a
    form error, not a 500."""
    rent, fee = records
    url = f"/org/{COUNTY}/0205/"

    def titles(**params):
        html = client.get(url, params).content.decode()
        return {title for title in (rent.title, fee.title) if title in html}

    assert titles() == {rent.title, fee.title}
    assert titles(topic="finance") == {fee.title}
    assert titles(keyword="公租房") == {rent.title}  # 公租房租金 is another word
    assert titles(keyword="公租房租金") == {fee.title}
    assert titles(topic="construction", keyword="收费") == set()
    response = client.get(url, {"topic": "nonsense"})
    assert response.status_code == 200 and "请从列表中选择主题分类" in response.content.decode()


@pytest.mark.django_db
def test_search_filters_by_topic_and_subject_word_and_finds_subject_words(client, records):
    """Search has the same two filters, and a word given only as 主题词 finds its record."""
    rent, fee = records

    def titles(**params):
        html = client.get("/search/", params).content.decode()
        return {title for title in (rent.title, fee.title) if title in html}

    assert titles(topic="finance") == {fee.title}
    assert titles(keyword="配租") == {rent.title}
    assert titles(q="租金", topic="construction") == {rent.title}  # 租金 is only a 主题词 of rent


@pytest.mark.django_db
def test_api_exports_and_filters_the_metadata(client, records):
    """Records in the API carry topic, its label and the 主题词 as a list; topic and keyword filter."""
    rent, fee = records
    body = json.loads(client.get("/api/v1/records", {"topic": "construction"}).content)
    [row] = body["results"]
    assert row["index_number"] == rent.index_number
    assert (row["topic"], row["topic_label"], row["keywords"]) == (
        "construction", "城乡建设、环境保护", ["公租房", "配租", "租金"]
    )
    by_word = json.loads(client.get("/api/v1/records", {"keyword": "收费"}).content)
    assert [r["title"] for r in by_word["results"]] == [fee.title]
    detail = json.loads(client.get(row["api_url"].removeprefix("http://testserver")).content)
    assert detail["keywords"] == ["公租房", "配租", "租金"]


@pytest.mark.django_db
def test_metadata_filters_never_reveal_a_non_public_record(client, standard_catalog, demo_orgs):
    """In the leak world every record gets its own 主题词 and the 主题分类 财政; filtering by them in the
    column, in search and in the API finds the public records only."""
    from disclosure.records.models import Record
    from tests.disclosure.publishing import PUBLIC_KEYS, leak_world, marker

    records = leak_world(demo_orgs)
    for key, record in records.items():
        Record.objects.filter(pk=record.pk).update(keywords=f"泄露 {marker(key)}", topic=Topic.FINANCE)
    for key, record in records.items():
        word = marker(key)
        column = client.get(f"/org/{record.organisation.code}/{record.node.code}/", {"keyword": word})
        search = client.get("/search/", {"keyword": word, "topic": "finance"})
        api = json.loads(client.get("/api/v1/records", {"keyword": word, "topic": "finance"}).content)
        # The title (not the echoed filter value) tells whether the record is listed.
        shown = record.title in column.content.decode() or record.title in search.content.decode()
        assert (api["count"] > 0) is shown, key
        assert shown is (key in PUBLIC_KEYS), key
