"""``{% interpretation_links record %}``: on a public record page, the policy an interpretation explains
and the interpretations of a policy, each only if public (read through ``public_records()``)."""

from django import template

from disclosure.interpretations.selectors import interpretation_links as links_of

register = template.Library()


@register.inclusion_tag("disclosure/interpretations/includes/interpretation_links.html")
def interpretation_links(record):
    return links_of(record)
