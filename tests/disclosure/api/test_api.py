"""The open-data API under /api/v1/: every endpoint, its OpenAPI description, errors, and no leaks."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import timezone

from catalog.models import CatalogNode, Organisation
from disclosure.api.openapi import PATHS
from disclosure.records import services
from disclosure.records.models import Record
from tests.disclosure.publishing import COUNTY, LEAK_WORDS, PUBLIC_KEYS, TOWNSHIP, Desk, leak_world, marker
from tests.queries import count_queries


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def assert_error(client, url, params, status, code, parameter=None):
    body = get_json(client, url, params, status=status)
    assert body["error"]["code"] == code
    assert body["error"]["message"] and not body["error"]["message"].isascii()  # a Chinese message
    if parameter:
        assert body["error"]["parameter"] == parameter
    return body


@pytest.fixture
def desk(standard_catalog, demo_orgs, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Desk(demo_orgs[COUNTY])


# ------------------------------------------------------------------------------------- endpoints


@pytest.mark.django_db
def test_index_lists_the_endpoints(client):
    """/api/v1/ names every endpoint with its absolute URL."""
    body = get_json(client, "/api/v1/")
    assert set(body["endpoints"]) == {"catalog", "organisations", "records", "completeness", "openapi"}
    assert body["endpoints"]["records"] == "http://testserver/api/v1/records"


@pytest.mark.django_db
def test_catalog_is_the_nested_visible_tree_with_attributes(client, standard_catalog):
    """Four domains nested down to second-level items, each with the catalog's standard attributes."""
    CatalogNode.objects.filter(code="0402").update(is_active=False)
    body = get_json(client, "/api/v1/catalog")
    domains = body["results"]
    assert [d["code"] for d in domains] == ["01", "02", "03", "04"]
    housing = domains[1]
    allocation = next(item for item in housing["children"] if item["code"] == "0205")
    lottery = next(item for item in allocation["children"] if item["code"] == "020502")
    assert lottery["depth"] == 2 and lottery["method"] == "proactive" and lottery["levels"] == ["county"]
    assert lottery["time_limit"] and lottery["basis"] and lottery["subject"]
    assert {"code": "website", "name": "政府网站", "required": True} in lottery["channels"]
    assert "0402" not in {item["code"] for item in domains[3]["children"]}  # switched off


@pytest.mark.django_db
def test_organisations_are_flat_with_parent_codes(client, standard_catalog, demo_orgs):
    """Visible organisations in tree order, each with its parent's code; switched-off ones are absent."""
    Organisation.objects.filter(code="419901003").update(is_active=False)
    body = get_json(client, "/api/v1/organisations")
    by_code = {org["code"]: org for org in body["results"]}
    assert body["count"] == len(body["results"]) == 5
    assert by_code["410000"]["parent"] is None and by_code["410000"]["disclosing"] is False
    assert by_code[TOWNSHIP]["parent"] == COUNTY and by_code[TOWNSHIP]["disclosing"] is True
    assert by_code[COUNTY]["url"] == f"http://testserver/org/{COUNTY}/"
    assert "419901003" not in by_code


