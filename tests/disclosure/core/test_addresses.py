"""Public addresses without reverse() each (disclosure/core/addresses.py): always reverse()'s address."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from disclosure.core import addresses

ODD = ["a b", "中文", "x%y", "a?b", "#", "~tilde", "", "a/b", ".", ".."]


def expected(name, args):
    return reverse(name, kwargs=dict(zip(addresses.NAMES[name], args, strict=True)))


@pytest.mark.parametrize("name", sorted(addresses.NAMES))
def test_plain_arguments_give_reverses_address(name):
    """Every name, with codes, serials and dotted or dashed arguments, as reverse() writes it."""
    for args in (("419901", "020501"), ("2026-00017", "a.b_c"), ("X", "y")):
        args = args[: len(addresses.NAMES[name])]
        assert addresses.address(name, *args) == expected(name, args)


@pytest.mark.parametrize("name", ["disclosure:record", "disclosure:column", "disclosure:organisation"])
def test_other_arguments_go_through_reverse(name):
    """Spaces, Chinese, percent signs, slashes: reverse()'s quoting or its NoReverseMatch, exactly."""
    for odd in ODD:
        args = (odd, "2026-00001")[: len(addresses.NAMES[name])]
        try:
            wanted = expected(name, args)
        except Exception as error:  # noqa: BLE001 -- the same error, whatever reverse() raises
            with pytest.raises(type(error)):
                addresses.address(name, *args)
        else:
            assert addresses.address(name, *args) == wanted


def test_a_script_prefix_is_followed():
    """Behind a path prefix (SCRIPT_NAME), the prefix's own addresses."""
    try:
        set_script_prefix("/portal/")
        assert addresses.address("disclosure:column", "419901", "0205") == "/portal/org/419901/0205/"
        assert addresses.address("disclosure:home") == reverse("disclosure:home") == "/portal/"
    finally:
        set_script_prefix("/")
    assert addresses.address("disclosure:column", "419901", "0205") == "/org/419901/0205/"


def test_names_not_listed_and_the_template_tag():
    """Another name is reverse()'s; {% address %} escapes like {% url %}."""
    assert addresses.address("disclosure:sitemap") == "/sitemap.xml"
    template = engines["django"].from_string(
        '{% load addresses %}{% address "disclosure:column" org node %}|{% url "disclosure:column" org node %}'
    )
    plain, odd = template.render({"org": "419901", "node": "0205"}), template.render({"org": "a&b", "node": "<"})
    assert plain == "/org/419901/0205/|/org/419901/0205/"
    left, right = odd.split("|")
    assert left == right
