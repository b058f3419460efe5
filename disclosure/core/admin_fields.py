"""Form helpers shared by the admin's content forms (records, consultations)."""

from __future__ import annotations

from catalog import selectors as catalog_selectors
from catalog.models import Organisation
from disclosure.core import access


def limit_organisation_field(form, user) -> Organisation | None:
    """Only a superuser adding an object chooses its organisation; staff file for their own one, and
    an object never changes organisation. Returns the fixed organisation, None while choosing."""
    field = form.fields.get("organisation")
    instance = form.instance
    if instance.pk is None and user is not None and user.is_superuser:
        if field is not None:
            field.queryset = catalog_selectors.disclosing_organisations()
        return None
    fixed = instance.organisation if instance.organisation_id else access.organisation_of(user)
    if field is not None:
        field.queryset = Organisation.objects.filter(pk=fixed.pk) if fixed else Organisation.objects.none()
        field.disabled = True
        form.initial["organisation"] = field.initial = fixed.pk if fixed else None
    return fixed
