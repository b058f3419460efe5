"""Demo reading points (政府信息公开查阅点) of the demo county, for `seed_demo`."""

from __future__ import annotations

from catalog.demo import DEMO_COUNTY
from catalog.models import Organisation
from disclosure.site.models import ReadingPoint

READING_POINTS = [
    {
        "name": "清河县政务服务中心政府信息公开查阅点",
        "address": "清河县人民路88号政务服务中心一楼大厅东侧",
        "opening_hours": "工作日 上午8:30-12:00，下午14:30-17:30",
        "phone": "0370-1234568",
        "note": "可查阅、抄录主动公开的政府信息，提供免费复印（每次不超过20页）。",
        "sort_order": 1,
    },
    {
        "name": "清河县档案馆政府信息查阅室",
        "address": "清河县文化路6号县档案馆二楼",
        "opening_hours": "周一至周五 9:00-17:00（法定节假日除外）",
        "phone": "0370-1234590",
        "note": "",
        "sort_order": 2,
    },
]


def ensure_demo_reading_points() -> int:
    """The demo county's two reading points, once."""
    county = Organisation.objects.get(code=DEMO_COUNTY)
    for values in READING_POINTS:
        ReadingPoint.objects.get_or_create(organisation=county, name=values["name"], defaults=values)
    return len(READING_POINTS)
