"""``{% service_guide record %}``: on a public record page, the structured guide of a 办事指南 record in the
one standard layout, only if the record is public (read through ``public_records()``)."""

from django import template

from disclosure.service_guides.selectors import public_service_guide

register = template.Library()


@register.inclusion_tag("disclosure/service_guides/includes/service_guide.html")
def service_guide(record):
    guide = public_service_guide(record)
    forms = [m for m in guide.materials.all() if m.form_file] if guide else []
    return {"guide": guide, "record": record, "forms": forms}
