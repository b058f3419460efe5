"""The attachment size limit, enforced while the request body streams in.

Django's own handlers store every byte of an upload (in memory, then in a temporary file) before any
form sees it, so a 300 MB body used to be read and written in full before ``check_upload`` refused it.
``AttachmentLimitHandler`` sits first in ``FILE_UPLOAD_HANDLERS``:

- a multipart body whose declared length is above ``ATTACHMENT_MAX_BYTES`` plus the form overhead is
  refused before a byte of it is read (``UploadTooLarge``, answered with a Chinese 413 page);
- a file that grows past ``ATTACHMENT_MAX_BYTES`` within an admissible body is no longer passed to the
  storing handlers: the rest of it is counted and dropped, and the form receives an ``OversizedUpload``
  whose size is what was sent, so ``check_upload`` answers with its usual Chinese form error.

Nothing reaches a form truncated: either the whole body was parsed, or the request is refused outright
(Django's ``StopUpload`` would hand the view whatever fields came before the file).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError


def request_body_limit() -> int:
    """The largest multipart body accepted: the attachment limit plus ``UPLOAD_FORM_OVERHEAD_BYTES``
    (room for the form's other fields and the multipart headers next to a file of the largest size)."""
    return settings.ATTACHMENT_MAX_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES


class UploadTooLarge(MultiPartParserError):
    """The declared body is too large to hold an admissible attachment; nothing of it was read.

    A MultiPartParserError, so Django answers through ``handler400`` (``portal.views.bad_request``),
    which turns it into the Chinese 413 page, and never a 500.
    """

    def __init__(self, declared: int, limit: int):
        self.declared = declared
        self.limit = limit
        super().__init__(f"Upload body of {declared} bytes exceeds {limit} bytes")


class OversizedUpload(UploadedFile):
    """Stands in for a file that went past the limit: it holds no bytes, only the size that was sent."""

    def __init__(self, name, content_type, size, charset=None, content_type_extra=None):
        super().__init__(None, name, content_type, size, charset, content_type_extra)

    def open(self, mode=None):
        raise ValueError("An oversized upload keeps no content.")

    def chunks(self, chunk_size=None):
        return iter(())

    def read(self, *args):
        return b""

    def seek(self, *args):
        return 0

    def close(self):
        pass


class AttachmentLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses too large bodies unread and stops storing too large files."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = request_body_limit()
        if content_length > limit:
            raise UploadTooLarge(content_length, limit)
        return None  # parse as usual, through receive_data_chunk below

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            # The body is bounded by handle_raw_input, so the rest of this file is at most the overhead:
            # counted and dropped, never stored.
            self.oversized = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, self.content_type, self.received, self.charset, self.content_type_extra)
        return None  # the storing handler after this one returns the file
