"""The OpenAPI 3.0 description of /api/v1/, written out by hand: it is the promise made to re-users."""

from __future__ import annotations

from disclosure.api.params import PAGE_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from disclosure.records.metadata import Topic
from disclosure.records.models import RecordType, Validity
from disclosure.search.selectors import QUERY_MAX_LENGTH

CODE = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict) -> dict:
    # An empty value (``?org=``, as an HTML form sends an unfilled field) counts as not given.
    return {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "description": description,
        "schema": schema,
    }


def _path(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _ok(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


ERROR_400 = {"$ref": "#/components/responses/BadRequest"}
ERROR_404 = {"$ref": "#/components/responses/NotFound"}
ERROR_500 = {"$ref": "#/components/responses/ServerError"}

RECORD_FILTERS = [
    _query("org", "公开单位编码（仅该单位，不含下级单位）。", CODE),
    _query("node", "目录栏目编码，含其下级栏目。", CODE),
    _query("year", "发布年份（北京时间）。", {"type": "integer", "minimum": 1949, "maximum": 2100}),
    _query("type", "信息类别。", {"type": "string", "enum": list(RecordType.values)}),
    _query("validity", "有效性。", {"type": "string", "enum": list(Validity.values)}),
    _query("topic", "主题分类（国务院政府信息公开目录的一级主题分类）。", {"type": "string", "enum": list(Topic.values)}),
    _query("keyword", "主题词（整词匹配）。", {"type": "string", "maxLength": QUERY_MAX_LENGTH}),
    _query(
        "q",
        "检索词：在标题、文号和正文中全文检索（中文按相邻两字切分，数字和字母按整词），"
        "给出时结果按相关度排序；只含标点时视为未给出。",
        {"type": "string", "maxLength": QUERY_MAX_LENGTH},
    ),
    _query(
        "page",
        "页码，从 1 开始。只能翻到前 10000 条（给出 q 时前 1000 条），更多记录请用 cursor。",
        {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
    ),
    _query(
        "cursor",
        "游标翻页：上一页返回的 next_cursor，取其后的一页（按发布时间倒序，可翻到最后一条）；"
        "不能与 page 或 q 同用。",
        {"type": "string", "pattern": r"^\d{1,18}_\d{1,18}$"},
    ),
    _query(
        "page_size",
        "每页条数。",
        {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX, "default": PAGE_SIZE_DEFAULT},
    ),
]

NULLABLE_STRING = {"type": "string", "nullable": True}
NAMED = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "invalid_parameter",
                            "invalid_request",
                            "not_found",
                            "method_not_allowed",
                            "server_error",
                        ],
                    },
                    "message": {"type": "string", "description": "中文说明。"},
                    "parameter": {"type": "string", "description": "出错的参数名。"},
                },
            }
        },
    },
    "Index": {
        "type": "object",
        "required": ["name", "version", "endpoints"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "endpoints": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
        },
    },
    "Channel": {
        "type": "object",
        "required": ["code", "name", "required"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string", "description": "公开渠道和载体。"},
            "required": {"type": "boolean", "description": "必选（■）为 true，可选（□）为 false。"},
        },
    },
    "CatalogNode": {
        "type": "object",
        "required": ["code", "name", "depth", "method", "levels", "origin", "children"],
        "properties": {
            "code": {"type": "string", "description": "稳定编码：领域 01，一级事项 0101，二级事项 010101。"},
            "name": {"type": "string"},
            "depth": {"type": "integer", "description": "0 领域，1 一级事项，2 二级事项，更深为本地细化。"},
            "content": {"type": "string", "description": "公开内容要素。"},
            "basis": {"type": "string", "description": "公开依据。"},
            "time_limit": {"type": "string", "description": "公开时限（标准目录原文）。"},
            "time_limit_days": {"type": "integer", "nullable": True, "description": "时限折算的工作日数。"},
            "time_limit_trigger": {"type": "string", "enum": ["formed", "application", "none"]},
            "subject": {"type": "string", "description": "公开主体。"},
            "channels": {"type": "array", "items": _ref("Channel")},
            "channels_text": {"type": "string", "description": "公开渠道和载体（原文）。"},
            "audience": {"type": "string", "description": "公开对象。"},
            "audience_scope": {"type": "string", "enum": ["public", "specific"]},
            "method": {"type": "string", "enum": ["proactive", "on_application"], "description": "公开方式。"},
            "levels": {
                "type": "array",
                "items": {"type": "string", "enum": ["province", "city", "county", "township", "village"]},
                "description": "适用的机构层级。",
            },
            "provenance": {
                "type": "string",
                "enum": ["sourced", "partial", "reconstructed", "local"],
                "description": "要素来源：sourced 见于公布的目录；partial 部分要素依法补全；"
                "reconstructed 依据法规重建，待主管部门确认；local 本单位细化。",
            },
            "origin": {
                "type": "string",
                "enum": ["standard", "supplement", "local"],
                "description": "目录来源：standard 标准目录；supplement 参考各地目录补充；local 本单位细化。",
            },
            "owner": {**NULLABLE_STRING, "description": "本单位细化事项所属机构的编码；平台目录事项为 null。"},
            "children": {"type": "array", "items": _ref("CatalogNode")},
        },
    },
    "Catalog": {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": _ref("CatalogNode")}},
    },
    "Organisation": {
        "type": "object",
        "required": ["code", "name", "level", "parent", "disclosing"],
        "properties": {
            "code": {"type": "string", "description": "机构编码（行政区划代码等）。"},
            "name": {"type": "string"},
            "short_name": {"type": "string"},
            "level": {"type": "string", "enum": ["province", "city", "county", "township", "village"]},
            "parent": {**NULLABLE_STRING, "description": "上级机构编码；顶层为 null。"},
            "disclosing": {"type": "boolean", "description": "是否有适用的公开目录（设有公开栏目）。"},
            "url": {**NULLABLE_STRING, "format": "uri"},
            "address": {"type": "string"},
            "postcode": {"type": "string"},
            "office_hours": {"type": "string"},
            "phone": {"type": "string"},
            "email": {"type": "string"},
            "website": {"type": "string"},
        },
    },
    "OrganisationList": {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "results": {"type": "array", "items": _ref("Organisation")},
        },
    },
    "RecordSummary": {
        "type": "object",
        "required": [
            "index_number",
            "title",
            "organisation",
            "node",
            "record_type",
            "validity",
            "topic",
            "keywords",
            "published_at",
            "url",
            "api_url",
        ],
        "properties": {
            "index_number": {"type": "string", "description": "索引号。"},
            "title": {"type": "string"},
            "document_number": {"type": "string", "description": "文号。"},
            "issuing_body": {"type": "string", "description": "发文机关。"},
            "organisation": NAMED,
            "node": NAMED,
            "record_type": {"type": "string", "enum": list(RecordType.values)},
            "record_type_label": {"type": "string"},
            "validity": {"type": "string", "enum": list(Validity.values)},
            "validity_label": {"type": "string"},
            "topic": {"type": "string", "enum": list(Topic.values), "description": "主题分类。"},
            "topic_label": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}, "description": "主题词。"},
            "written_on": {**NULLABLE_STRING, "format": "date", "description": "成文日期。"},
            "formed_on": {**NULLABLE_STRING, "format": "date", "description": "信息形成（变更）日期。"},
            "published_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri", "description": "网页地址。"},
            "api_url": {"type": "string", "format": "uri"},
            "score": {"type": "number", "description": "相关度（仅在按检索词查询时给出，越大越相关）。"},
        },
    },
    "RecordList": {
        "type": "object",
        "required": [
            "count", "count_exact", "page", "page_size", "num_pages", "next", "previous", "next_cursor", "results"
        ],
        "properties": {
            "count": {
                "type": "integer",
                "description": "符合条件的条数，最多计到 10000（给出 q 时最多 1000）；count_exact 为 false 时实际更多。",
            },
            "count_exact": {"type": "boolean", "description": "count 是否为准确条数。"},
            "page": {"type": "integer", "nullable": True, "description": "页码；按 cursor 翻页时为 null。"},
            "page_size": {"type": "integer"},
            "num_pages": {"type": "integer", "description": "按 count 计算的页数。"},
            "next": {**NULLABLE_STRING, "format": "uri", "description": "下一页地址（超出 page 可达范围后改用 cursor）。"},
            "previous": {**NULLABLE_STRING, "format": "uri"},
            "next_cursor": {**NULLABLE_STRING, "description": "下一页的游标（未给出 q 且还有下一页时）。"},
            "results": {"type": "array", "items": _ref("RecordSummary")},
        },
    },
    "Attachment": {
        "type": "object",
        "required": ["name", "kind", "size", "sha256", "url"],
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Record": {
        "allOf": [
            _ref("RecordSummary"),
            {
                "type": "object",
                "required": ["summary", "body_html", "attachments"],
                "properties": {
                    "summary": {"type": "string", "description": "内容概述。"},
                    "body_html": {"type": "string", "description": "正文（已清理的 HTML）。"},
                    "attachments": {"type": "array", "items": _ref("Attachment")},
                },
            },
        ]
    },
    "Tally": {
        "type": "object",
        "properties": {
            "required": {"type": "integer", "description": "应主动公开的事项数。"},
            "disclosed": {"type": "integer"},
            "missing": {"type": "integer"},
            "on_application": {"type": "integer"},
            "not_applicable": {"type": "integer"},
            "coverage": {"type": "number", "nullable": True, "description": "已公开 / 应公开（百分比）。"},
            "records": {"type": "integer"},
            "flagged": {"type": "integer"},
            "latest": {**NULLABLE_STRING, "format": "date"},
        },
    },
    "Completeness": {
        "type": "object",
        "required": ["total", "domains", "organisations", "items"],
        "properties": {
            "published_from": {**NULLABLE_STRING, "format": "date"},
            "published_to": {**NULLABLE_STRING, "format": "date"},
            "total": _ref("Tally"),
            "domains": {
                "type": "array",
                "items": {"allOf": [NAMED, _ref("Tally")]},
            },
            "organisations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "level": {"type": "string"},
                        "parent": NULLABLE_STRING,
                        "depth": {"type": "integer"},
                        "own": _ref("Tally"),
                        "total": _ref("Tally"),
                    },
                },
            },
            "items": {
                "type": "array",
                "items": {"type": "object", "description": "每个二级事项在所选单位中的公开情况（含 Tally 各项）。"},
            },
            "cells": {
                "type": "array",
                "description": "单位 × 事项的明细，仅在 cells=true 时给出。",
                "items": {"type": "object"},
            },
        },
    },
}


