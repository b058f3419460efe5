"""The optional virus scan speaks clamd's INSTREAM protocol to whatever clamd is configured.

The clamd here is a small server started by the test on a real socket (TCP on 127.0.0.1, or a Unix
socket): it reads ``zINSTREAM``, the length-prefixed chunks and the zero terminator exactly as clamd
does, and answers like clamd: ``stream: OK`` or ``stream: Eicar-Test-Signature FOUND``.
"""

from __future__ import annotations

import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError

from disclosure.core.files import check_upload
from tests.disclosure.core.test_files import docx_bytes, pdf_bytes, upload

# The standard antivirus test string, in two halves so that this source file itself is not flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """A clamd on a real socket. Records what it received; ``reply`` overrides the verdict."""

    def __init__(self, family=socket.AF_INET, address=("127.0.0.1", 0), reply: bytes | None = None):
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(address)
        self.server.listen()
        self.address = self.server.getsockname()
        self.reply = reply
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def read_exactly(self, connection, size: int) -> bytes:
        data = b""
        while len(data) < size:
            piece = connection.recv(size - len(data))
            if not piece:
                raise ConnectionError("client went away")
            data += piece
        return data

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            with connection:
                try:
                    assert self.read_exactly(connection, 10) == b"zINSTREAM\0"
                    content = b""
                    while True:
                        (length,) = struct.unpack("!L", self.read_exactly(connection, 4))
                        if not length:
                            break
                        content += self.read_exactly(connection, length)
                except (AssertionError, ConnectionError):
                    connection.sendall(b"UNKNOWN COMMAND\0")
                    continue
                self.received.append(content)
                if self.reply is not None:
                    connection.sendall(self.reply)
                elif EICAR in content:
                    connection.sendall(b"stream: Eicar-Test-Signature FOUND\0")
                else:
                    connection.sendall(b"stream: OK\0")

    def close(self):
        # Closing a listening socket does not wake a thread blocked in accept() on Linux (the join then
        # waited its whole 5 s in every test); shutting it down does.
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()


@pytest.fixture
def clamd_tcp(settings):
    server = FakeClamd()
    settings.CLAMD_HOST, settings.CLAMD_PORT = server.address
    settings.CLAMD_SOCKET = ""
    yield server
    server.close()


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    return " ".join(error.value.messages)


def test_a_clean_file_is_scanned_and_accepted(clamd_tcp):
    """A clean PDF is streamed whole to clamd and accepted."""
    content = pdf_bytes()
    assert check_upload(upload("通知.pdf", content))["kind"] == "pdf"
    assert clamd_tcp.received == [content]


def test_a_large_file_is_sent_in_chunks_and_arrives_whole(clamd_tcp):
    """A file larger than one INSTREAM chunk reaches clamd byte for byte."""
    content = pdf_bytes() + b"\n%" + bytes(range(256)) * 1024  # 256 KB, several 64 KB chunks
    check_upload(upload("附件.pdf", content))
    assert clamd_tcp.received == [content]


def test_an_infected_file_is_refused_naming_the_signature(clamd_tcp):
    """A PDF carrying the EICAR test string is refused with a Chinese message naming what clamd found."""
    text = refusal("通知.pdf", pdf_bytes() + EICAR)
    assert "通知.pdf" in text and "检出病毒" in text and "Eicar-Test-Signature" in text


def test_an_infected_office_file_is_refused(clamd_tcp):
    """The scan runs for office files too, after their archive checks."""
    content = docx_bytes() + EICAR  # appended data: still a valid ZIP for readers, and infected
    assert "检出病毒" in refusal("申请表.docx", content)


def test_files_refused_earlier_are_not_sent_to_clamd(clamd_tcp):
    """A file whose content does not match its name is refused before the scan."""
    assert "内容与扩展名不符" in refusal("通知.pdf", b"MZ" + EICAR)
    assert clamd_tcp.received == []


def test_clamd_over_a_unix_socket(settings, tmp_path):
    """CLAMD_SOCKET (a Unix socket path) takes precedence over host and port."""
    path = str(tmp_path / "clamd.sock")
    server = FakeClamd(socket.AF_UNIX, path)
    settings.CLAMD_SOCKET, settings.CLAMD_HOST = path, "192.0.2.1"
    try:
        assert check_upload(upload("通知.pdf", pdf_bytes()))["kind"] == "pdf"
        assert "检出病毒" in refusal("通知.pdf", pdf_bytes() + EICAR)
        assert len(server.received) == 2
    finally:
        server.close()


def unreachable_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_an_unreachable_clamd_refuses_uploads_by_default(settings):
    """With clamd configured but down, uploads are refused (CLAMD_REQUIRED defaults to true)."""
    assert settings.CLAMD_REQUIRED is True
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_SOCKET = "127.0.0.1", unreachable_port(), ""
    assert "暂时无法对附件“通知.pdf”进行病毒扫描" in refusal("通知.pdf", pdf_bytes())


def test_an_unreachable_clamd_lets_uploads_through_when_not_required(settings):
    """CLAMD_REQUIRED=false: a scan that cannot happen does not block the upload."""
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_SOCKET = "127.0.0.1", unreachable_port(), ""
    settings.CLAMD_REQUIRED = False
    assert check_upload(upload("通知.pdf", pdf_bytes()))["kind"] == "pdf"


def test_a_clamd_error_reply_is_no_verdict(settings):
    """clamd answering ERROR (e.g. the stream is over its StreamMaxLength) is treated as no scan: refused."""
    server = FakeClamd(reply=b"INSTREAM size limit exceeded. ERROR\0")
    settings.CLAMD_HOST, settings.CLAMD_PORT = server.address
    try:
        assert "暂时无法" in refusal("通知.pdf", pdf_bytes())
    finally:
        server.close()


def test_without_clamd_configured_nothing_is_scanned(settings):
    """No CLAMD_SOCKET and no CLAMD_HOST (the default): uploads are checked without a scan."""
    assert settings.CLAMD_SOCKET == "" and settings.CLAMD_HOST == ""
    assert check_upload(upload("通知.pdf", pdf_bytes() + EICAR))["kind"] == "pdf"
