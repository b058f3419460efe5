"""``{% address "disclosure:column" org node %}``: ``{% url %}`` for the links every public page repeats,
without a reverse() each (disclosure/core/addresses.py). Same address, escaped the same way."""

from django import template

from disclosure.core import addresses

register = template.Library()


@register.simple_tag
def address(name, *args):
    return addresses.address(name, *args)