@pytest.mark.django_db
def test_records_list_is_paged_and_filtered_like_the_columns(client, desk, demo_orgs):
    """page/page_size, and the org, node (with descendants), year, type, validity and q filters."""
    rental = desk.publish("020503", title="公租房配租结果公示", record_type="result")
    lottery = desk.publish("020502", title="选房摇号公告", record_type="notice", validity="repealed")
    gas = desk.publish("040201", title="燃气经营许可证核发", record_type="licensing")
    town = Desk(demo_orgs[TOWNSHIP]).publish("020102", title="城关镇公租房政策文件", record_type="policy")

    def titles(**params):
        return [r["title"] for r in get_json(client, "/api/v1/records", params)["results"]]

    assert titles() == [town.title, gas.title, lottery.title, rental.title]
    page = get_json(client, "/api/v1/records", {"page_size": 3, "page": 2})
    assert page["count"] == 4 and page["num_pages"] == 2 and page["page"] == 2
    assert [r["title"] for r in page["results"]] == [rental.title]
    assert page["previous"].endswith("page=1") and page["next"] is None
    assert titles(org=TOWNSHIP) == [town.title]
    assert titles(node="0205") == [lottery.title, rental.title]
    assert titles(node="02", org=COUNTY) == [lottery.title, rental.title]
    assert titles(type="licensing") == [gas.title]
    assert titles(validity="repealed") == [lottery.title]
    assert titles(year=timezone.localdate().year, org=COUNTY, node="04") == [gas.title]
    assert titles(year=2001) == []
    assert titles(q="公租房") == [rental.title, town.title] or titles(q="公租房") == [town.title, rental.title]
    assert titles(q="公租房", org=COUNTY) == [rental.title]
    assert titles(q="〔〕") == titles()  # punctuation only: no words, plain list
    record = get_json(client, "/api/v1/records", {"q": "配租"})["results"][0]
    assert record["score"] > 0
    assert record["index_number"] == rental.index_number
    assert record["organisation"] == {"code": COUNTY, "name": "清河县住房和城乡建设局"}
    assert record["node"]["code"] == "020503" and record["record_type_label"] == "结果公示"
    assert record["url"] == f"http://testserver{rental.get_absolute_url()}"
    assert get_json(client, record["api_url"])["title"] == rental.title


@pytest.mark.django_db
def test_records_list_pages_on_with_cursors_and_caps_its_count(client, desk, monkeypatch):
    """``next_cursor`` pages through every record in (publication time, id) order, past the reach of
    ``page``; ``count`` stops at the cap and says so; bad cursors are a 400."""
    from disclosure.api import views

    published = [desk.publish("020503", title=f"配租结果{n}") for n in range(5)]
    newest_first = [record.title for record in reversed(published)]
    first = get_json(client, "/api/v1/records", {"page_size": 2})
    assert first["count"] == 5 and first["count_exact"] is True and first["next"].endswith("page=2")
    seen, body = [r["title"] for r in first["results"]], first
    while body["next_cursor"]:
        body = get_json(client, "/api/v1/records", {"page_size": 2, "cursor": body["next_cursor"]})
        assert body["page"] is None and body["previous"] is None
        seen += [r["title"] for r in body["results"]]
    assert seen == newest_first

    monkeypatch.setattr(views, "LIST_COUNT_MAX", 3)
    capped = get_json(client, "/api/v1/records", {"page_size": 2, "page": 2})
    assert capped["count"] == 3 and capped["count_exact"] is False and capped["num_pages"] == 2
    assert [r["title"] for r in capped["results"]] == newest_first[2:4]
    assert "cursor=" in capped["next"]  # beyond the reach of page, the next link is a cursor
    rest = get_json(client, capped["next"])
    assert [r["title"] for r in rest["results"]] == newest_first[4:] and rest["next"] is None
    assert_error(client, "/api/v1/records", {"page_size": 2, "page": 3}, 400, "invalid_parameter", "page")
    for bad in ("abc", "1_", "9" * 19 + "_1", "1_2_3"):
        assert_error(client, "/api/v1/records", {"cursor": bad}, 400, "invalid_parameter", "cursor")
    assert_error(client, "/api/v1/records", {"cursor": "1_1", "q": "配租"}, 400, "invalid_parameter", "cursor")
    assert_error(client, "/api/v1/records", {"cursor": "1_1", "page": "1"}, 400, "invalid_parameter", "cursor")


