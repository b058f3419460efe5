"""Serving a stored file for download, whoever owns it (a record, a consultation, a service guide).

Which file the public may download is never decided here: each view asks its owner's public selector
(``disclosure.records.selectors.public_attachment``, ``consultation_selectors.public_attachment``) and hands over
what it got.
"""

from django.http import FileResponse, Http404

from disclosure.core.files import content_type_for


def file_response(stored, filename: str) -> FileResponse:
    """Download ``stored`` (a FieldFile) as ``filename``, never rendered inline.

    A row whose stored file is gone answers 404: nothing to serve, and nothing to tell about it.
    """
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type_for(filename)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_response(attachment) -> FileResponse:
    """Download an attachment (disclosure.core.models.UploadedFileModel) under its original name.

    ``None``, what a public selector returns for anything not public, answers the same 404 as an
    attachment that never existed.
    """
    if attachment is None:
        raise Http404
    return file_response(attachment.file, attachment.original_name)
