"""Keeps the search documents in step with what is public.

``search_document_refresh`` is called by disclosure/records/services.py inside the transaction of every move
that changes whether a record is public (publish, publish when due, withdraw, and the supersede that
a revision's publication causes). Running inside that transaction rather than on commit means the
record's state and its search document commit or roll back together: there is no moment at which a
withdrawn record still has a document, and no lost index update if the process dies after the commit.
The work is one record's text, a few milliseconds.

Visibility is decided by ``public_records()`` here too: a record gets a document only if the public
selector returns it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from disclosure.core.privacy import file_text
from disclosure.core.tokens import document_tokens
from disclosure.records.models import Record, SearchDocument
from disclosure.records.selectors import public_records

BODY_INDEX_CHARS = 20_000
"""Body text beyond this many characters is neither indexed nor kept for snippets.

It bounds the work per record and keeps a PostgreSQL tsvector far below its 1 MB limit; the
beginning of a government document (its subject, basis and decisions) is what people search for.
"""

_SPACE = re.compile(r"\s+")
_RECORD_FIELDS = (
    "pk",
    "organisation_id",
    "node_id",
    "published_at",
    "record_type",
    "title",
    "document_number",
    "keywords",
    "body",
)


def body_text(body_html: str) -> str:
    """The readable text of a sanitised body: tags removed, entities decoded, whitespace collapsed."""
    # Block ends become spaces so that words of adjacent paragraphs do not run together.
    spaced = re.sub(r"<(?:/p|br|/div|/li|/td|/th|/h[1-6])\b[^>]*>", " ", body_html or "", flags=re.I)
    return _SPACE.sub(" ", html.unescape(strip_tags(spaced))).strip()[:BODY_INDEX_CHARS]


ATTACHMENT_INDEX_CHARS = 20_000
"""Text of each attachment beyond this many characters is not indexed (a 公示 list's first pages are
what people look for; the bound keeps a tsvector far below its limit)."""


def attachments_text(record: Record) -> str:
    """The readable text of the record's attachments (PDF, DOCX, XLSX, CSV, TXT), one paragraph per
    file headed by its name in 《》; files that cannot be read add nothing."""
    pieces = []
    for attachment in record.attachments.all():
        try:
            with attachment.file.open("rb") as stored:
                data = stored.read()
        except OSError:
            continue
        text = _SPACE.sub(" ", file_text(attachment.original_name, data, kind=attachment.kind,
                                         limit=ATTACHMENT_INDEX_CHARS)).strip()
        if text:
            pieces.append(f"《{attachment.original_name}》{text}")
    return "\n".join(pieces)


def build_document(record: Record) -> SearchDocument:
    """The search document of a record (not saved): its title, number and body, and the text of its
    attachments (indexed with the body, kept apart for the snippet that names the file)."""
    text = body_text(record.body)
    attached = attachments_text(record)
    return SearchDocument(
        record_id=record.pk,
        organisation_id=record.organisation_id,
        node_id=record.node_id,
        year=timezone.localtime(record.published_at).year,
        record_type=record.record_type,
        published_at=record.published_at,
        title=record.title,
        document_number=record.document_number,
        body_text=text,
        attachment_text=attached or None,
        title_tokens=document_tokens(record.title),
        number_tokens=document_tokens(record.document_number),
        # 主题词 are searched with the body: a word a bureau chose to describe the record finds it; the
        # attachments' text too.
        body_tokens=document_tokens("\n".join(part for part in (record.keywords, text, attached) if part)),
    )


@transaction.atomic
def search_document_refresh(*, record_ids: Iterable[int | None]) -> None:
    """Give each of these records a fresh document if it is public, and remove its document if not."""
    ids = sorted({pk for pk in record_ids if pk})
    if not ids:
        return
    public = list(public_records().filter(pk__in=ids).only(*_RECORD_FIELDS).prefetch_related("attachments"))
    SearchDocument.objects.filter(record_id__in=ids).delete()
    SearchDocument.objects.bulk_create([build_document(record) for record in public])


@transaction.atomic
def search_index_rebuild(*, batch_size: int = 1000) -> int:
    """Rebuild every document from ``public_records()``; returns how many records are indexed.

    For after bulk imports, and after an organisation or catalog node was switched off or on (their
    records' visibility changes without a record service running).
    """
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        # Deleting every row leaves the FTS5 b-trees full of tombstones; start them afresh.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO disclosure_searchfts(disclosure_searchfts) VALUES ('rebuild')")
    count = 0
    batch: list[SearchDocument] = []
    records = (
        public_records().only(*_RECORD_FIELDS).prefetch_related("attachments").order_by("pk")
        .iterator(chunk_size=batch_size)
    )
    for record in records:
        batch.append(build_document(record))
        if len(batch) >= batch_size:
            SearchDocument.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)
    return count + len(batch)