def _get(summary: str, description: str, parameters: list, ok: dict, *errors: dict) -> dict:
    responses = {"200": ok}
    for code, error in zip(("400", "404"), errors):
        if error is not None:
            responses[code] = error
    responses["500"] = ERROR_500  # never meant to happen; if it does, the answer is still JSON
    return {"get": {"summary": summary, "description": description, "parameters": parameters, "responses": responses}}


PATHS = {
    "/": _get("接口索引", "各接口的地址。", [], _ok("接口索引", "Index")),
    "/openapi.json": _get(
        "接口说明", "本 OpenAPI 3.0 文档。", [], {"description": "OpenAPI 文档", "content": {"application/json": {}}}
    ),
    "/catalog": _get(
        "标准目录",
        "启用中的标准目录树（领域 › 一级事项 › 二级事项 › 本地细化），含各项标准属性。",
        [],
        _ok("目录树", "Catalog"),
    ),
    "/organisations": _get(
        "机构",
        "启用中的机构，按树的先序排列，每个机构给出上级机构编码。",
        [],
        _ok("机构列表", "OrganisationList"),
    ),
    "/records": _get(
        "公开信息列表",
        "主动公开且已发布的政府信息，默认按发布时间倒序；给出检索词 q 时按相关度排序"
        "（在最新的 1000 条匹配信息中排序）。计数有上限，深翻页用 cursor：每个请求只读取有限的行。",
        RECORD_FILTERS,
        _ok("一页公开信息", "RecordList"),
        ERROR_400,
        ERROR_404,
    ),
    "/records/{org}/{number}": _get(
        "公开信息详情",
        "一条公开信息的元数据、正文与附件。未公开、已撤回或不存在的信息均答复 404。",
        [
            _path("org", "公开单位编码。", CODE),
            _path(
                "number",
                "索引号中“年份-序号”部分，如 2026-00012。",
                {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f/]+$"},
            ),
        ],
        _ok("公开信息", "Record"),
        ERROR_400,  # a control character in the address
        ERROR_404,
    ),
    "/completeness": _get(
        "目录公开完整性",
        "每个单位、每个适用的二级事项是否已有公开信息（仅统计已公开的信息）。",
        [
            _query("org", "只统计该单位及其下级单位。", CODE),
            _query("from", "发布日期起（含），1900 年到 2999 年之间。", {"type": "string", "format": "date"}),
            _query("to", "发布日期止（含），1900 年到 2999 年之间。", {"type": "string", "format": "date"}),
            _query("cells", "是否给出单位 × 事项明细。", {"type": "boolean", "default": False}),
        ],
        _ok("完整性统计", "Completeness"),
        ERROR_400,
    ),
}


def openapi_document(*, server_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "政务公开开放数据接口",
            "version": "1.0.0",
            "description": (
                "住房城乡建设领域政务公开平台的只读数据接口。只提供主动公开且已发布的信息；"
                "所有接口只接受 GET，允许任意来源跨域读取（Access-Control-Allow-Origin: *）。"
                '参数错误答复 400，资源不存在答复 404，服务器内部错误答复 500，均为 JSON：{"error": {"code", "message"}}。'
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                "BadRequest": {
                    "description": "参数错误",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
                "NotFound": {
                    "description": "不存在或未公开",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
                "ServerError": {
                    "description": "服务器内部错误",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
            },
        },
    }
