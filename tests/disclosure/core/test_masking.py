"""The masks of personal data (disclosure/core/masking.py), with the expected forms written by hand."""

import pytest

from disclosure.core import masking


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("410105199001011234", "4101**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("E12345678", "E*******8"),  # a passport: first and last only
        ("", ""),
    ],
)
def test_id_number_keeps_four_and_four(value, expected):
    """An 18-character ID keeps its first four and last four characters; shorter numbers less."""
    assert masking.mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13812345678", "138****5678"), ("0371-66668888", "0371****8888"), ("12345", "1****"), ("", "")],
)
def test_phone_keeps_three_and_four(value, expected):
    """A mobile keeps 3 + 4 digits, a landline its area code and last four; a short number its first."""
    assert masking.mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("张三", "张*"), ("王小明", "王**"), ("欧阳修文", "欧阳**"), ("欧阳修", "欧阳*"), ("Smith", "S****"), ("", "")],
)
def test_name_keeps_the_surname(value, expected):
    """A name keeps its surname, a compound surname (复姓) whole."""
    assert masking.mask_name(value) == expected


def test_email_address_and_postcode():
    """E-mail keeps one letter and the domain; an address its first six characters; a postcode nothing."""
    assert masking.mask_email("zhangsan@example.cn") == "z***@example.cn"
    assert masking.mask_address("清河县城关镇幸福路1号") == "清河县城关镇****"
    assert masking.mask_all("419900") == "****"
    assert masking.mask_email("") == masking.mask_address("") == masking.mask_all("") == ""
