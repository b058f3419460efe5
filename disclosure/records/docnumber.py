"""The document number (发文字号, 文号) in the form GB/T 9704-2012 gives it: 发文机关代字 + the year in
六角括号〔〕with four digits + the serial number + 号, without 第 and without leading zeros:
``豫建〔2024〕12号``.

``normalise_document_number`` fixes what is only typing (spaces, full-width digits, and the brackets
people type instead of 〔〕: [] () （） 【】 ［］ 〖〗 around a four-digit year); ``document_number_problem``
says, in Chinese, why a number still does not have the standard form. Other forms exist (a number
issued by a body outside the GB/T 9704 system, an old document): the form accepts them only with an
explicit confirmation.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

STANDARD = re.compile(r"^(?P<agency>[\u4e00-\u9fffA-Za-z]{1,20})〔(?P<year>\d{4})〕(?P<serial>[1-9]\d{0,5})号$")
_OTHER_BRACKETS = re.compile(r"[\[(（【［〖]\s*(\d{4})\s*[\])）】］〗]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_document_number(text: str) -> str:
    """The number with typing slips fixed: spaces removed, digits half-width, the year's brackets 〔〕."""
    text = re.sub(r"\s+", "", (text or "").translate(_FULL_WIDTH_DIGITS))
    return _OTHER_BRACKETS.sub(r"〔\1〕", text)


def document_number_problem(text: str) -> str | None:
    """Why ``text`` (already normalised) is not of the standard form, or None when it is (or empty)."""
    if not text:
        return None
    if STANDARD.match(text):
        return None
    example = _("标准格式为“发文机关代字〔年份〕序号号”，如“豫建〔2024〕12号”")
    if "〔" not in text:
        return _("文号缺少用六角括号〔〕括起的四位年份。%s。") % example
    if re.search(r"〔\d{1,3}〕", text):
        return _("文号中的年份应写全四位，如〔2024〕。%s。") % example
    if "第" in text:
        return _("文号的序号前不加“第”字。%s。") % example
    if re.search(r"〕0\d", text):
        return _("文号的序号不编虚位，不加“0”。%s。") % example
    return _("文号格式不符合GB/T 9704。%s。") % example
