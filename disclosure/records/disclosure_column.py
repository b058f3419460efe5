"""The catalog nodes of the 政府信息公开 column (国办公开办函〔2019〕61号) that hold records.

Of the column's four fixed sub-columns, two hold records: 政府信息公开制度 (the organisation's rules on
disclosure, filed by staff like any record) and 政府信息公开年报 (the annual reports, generated from
``disclosure.reports``). Records need a catalog node, so these two are catalog nodes under a root
"政府信息公开", applying to county and township organisations like the housing catalog. The other two
sub-columns are pages: the disclosure guide and the housing catalog's columns (法定主动公开内容).

The nodes are standard nodes (provenance 标准, basis 61号), made idempotently by
``ensure_disclosure_column_nodes`` (seed_demo, the annual report service, the command
``ensure_disclosure_column``), through the catalog's save service.
"""

from __future__ import annotations

from django.db import transaction

from catalog import services as catalog_services
from catalog.models import CatalogNode, Method, OrgLevel, Origin, Provenance

ROOT_CODE = "GK"
RULES_CODE = "GK01"
REPORTS_CODE = "GK02"
COLUMN_CODES = (ROOT_CODE, RULES_CODE, REPORTS_CODE)
LEVELS = [OrgLevel.COUNTY.value, OrgLevel.TOWNSHIP.value]
BASIS = "《中华人民共和国政府信息公开条例》；国办公开办函〔2019〕61号"

# code, parent, name, content, sort order, freshness (days): a report a year, published by 31 January.
NODES = (
    (ROOT_CODE, None, "政府信息公开", "", 900, None),
    (RULES_CODE, ROOT_CODE, "政府信息公开制度", "本机关政府信息公开工作制度（保密审查、依申请公开办理、主动公开、考核等）", 10, None),
    (
        REPORTS_CODE, ROOT_CODE, "政府信息公开年报",
        "政府信息公开工作年度报告（条例第四十九条、第五十条；国办公开办函〔2021〕30号格式）", 20, 400,
    ),
)


@transaction.atomic
def ensure_disclosure_column_nodes() -> dict[str, CatalogNode]:
    """The three nodes by code, made where missing (existing ones are left as they are)."""
    found = {node.code: node for node in CatalogNode.objects.filter(code__in=COLUMN_CODES)}
    for code, parent, name, content, sort_order, freshness_days in NODES:
        if code in found:
            continue
        node = CatalogNode(
            code=code,
            parent=found.get(parent) if parent else None,
            name=name,
            content=content,
            basis=BASIS if parent else "",
            sort_order=sort_order,
            freshness_days=freshness_days,
            levels=list(LEVELS),
            method=Method.PROACTIVE,
            provenance=Provenance.SOURCED,
            # Fixed by 国办公开办函〔2019〕61号 for every organisation: the platform's, like the guideline's nodes.
            origin=Origin.STANDARD,
        )
        found[code] = catalog_services.catalog_node_save(node=node)
    return found
