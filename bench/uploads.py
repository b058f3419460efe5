"""Upload checks benchmark: how long refusing a hostile upload holds a worker.

    python bench/run.py uploads        (BENCH_UPLOAD_REPEAT=5)

Times ``check_upload`` on a 190,000-entry workbook (refused by its entry count), a .docx whose part
expands to 500 MB (refused by its compression ratio) and an ordinary .docx (accepted), and the refusal
of a 300 MB multipart POST through Django's request handling, with the bytes read from its body. The
files are the ones the tests craft (tests/disclosure/core/test_archives.py); nothing is written to the
database or to storage.
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.exceptions import ValidationError
from django.test.client import ClientHandler

from disclosure.core.files import check_upload
from tests.disclosure.core.test_archives import docx_with, huge_workbook, zeros_member
from tests.disclosure.core.test_files import docx_bytes, upload
from tests.disclosure.core.test_uploads import CountingBody, environ, multipart

MB = 1024 * 1024


def timed(label: str, name: str, content: bytes, repeat: int) -> None:
    times, outcome = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            check_upload(upload(name, content))
            outcome = "accepted"
        except ValidationError as error:
            outcome = "refused: " + " ".join(error.messages)
        times.append(time.perf_counter() - started)
    print(f"{label:<34} {len(content) / MB:7.2f} MB  median {statistics.median(times) * 1000:8.1f} ms  {outcome}")


def main() -> None:
    repeat = int(os.environ.get("BENCH_UPLOAD_REPEAT", "5"))
    timed("190,000-entry workbook", "名单.xlsx", huge_workbook(190_000), repeat)
    timed("500 MB zip bomb .docx", "通知.docx", docx_with(zeros_member("word/document2.xml", 500)), repeat)
    timed("ordinary .docx", "申请表.docx", docx_bytes(), repeat)
    times = []
    for _ in range(repeat + 1):  # the first request of the process also loads URLs and templates
        chunks, length = multipart({"csrfmiddlewaretoken": "x"}, "大文件.pdf", b"%PDF-1.4\n", 300 * MB)
        body = CountingBody(chunks)
        started = time.perf_counter()
        response = ClientHandler(enforce_csrf_checks=True)(environ(body, length))
        times.append(time.perf_counter() - started)
    print(f"{'300 MB multipart POST':<34} {length / MB:7.2f} MB  median {statistics.median(times[1:]) * 1000:8.1f} ms  "
          f"HTTP {response.status_code}, {body.bytes_read} bytes of the body read")
