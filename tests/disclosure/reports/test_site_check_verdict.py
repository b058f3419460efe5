"""The site-check verdict as the indicator reads (norms.md, 国办秘函〔2019〕19号): on the real standard
catalog, 回应关切 and 政策解读 are neither 动态要闻 nor 通知公告政策文件 columns but other columns that should
be updated (six calendar months, condition (b)); and every organisation's verdict is explained line by line."""

from datetime import date

import pytest

from disclosure.reports.common import load_catalog
from disclosure.reports.freshness import (
    ColumnKind,
    FreshnessOrganisationRow,
    FreshnessTally,
    ThresholdSource,
    column_kind,
    freshness_threshold,
)


@pytest.mark.django_db
def test_interpretation_and_concern_items_of_the_standard_catalog_are_other_columns(standard_catalog):
    """0208 政策解读 and 0209 回应关切 of 保障性住房: other columns, six calendar months from 2026-08-31
    back to 2026-02-28 = 184 days (hand count: Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 = 184),
    not 14 days and not a fixed 182."""
    items = [item for item in load_catalog().items if item.group.name in ("政策解读", "回应关切")]
    assert {item.group.code for item in items} == {"0208", "0209"}
    for item in items:
        assert column_kind(item) == ColumnKind.OTHER, item.code
        assert freshness_threshold(item, date(2026, 8, 31)) == (184, ThresholdSource.DEFAULT), item.code


def test_the_verdict_is_explained_for_every_condition_passing_or_failing():
    """Three lines, one per condition, with the organisation's count and the limit; met ones marked."""
    row = FreshnessOrganisationRow(organisation=None, depth=0)
    row.own = FreshnessTally(stale=13, stale_key=4, stale_other=9, blank=5)
    lines = row.site_check_lines
    assert [met for _line, met in lines] == [False, False, True]
    assert lines[0][0] == "（一）动态要闻类栏目2周未更新、通知公告政策文件类栏目6个月未更新：4个，5个及以上否决"
    assert lines[1][0] == "（二）其他应更新栏目（含回应关切、政策解读）长期未更新：9个，10个及以上否决"
    assert lines[2][0] == "（三）空白栏目：5个，5个及以上否决"
    assert row.fails_site_check
    row.own = FreshnessTally(stale=0, stale_key=0, stale_other=0, blank=0)
    assert [met for _line, met in row.site_check_lines] == [False, False, False] and not row.fails_site_check
