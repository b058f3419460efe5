"""The attachment limit holds while the body streams in: a huge upload is refused before it is read.

The bodies are generated lazily and fed to Django's real request handling (WSGIRequest, the multipart
parser, the configured FILE_UPLOAD_HANDLERS, the middleware and the error handlers) through a wsgi.input
that counts the bytes Django pulls from it.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import ClientHandler

from disclosure.core.files import check_upload
from disclosure.core.uploads import OversizedUpload
from tests.disclosure.core.test_files import pdf_bytes

MB = 1024 * 1024
BOUNDARY = "----portal-test-boundary"


class CountingBody(io.RawIOBase):
    """A request body made on demand from a generator of chunks; counts what the server reads."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.pending = b""
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.bytes_read += size
        return size


def multipart(fields: dict[str, str], filename: str, head: bytes, file_size: int):
    """(chunks, total length) of a multipart body: the fields, then one file of ``file_size`` bytes
    starting with ``head`` and padded with zeros, produced 1 MB at a time."""
    preamble = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ) + (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    ending = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks():
        yield preamble + head
        left = file_size - len(head)
        while left > 0:
            step = min(MB, left)
            yield b"\0" * step
            left -= step
        yield ending

    return chunks(), len(preamble) + file_size + len(ending)


def environ(body: CountingBody, length: int, path: str = "/admin/login/") -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        # A well-formed CSRF cookie: without one the CSRF check refuses the POST before reading any of it.
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


@pytest.mark.django_db
def test_a_300_mb_upload_is_refused_with_a_chinese_413_before_its_body_is_read(settings):
    """A 300 MB multipart POST (default 20 MB limit) gets a 413 page saying its size and the limit,
    never a 500, and Django reads no more of the body than the limit allows (here: nothing)."""
    assert settings.ATTACHMENT_MAX_BYTES == 20 * MB
    chunks, length = multipart({"csrfmiddlewaretoken": "x"}, "大文件.pdf", b"%PDF-1.4\n", 300 * MB)
    body = CountingBody(chunks)
    response = ClientHandler(enforce_csrf_checks=True)(environ(body, length))
    text = response.content.decode()
    assert response.status_code == 413
    assert "上传内容过大" in text and "超过上限" in text and "20.0\xa0MB" in text and "300.0\xa0MB" in text
    assert body.bytes_read < 20 * MB + 2 * MB
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_the_413_also_answers_a_body_just_over_the_limit_plus_overhead(settings):
    """The declared length decides: one byte over ATTACHMENT_MAX_BYTES + UPLOAD_FORM_OVERHEAD_BYTES is refused."""
    settings.ATTACHMENT_MAX_BYTES = 1 * MB
    settings.UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024
    _, length = multipart({"note": ""}, "a.pdf", b"%PDF-1.4\n", 1 * MB)
    overflow = 1 * MB + 64 * 1024 + 1 - length
    chunks, length = multipart({"note": "x" * overflow}, "a.pdf", b"%PDF-1.4\n", 1 * MB)
    assert length == 1 * MB + 64 * 1024 + 1
    body = CountingBody(chunks)
    response = ClientHandler(enforce_csrf_checks=True)(environ(body, length))
    assert response.status_code == 413 and body.bytes_read == 0


def test_a_file_past_the_limit_inside_an_admissible_body_is_not_stored_and_fails_the_form_check(settings):
    """When the body's declared length is admissible but its file grows past ATTACHMENT_MAX_BYTES, the
    rest of the file is dropped: the form receives a stand-in carrying the size that was sent and no
    bytes, and check_upload refuses it with the size message. The body was read to its end, no further."""
    settings.ATTACHMENT_MAX_BYTES = 1 * MB
    settings.UPLOAD_FORM_OVERHEAD_BYTES = 1 * MB
    chunks, length = multipart({"title": "标题"}, "通知.pdf", b"%PDF-1.4\n", 1 * MB + 512 * 1024)
    body = CountingBody(chunks)
    request = WSGIRequest(environ(body, length))
    upload = request.FILES["upload"]
    assert request.POST["title"] == "标题"  # the fields before and after the file are all there
    assert isinstance(upload, OversizedUpload)
    assert upload.size == 1 * MB + 512 * 1024
    assert upload.read() == b""
    assert body.bytes_read == length
    with pytest.raises(ValidationError) as error:
        check_upload(upload)
    text = " ".join(error.value.messages)
    assert "通知.pdf" in text and "超过上限" in text and "1.0\xa0MB" in text


def test_a_file_within_the_limit_arrives_whole(settings):
    """A file at the limit passes through the handler untouched and its content checks pass."""
    settings.ATTACHMENT_MAX_BYTES = 3 * MB
    content = pdf_bytes()
    chunks, length = multipart({"title": "标题"}, "通知.pdf", content, 3 * MB)
    request = WSGIRequest(environ(CountingBody(chunks), length))
    upload = request.FILES["upload"]
    assert not isinstance(upload, OversizedUpload)
    assert upload.size == 3 * MB
    assert upload.read(len(content)) == content
    assert check_upload(upload)["size"] == 3 * MB
