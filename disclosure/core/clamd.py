"""A virus scan through clamd's INSTREAM command, when the deployment has a clamd.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file as chunks each prefixed by its length
(4 bytes, network order), then a zero length; clamd answers one NUL-terminated line:
``stream: OK``, ``stream: <signature> FOUND`` or ``<reason> ERROR``. A few lines of socket code, so no
library is needed.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK_SIZE = 64 * 1024
MAX_REPLY = 4096


class ScanUnavailable(Exception):
    """clamd could not be reached or did not give a verdict."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(settings.CLAMD_SOCKET)
        except BaseException:
            sock.close()
            raise
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def scan(chunks) -> Verdict:
    """Stream ``chunks`` (an iterable of bytes) to clamd; raises ScanUnavailable without a verdict."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_SIZE):
                    piece = chunk[start : start + CHUNK_SIZE]
                    sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
                data = sock.recv(MAX_REPLY)
                if not data:
                    break
                reply += data
    except OSError as error:  # refused, unreachable, timed out, reset (e.g. StreamMaxLength exceeded)
        raise ScanUnavailable(str(error)) from error
    line = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if line.endswith(" OK"):
        return Verdict(clean=True)
    if line.endswith(" FOUND"):
        signature = line.removesuffix(" FOUND").split(": ", 1)[-1]
        return Verdict(clean=False, signature=signature)
    raise ScanUnavailable(line or "no reply")
