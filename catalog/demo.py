"""The fictional demo county used by `seed_demo` and by tests that want a realistic tree."""

from catalog.models import Organisation, OrgLevel
from catalog.services import organisation_save

DEMO_ORGANISATIONS = [
    # code, name, level, parent code, extra
    ("410000", "河南省住房和城乡建设厅", OrgLevel.PROVINCE, None, {}),
    ("419900", "示范市住房和城乡建设局", OrgLevel.CITY, "410000", {}),
    (
        "419901",
        "清河县住房和城乡建设局",
        OrgLevel.COUNTY,
        "419900",
        {
            "short_name": "清河县住建局",
            "address": "清河县人民路88号政务服务中心三楼",
            "postcode": "419900",
            "office_hours": "工作日 上午8:30-12:00，下午14:30-17:30（法定节假日除外）",
            "phone": "0370-1234567",
            "email": "gongkai@qinghe.example.gov.cn",
        },
    ),
    (
        "419901001",
        "清河县城关镇人民政府",
        OrgLevel.TOWNSHIP,
        "419901",
        {"address": "清河县城关镇政府路1号", "office_hours": "工作日 8:30-17:30", "phone": "0370-1234601"},
    ),
    (
        "419901002",
        "清河县柳林镇人民政府",
        OrgLevel.TOWNSHIP,
        "419901",
        {"address": "清河县柳林镇柳林大街18号", "office_hours": "工作日 8:30-17:30", "phone": "0370-1234602"},
    ),
    (
        "419901003",
        "清河县杨庄乡人民政府",
        OrgLevel.TOWNSHIP,
        "419901",
        {"address": "清河县杨庄乡杨庄村东", "office_hours": "工作日 8:30-17:30", "phone": "0370-1234603"},
    ),
]

DEMO_COUNTY = "419901"


def ensure_demo_organisations() -> dict[str, Organisation]:
    """Create (or find) the demo organisations; returns them by code."""
    by_code: dict[str, Organisation] = {}
    for order, (code, name, level, parent, extra) in enumerate(DEMO_ORGANISATIONS, start=1):
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            org = organisation_save(
                organisation=Organisation(
                    code=code, name=name, level=level, parent=by_code.get(parent), sort_order=order, **extra
                )
            )
        by_code[code] = org
    return by_code
