"""Serving a stored file for download, whoever owns it (a record, a consultation, a service guide).

Which file the public may download is never decided here: each view asks its owner's public selector
(``disclosure.records.selectors.public_attachment``, ``consultation_selectors.public_attachment``) and hands over
what it got.
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from disclosure.core.files import content_type_for


def file_response(stored, filename: str) -> HttpResponse:
    """Download ``stored`` (a FieldFile) as ``filename``, never rendered inline.

    Who sends the bytes depends on ``DOWNLOAD_OFFLOAD``: ``""`` streams them through this worker;
    ``nginx`` answers with ``X-Accel-Redirect`` to the internal location ``DOWNLOAD_ACCEL_PREFIX`` (the
    file's storage name appended), which nginx serves from the media directory and which cannot be
    fetched from outside (with ``MEDIA_STORAGE=s3``: to ``DOWNLOAD_ACCEL_S3_PREFIX`` followed by a presigned
    URL's path and query, which nginx proxies to the object store); ``presigned`` (with ``MEDIA_STORAGE=s3``) redirects to a URL of the object
    store signed for ``DOWNLOAD_PRESIGNED_SECONDS``. Either way the public rule has already been
    applied by the caller. A row whose stored file is gone answers 404.
    """
    offload = settings.DOWNLOAD_OFFLOAD
    if offload == "nginx":
        if not stored.name or not stored.storage.exists(stored.name):
            raise Http404
        response = HttpResponse(content_type=content_type_for(filename))
        if hasattr(stored.storage, "bucket"):
            # An object store: nginx fetches the object itself, at a URL signed for this one download
            # (path and query of the presigned URL under the internal S3 prefix; the location's
            # proxy_pass names the endpoint). The bytes never pass through this worker.
            signed = urlsplit(presigned_url(stored, filename))
            response["X-Accel-Redirect"] = settings.DOWNLOAD_ACCEL_S3_PREFIX + signed.path.lstrip("/") + (
                "?" + signed.query if signed.query else ""
            )
        else:
            response["X-Accel-Redirect"] = settings.DOWNLOAD_ACCEL_PREFIX + quote(stored.name)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if offload == "presigned":
        if not stored.name:
            raise Http404
        response = HttpResponseRedirect(presigned_url(stored, filename))
        response["Cache-Control"] = "no-store"  # the signature expires; never keep the redirect
        return response
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type_for(filename)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def presigned_url(stored, filename: str) -> str:
    """A URL of the object store for ``stored`` (on S3 storage), signed for DOWNLOAD_PRESIGNED_SECONDS."""
    storage = stored.storage
    # The storage's own URLs are unsigned on purpose (objects are private); sign this one download.
    # _normalize_name adds the configured key prefix, as the storage does for every object it writes.
    return storage.bucket.meta.client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": storage._normalize_name(stored.name),
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type_for(filename),
        },
        ExpiresIn=settings.DOWNLOAD_PRESIGNED_SECONDS,
    )


def attachment_response(attachment) -> FileResponse:
    """Download an attachment (disclosure.core.models.UploadedFileModel) under its original name.

    ``None``, what a public selector returns for anything not public, answers the same 404 as an
    attachment that never existed.
    """
    if attachment is None:
        raise Http404
    return file_response(attachment.file, attachment.original_name)
