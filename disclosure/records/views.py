"""Public record pages and attachment downloads.

Both read through ``disclosure.records.selectors`` (``public_record``, ``public_attachment``), which start from
``public_records()``. Anything not public answers the same 404 as something that never existed.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from disclosure.core.downloads import attachment_response
from disclosure.records import body_images, selectors


@require_safe
def record(request, org, number):
    """A public record: metadata header, body, attachments, public related records.

    A withdrawn record whose reviewer chose a public notice answers 410 with title, index number and
    withdrawal date only.
    """
    current = selectors.public_record(org_code=org, serial=number)
    if current is None:
        notice = selectors.withdrawal_notice(org_code=org, serial=number)
        if notice is not None:
            return render(request, "disclosure/records/record_withdrawn.html", {"notice": notice}, status=410)
        raise Http404
    return render(request, "disclosure/records/record.html", page_context(current))


def page_context(current) -> dict:
    """What the record page shows of ``current``; the staff preview (disclosure/records/preview.py) renders
    the same template from the same context, so that it shows exactly what the public will see."""
    tree = catalog_selectors.catalog_tree()
    node = catalog_selectors.find_in_tree(tree, current.node.code) or current.node
    related = (
        selectors.public_records()
        .filter(pk__in=current.related.values("pk"))
        .select_related("organisation")
        .order_by("-published_at", "-id")
    )
    return {
        "record": current,
        "organisation": current.organisation,
        "node": node,
        "path": catalog_selectors.path_in_tree(node),
        "attachments": list(current.attachments.all()),
        "related": list(related),
    }


@require_safe
def attachment(request, org, number, attachment_id):
    """Download one attachment of a public record, under its original name, never rendered inline."""
    return attachment_response(
        selectors.public_attachment(org_code=org, serial=number, attachment_id=attachment_id)
    )


@require_safe
def image(request, digest):
    """An image of a record body, shown inline: to the public when a public record has it as an attachment;
    to staff also when a record they may read has it (the editor, the preview), then never cached."""
    found = selectors.public_image(digest)
    private = found is None
    if private:
        found = body_images.staff_image(request.user, digest)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=body_images.IMAGE_TYPES[found.kind])
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        add_never_cache_headers(response)
    return response
