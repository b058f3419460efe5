"""Turning the published catalog table (standard-catalog.yaml) into fixtures/standard-catalog.json.

The table's cells are text as published; the portal also needs structured values it can compute
with (time limit in working days and its trigger, channels each required or optional, levels as
a set). The parsing rules live here, in one place, and the result is committed as JSON so that a
clean clone needs neither the YAML nor PyYAML to load the catalog.
"""

from __future__ import annotations

import re

CHANNELS = [
    ("website", "政府网站"),
    ("gazette", "政府公报"),
    ("new_media", "两微一端"),
    ("press", "发布会/听证会"),
    ("broadcast", "广播电视"),
    ("print", "纸质媒体"),
    ("reading_point", "公开查阅点"),
    ("service_center", "政务服务中心"),
    ("service_station", "便民服务站"),
    ("on_site", "入户/现场"),
    ("notice_board", "社区/企事业单位/村公示栏（电子屏）"),
    ("targeted_push", "精准推送"),
    ("other", "其他"),
]

# Names used in the published cells for the checklist's channels.
CHANNEL_SYNONYMS = {
    "政府网站": "website",
    "政府门户网站": "website",
    "政务服务网": "website",
    "政府公报": "gazette",
    "两微一端": "new_media",
    "发布会": "press",
    "听证会": "press",
    "广播电视": "broadcast",
    "纸质媒体": "print",
    "公开查阅点": "reading_point",
    "政务服务中心": "service_center",
    "便民服务站": "service_station",
    "便民服务中心": "service_station",
    "入户/现场": "on_site",
    "现场": "on_site",
    "社区公示栏": "notice_board",
    "村公示栏": "notice_board",
    "村委会公示栏": "notice_board",
    "公示栏": "notice_board",
    "精准推送": "targeted_push",
    "其他": "other",
}

LEVELS = {
    "县级": ["county"],
    "乡级": ["township"],
    "乡（村）级": ["township", "village"],
    "村级": ["village"],
}

_TOKEN = re.compile(r"([■□])\s*([^\s■□（）()；;，,]+)")
_DAYS = re.compile(r"(\d+)\s*个工作日")


def parse_channels(text: str) -> list[dict]:
    """■X is required, □X optional; anything inside brackets is a variant or an option, so optional."""
    found: dict[str, dict] = {}
    depth = 0
    position = 0
    for match in _TOKEN.finditer(text):
        depth += text.count("（", position, match.start()) + text.count("(", position, match.start())
        depth -= text.count("）", position, match.start()) + text.count(")", position, match.start())
        position = match.start()
        mark, raw = match.groups()
        raw = raw.rstrip("_")
        whole = raw.removesuffix("等可选").removesuffix("可选")
        names = [whole] if whole in CHANNEL_SYNONYMS else re.split(r"[／/]", whole)
        for name in names:
            code = CHANNEL_SYNONYMS.get(name.strip())
            if not code:
                continue
            required = mark == "■" and depth == 0
            checklist_names = {n for _, n in CHANNELS}
            note = "" if name in checklist_names else name
            if code in found:
                found[code]["required"] = found[code]["required"] or required
            else:
                found[code] = {"channel": code, "required": required, "note": note}
    return sorted(found.values(), key=lambda c: [code for code, _ in CHANNELS].index(c["channel"]))


def parse_time_limit(text: str) -> tuple[int | None, str]:
    match = _DAYS.search(text)
    if not match:
        return None, "none"
    trigger = "application" if "申请" in text[: match.start()] else "formed"
    return int(match.group(1)), trigger


def parse_levels(text: str) -> list[str]:
    levels: list[str] = []
    for part in re.split(r"[、，,]", text):
        for level in LEVELS.get(part.strip(), []):
            if level not in levels:
                levels.append(level)
    return levels


def item_from_row(code: str, order: int, row: dict, origin: str = "standard") -> dict:
    days, trigger = parse_time_limit(row["time_limit"])
    return {
        "code": code,
        "name": row["name"],
        "sort_order": order,
        "origin": origin,
        "provenance": row["provenance"],
        "content": row["content"].strip(),
        "basis": " ".join(row["basis"].split()),
        "time_limit_text": row["time_limit"],
        "time_limit_days": days,
        "time_limit_trigger": trigger,
        "subject": row["subject"],
        "channels_text": row["channels"],
        "channels": parse_channels(row["channels"]),
        "audience": row["audience"],
        "audience_scope": "public" if row["audience"].startswith("全社会") else "specific",
        "method": "on_application" if row["method"].startswith("依申请") else "proactive",
        "levels": parse_levels(row["level"]),
    }


def _group(code: str, name: str, order: int, children: list[dict], origin: str = "standard") -> dict:
    """A domain or first-level item: its levels are those of the items beneath it.

    The domains and first-level items are named in the guideline itself (section 三), so they are
    read from the source (``sourced``); the extra items come from other provinces' copies.
    """
    levels: list[str] = []
    for child in children:
        levels += [level for level in child["levels"] if level not in levels]
    return {
        "code": code,
        "name": name,
        "sort_order": order,
        "origin": origin,
        "provenance": "sourced",
        "levels": levels,
        "children": children,
    }


def build(table: dict) -> dict:
    """The JSON fixture for a parsed standard-catalog.yaml."""
    domains = []
    domain_codes = {}
    for d, domain in enumerate(table["domains"], start=1):
        dcode = f"{d:02d}"
        domain_codes[domain["name"]] = (dcode, len(domain["items"]))
        items = []
        for i, item in enumerate(domain["items"], start=1):
            icode = f"{dcode}{i:02d}"
            children = [
                item_from_row(f"{icode}{c:02d}", c, row)
                for c, row in enumerate(item["children"], start=1)
            ]
            items.append(_group(icode, item["name"], i, children))
        domains.append(_group(dcode, domain["name"], d, items))

    extras = []
    next_index = {name: count for name, (_, count) in domain_codes.items()}
    for item in table.get("extra_items", []):
        dcode, _ = domain_codes[item["domain"]]
        next_index[item["domain"]] += 1
        i = next_index[item["domain"]]
        icode = f"{dcode}{i:02d}"
        children = [
            item_from_row(f"{icode}{c:02d}", c, row, origin="supplement")
            for c, row in enumerate(item["children"], start=1)
        ]
        extra = _group(icode, item["name"], i, children, origin="supplement")
        extra["domain"] = dcode
        extras.append(extra)

    return {
        "about": " ".join(table["about"].split()),
        "channels": [
            {"code": code, "name": name, "sort_order": n} for n, (code, name) in enumerate(CHANNELS, 1)
        ],
        "domains": domains,
        "extra_items": extras,
    }
