"""De-identification (去标识化) of a published list once its 公示期 is over: names stay, numbers go.

What ``disclosure.core.privacy`` finds is masked in place, in the same shape the reviewers see
(``4101**********1234``, ``138****5678``, ``0371-****5678``, ``6222*********0123``): resident ID numbers,
mobile numbers, bank card numbers, and landline numbers on a line (a table row, a sheet row) that also holds
a name or another personal number; an office's 咨询电话 on a line of its own stays. Names are kept: a 公示
list names the people it concerns, and the notice about who was granted housing stays public.

Formats rewritten: the sanitised HTML body, CSV, XLSX (every sheet, hidden ones too) and DOCX (paragraphs,
tables, headers and footers). Anything else (PDF, images, legacy .doc/.xls) cannot be rewritten here:
``deidentify_file`` returns None and the caller decides (the 公示 job leaves such a file out when it holds
personal data or cannot be checked). Every rewritten file is scanned again; if anything is still found,
``StillIdentifying`` is raised rather than a half-masked file returned.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from disclosure.core import privacy

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_UNIT_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote|pre|table|caption|dd|dt)>|<br\s*/?>|<hr\s*/?>", re.I)


class StillIdentifying(Exception):
    """A rewritten file still holds personal data (a number split across runs, an unusual layout)."""


def _aligned(text: str) -> str | None:
    """The NFKC form of ``text`` if it maps character for character (full-width digits do), else None."""
    if text.isascii():
        return text
    normalised = "".join(unicodedata.normalize("NFKC", char) if len(unicodedata.normalize("NFKC", char)) == 1
                         else "\x00" for char in text)
    return normalised


def _personal_spans(text: str, today: date | None):
    normalised = _aligned(text)
    return [span for span in privacy.spans_in(normalised, today=today)] if normalised else []


def unit_is_personal(texts: Iterable[str], *, today: date | None = None) -> bool:
    """Whether a line or row is about a person: it holds a personal number other than a landline, or a
    name (the same rule as the privacy scan's for landlines)."""
    texts = [unicodedata.normalize("NFKC", text) for text in texts]
    for text in texts:
        if any(kind != privacy.LANDLINE for kind, *_rest in privacy.spans_in(text, today=today)):
            return True
    return bool(privacy._name_in(texts))


def mask_text(text: str, *, personal_line: bool, today: date | None = None) -> tuple[str, int]:
    """``text`` with its personal numbers masked (landlines only on a personal line); and how many."""
    if not text:
        return text, 0
    spans = _personal_spans(text, today)
    if not spans:
        return text, 0
    chars = list(text)
    count = 0
    for kind, start, end, value in spans:
        if kind == privacy.LANDLINE and not personal_line:
            continue
        masked = privacy.mask(kind, value)
        if len(masked) != end - start:  # never expected: every mask keeps the length
            masked = "*" * (end - start)
        chars[start:end] = masked
        count += 1
    return "".join(chars), count


def mask_unit(texts: list[str], *, today: date | None = None) -> tuple[list[str], int]:
    """The cells (or pieces) of one row or line, masked with the row as context."""
    personal = unit_is_personal(texts, today=today)
    out, total = [], 0
    for text in texts:
        masked, count = mask_text(text, personal_line=personal, today=today)
        out.append(masked)
        total += count
    return out, total


def deidentify_html(body: str, *, today: date | None = None) -> tuple[str, int]:
    """A sanitised HTML body with personal numbers masked, block by block (a paragraph, a table row)."""
    pieces = _TAG_OR_TEXT.split(body or "")
    out: list[str] = []
    unit: list[str] = []
    total = 0

    def flush():
        nonlocal total
        if unit:
            masked, count = mask_unit(unit, today=today)
            out.extend(masked)
            total += count
            unit.clear()

    for piece in pieces:
        unit.append(piece)
        if piece.startswith("<") and _UNIT_END.fullmatch(piece):
            flush()
    flush()
    return "".join(out), total


# ---------------------------------------------------------------------------------------------- files


def _csv(data: bytes, today) -> tuple[bytes, int]:
    text = privacy._decode(data)
    rows = list(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    total = 0
    for row in rows:
        masked, count = mask_unit(row, today=today)
        total += count
        writer.writerow(masked)
    return buffer.getvalue().encode("utf-8-sig"), total


def _xlsx(data: bytes, today) -> tuple[bytes, int]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    total = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            cells = [cell for cell in row if cell.value is not None and not isinstance(cell.value, (date,))]
            texts = [privacy._cell_text(cell.value) for cell in cells]
            masked, count = mask_unit(texts, today=today)
            if not count:
                continue
            total += count
            for cell, before, after in zip(cells, texts, masked):
                if before != after:
                    cell.value = after  # a number stored as a number becomes masked text
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), total


def _docx_paragraph(paragraph, personal: bool, today) -> int:
    runs = paragraph.runs
    text = "".join(run.text for run in runs)
    masked, count = mask_text(text, personal_line=personal, today=today)
    if not count:
        return 0
    position = 0
    for run in runs:  # masking keeps lengths, so each run keeps its formatting
        length = len(run.text)
        run.text = masked[position : position + length]
        position += length
    return count


def _docx(data: bytes, today) -> tuple[bytes, int]:
    import docx

    document = docx.Document(io.BytesIO(data))
    total = 0

    def paragraphs_of(container):
        for paragraph in container.paragraphs:
            total_here = _docx_paragraph(paragraph, unit_is_personal([paragraph.text], today=today), today)
            yield total_here
        for table in container.tables:
            for row in table.rows:
                cells = row.cells
                personal = unit_is_personal([cell.text for cell in cells], today=today)
                for cell in cells:
                    for paragraph in cell.paragraphs:
                        yield _docx_paragraph(paragraph, personal, today)

    total += sum(paragraphs_of(document))
    for section in document.sections:
        for part in (section.header, section.footer):
            total += sum(paragraphs_of(part))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), total


REWRITABLE = {"csv": _csv, "xlsx": _xlsx, "docx": _docx}


def deidentify_file(name: str, data: bytes, *, kind: str | None = None, key: bytes,
                    today: date | None = None) -> tuple[bytes, int] | None:
    """(rewritten file, how many values masked), or None for a format that cannot be rewritten.

    Raises StillIdentifying when the rewritten file, scanned again, still shows personal data.
    """
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = kind if kind in REWRITABLE else suffix
    rewrite = REWRITABLE.get(kind)
    if rewrite is None:
        return None
    data, count = rewrite(data, today)
    remaining = privacy.scan_file(name, data, key=key, kind=kind, today=today)
    if remaining.findings:
        raise StillIdentifying(
            f"附件“{name}”去标识化后仍检出个人信息 {len(remaining.findings)} 项（{remaining.findings[0].where}）。"
        )
    return data, count
