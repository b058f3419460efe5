"""Blank forms of service guides, downloaded under the public rule of the guide's record."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from disclosure.files import content_type_for
from disclosure.service_guides import public_guide_form


@require_safe
def guide_form(request, org, number, material_id):
    """A material's blank form, only while the guide's record is public; otherwise the same 404."""
    material = public_guide_form(org_code=org, serial=number, material_id=material_id)
    if material is None:
        raise Http404
    try:
        handle = material.form_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = material.form_file_name or material.form_file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type_for(name))
    response["X-Content-Type-Options"] = "nosniff"
    return response