@pytest.mark.django_db
def test_record_detail_has_body_and_attachments(client, desk):
    """A record's detail adds summary, sanitised body and its attachments with download links."""
    draft = desk.draft("020503", title="公租房配租结果公示", summary="第一批配租结果", body="<p>名单如下</p>")
    services.attachment_add(
        user=desk.editor,
        record=draft,
        upload=SimpleUploadedFile("名单.pdf", b"%PDF-1.4\nlist\n%%EOF\n", content_type="application/pdf"),
    )
    record = services.record_publish(user=desk.reviewer, record=desk.approve(draft))
    body = get_json(client, f"/api/v1/records/{COUNTY}/{record.index_serial}")
    assert body["summary"] == "第一批配租结果" and body["body_html"] == "<p>名单如下</p>"
    [attachment] = body["attachments"]
    assert attachment["name"] == "名单.pdf" and attachment["size"] > 0 and len(attachment["sha256"]) == 64
    download = client.get(attachment["url"].removeprefix("http://testserver"))
    assert download.status_code == 200


@pytest.mark.django_db
def test_completeness_summary(client, desk, demo_orgs):
    """The completeness summary of the reports, for all visible organisations or a subtree."""
    desk.publish("020503", title="公租房配租结果公示")
    body = get_json(client, "/api/v1/completeness")
    assert {"total", "domains", "organisations", "items"} <= set(body) and "cells" not in body
    assert body["total"]["records"] == 1 and body["total"]["disclosed"] == 1
    township = get_json(client, "/api/v1/completeness", {"org": TOWNSHIP})
    assert [org["code"] for org in township["organisations"]] == [TOWNSHIP]
    assert township["total"]["records"] == 0
    cells = get_json(client, "/api/v1/completeness", {"org": COUNTY, "cells": "true"})["cells"]
    assert any(cell["state"] == "disclosed" and cell["item_code"] == "020503" for cell in cells)
    future = get_json(client, "/api/v1/completeness", {"from": "2099-01-01", "to": "2099-12-31"})
    assert future["total"]["records"] == 0


# --------------------------------------------------------------------------------------- OpenAPI


def _api_routes() -> set[str]:
    """The API's URL patterns, written as OpenAPI paths."""
    import re

    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    routes = set()
    for pattern in api.url_patterns:
        if pattern.name is None:
            continue  # the JSON 404 for everything else
        text = str(pattern.pattern).lstrip("^").rstrip("$").removesuffix("/?")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).replace("\\.", ".")
        routes.add("/" + text)
    return routes


def test_openapi_describes_every_endpoint():
    """Every API route is a path of the OpenAPI document and vice versa."""
    assert _api_routes() == set(PATHS)


@pytest.mark.django_db
def test_openapi_document_is_valid(client):
    """/api/v1/openapi.json is a valid OpenAPI 3.0 document (openapi-spec-validator)."""
    from openapi_spec_validator import validate

    document = get_json(client, "/api/v1/openapi.json")
    validate(document)
    assert document["openapi"].startswith("3.0")
    parameters = {p["name"] for p in document["paths"]["/records"]["get"]["parameters"]}
    assert parameters == {
        "org", "node", "year", "type", "validity", "topic", "keyword", "q", "page", "page_size", "cursor"
    }


# ---------------------------------------------------------------------------------------- errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "٣"}, "page"),  # a non-ASCII digit
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"year": "20x6"}, "year"),
        ({"year": "99999999999999999999999"}, "year"),
        ({"page": "9" * 5000}, "page"),
        ({"type": "secret"}, "type"),
        ({"validity": "maybe"}, "validity"),
        ({"topic": "housing"}, "topic"),
        ({"keyword": "词" * 101}, "keyword"),
        ({"org": "../etc"}, "org"),
        ({"org": "999999"}, "org"),
        ({"org": "\x00"}, "org"),
        ({"node": "nope"}, "node"),
        ({"q": "征" * 101}, "q"),
    ],
)
def test_bad_record_parameters_are_400_json(client, standard_catalog, demo_orgs, params, parameter):
    """Each bad parameter gets a 400 JSON error naming it, with a Chinese message; never a 500."""
    assert_error(client, "/api/v1/records", params, 400, "invalid_parameter", parameter)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "from"),
        ({"org": "nope"}, "org"),
        ({"cells": "perhaps"}, "cells"),
    ],
)
def test_bad_completeness_parameters_are_400_json(client, standard_catalog, demo_orgs, params, parameter):
    """The completeness endpoint checks its parameters the same way."""
    assert_error(client, "/api/v1/completeness", params, 400, "invalid_parameter", parameter)


