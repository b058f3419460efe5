"""Blank forms of service guides, downloaded under the public rule of the guide's record."""

from django.http import Http404
from django.views.decorators.http import require_safe

from disclosure.core.downloads import file_response
from disclosure.service_guides.selectors import public_guide_form


@require_safe
def guide_form(request, org, number, material_id):
    """A material's blank form, only while the guide's record is public; otherwise the same 404."""
    material = public_guide_form(org_code=org, serial=number, material_id=material_id)
    if material is None:
        raise Http404
    name = material.form_file_name or material.form_file.name.rsplit("/", 1)[-1]
    return file_response(material.form_file, name)