@pytest.mark.django_db
def test_unknown_things_are_404_json_and_writes_are_405(client, standard_catalog, demo_orgs):
    """Unknown endpoints, records and pages are 404 JSON; other methods than GET are 405 JSON."""
    assert_error(client, "/api/v1/nothing-here", {}, 404, "not_found")
    assert_error(client, "/api/v1/records/419901/2026-99999", {}, 404, "not_found")
    assert_error(client, "/api/v1/records/nope/x", {}, 404, "not_found")
    assert_error(client, "/api/v1/records", {"page": "2"}, 404, "not_found")
    response = client.post("/api/v1/records", {"title": "x"})
    assert response.status_code == 405 and json.loads(response.content)["error"]["code"] == "method_not_allowed"
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/records")
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------------------------------- no leak


@pytest.mark.django_db
def test_no_endpoint_reveals_a_non_public_record(client, standard_catalog, demo_orgs):
    """Records in every state and openness, superseded ones and hidden ones: only public ones appear."""
    world = leak_world(demo_orgs)

    def keys_in(payload) -> set[str]:
        found = set(re.findall(r"mk[a-z]+", json.dumps(payload, ensure_ascii=False)))
        return {key for key in world if marker(key) in found}

    listed = get_json(client, "/api/v1/records", {"page_size": 100})
    assert keys_in(listed) == PUBLIC_KEYS
    assert listed["count"] == len(PUBLIC_KEYS)
    assert keys_in(get_json(client, "/api/v1/records", {"q": LEAK_WORDS, "page_size": 100})) == PUBLIC_KEYS
    for key, record in world.items():
        assert keys_in(get_json(client, "/api/v1/records", {"q": marker(key)})) == (
            {key} if key in PUBLIC_KEYS else set()
        ), key
        if record.index_number:
            org = record.organisation.code
            response = client.get(f"/api/v1/records/{org}/{record.index_serial}")
            served = keys_in(json.loads(response.content))
            if key in PUBLIC_KEYS:
                assert response.status_code == 200 and served == {key}, key
            elif key == "superseded":
                # It shares its index number with its revision, which is what is served.
                assert served == {"revision"}
            else:
                assert response.status_code == 404 and served == set(), key
    completeness = get_json(client, "/api/v1/completeness", {"cells": "true"})
    assert completeness["total"]["records"] == len(PUBLIC_KEYS)
    organisations = {o["code"] for o in get_json(client, "/api/v1/organisations")["results"]}
    assert "419901002" not in organisations


# ----------------------------------------------------------------------------------- query counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_data(client, desk, demo_orgs, monkeypatch):
    """Each endpoint costs the same number of queries with 2 or 22 public records."""
    from disclosure.search import synonyms

    # The synonym table is read once a minute; publishing 20 records may take longer on a busy machine.
    monkeypatch.setattr(synonyms, "CACHE_SECONDS", 3600)
    synonyms._cache.clear()
    urls = [
        "/api/v1/catalog",
        "/api/v1/organisations",
        "/api/v1/records",
        f"/api/v1/records?org={COUNTY}&node=02&year={timezone.localdate().year}&type=result",
        "/api/v1/records?q=配租",
        "/api/v1/completeness",
    ]

    def counts():
        result = {}
        for url in urls:
            result[url] = count_queries(client, url)
        latest = Record.objects.filter(status="published").order_by("-pk").first()
        result["detail"] = count_queries(client, f"/api/v1/records/{COUNTY}/{latest.index_serial}")
        return result

    for n in range(2):
        desk.publish("020503", title=f"公租房配租结果{n}", record_type="result")
    counts()  # reads the synonym table once
    small = counts()
    for n in range(20):
        desk.publish("020503", title=f"配租结果公示{n}", record_type="result")
    assert counts() == small
    assert small["/api/v1/records"] == 2  # count and page
    assert small["detail"] == 2  # record and its attachments
