"""The checks the national site check counts besides freshness: 错敏词 and broken links.

- ``wording_problems(record)``: the active WordingRule phrases in a record's title, summary, document
  number, 主题词 and body, each with a short excerpt. The record admin shows them to the editor and the
  reviewer; ``check_submission`` (called by ``record_submit`` before the move) refuses a submission only
  when a matching rule ``blocks_submission``, and otherwise notes the warnings in the audit log.
- ``check_published_wording`` and ``check_published_links``: the jobs (``manage.py check_site``) over
  every public record. Each replaces the findings of its kinds in ``SiteCheckFinding``.

Links inside bodies are checked without the network when they point into the portal: the path is resolved
and requested through Django's test client (so a link to a withdrawn record or to a column that does not
exist is found just as a visitor would find it), and attachments are looked up in the storage. Outside
links are fetched only when ``settings.LINK_CHECK_EXTERNAL`` is on (a short timeout,
``LINK_CHECK_TIMEOUT``); otherwise they are counted as not checked, never as broken.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.records.check_models import FindingKind, SiteCheckFinding, WordingRule
from disclosure.records.models import AuditEntry, Record
from disclosure.records.selectors import public_records

EXCERPT_CHARS = 12
_TAG = re.compile(r"<[^>]+>")
_SPLIT = re.compile(r"[\s、，,;；]+")


# ---------------------------------------------------------------------------------- 错敏词


@dataclass(frozen=True)
class WordingProblem:
    rule: WordingRule
    where: str  # which field: 标题, 正文, …
    excerpt: str

    @property
    def message(self) -> str:
        advice = _("，建议改为“%(s)s”") % {"s": self.rule.suggestion} if self.rule.suggestion else ""
        return _("%(where)s中的“%(phrase)s”（%(kind)s）%(advice)s：…%(excerpt)s…") % {
            "where": self.where,
            "phrase": self.rule.phrase,
            "kind": self.rule.get_kind_display(),
            "advice": advice,
            "excerpt": self.excerpt,
        }


def _plain(body_html: str) -> str:
    return html.unescape(_TAG.sub(" ", body_html or ""))


def _record_texts(record: Record) -> list[tuple[str, str]]:
    return [
        (_("标题"), record.title),
        (_("文号"), record.document_number),
        (_("主题词"), record.keywords),
        (_("内容概述"), record.summary),
        (_("正文"), _plain(record.body)),
    ]


def _occurrences(text: str, rule: WordingRule):
    """Start positions of ``rule.phrase`` in ``text`` that do not lie inside one of its exceptions."""
    exceptions = [word for word in _SPLIT.split(rule.exceptions or "") if rule.phrase in word]
    start = text.find(rule.phrase)
    while start != -1:
        inside = False
        for word in exceptions:
            offset = word.find(rule.phrase)
            while offset != -1:
                if text.startswith(word, start - offset):
                    inside = True
                    break
                offset = word.find(rule.phrase, offset + 1)
            if inside:
                break
        if not inside:
            yield start
        start = text.find(rule.phrase, start + 1)


def find_wording(texts: list[tuple[str, str]], rules: list[WordingRule]) -> list[WordingProblem]:
    """Every rule's first occurrence in each named text, in the order of the texts."""
    problems = []
    for where, text in texts:
        for rule in rules:
            for start in _occurrences(text or "", rule):
                end = start + len(rule.phrase)
                excerpt = text[max(0, start - EXCERPT_CHARS):end + EXCERPT_CHARS].strip()
                problems.append(WordingProblem(rule, where, " ".join(excerpt.split())))
                break
    return problems


def active_rules() -> list[WordingRule]:
    return list(WordingRule.objects.filter(is_active=True))


def wording_problems(record: Record, rules: list[WordingRule] | None = None) -> list[WordingProblem]:
    """The 错敏词 in a record's texts (one query for the rules unless given)."""
    return find_wording(_record_texts(record), active_rules() if rules is None else rules)


def check_submission(*, user, record: Record) -> list[WordingProblem]:
    """Called by record_submit after the state and right checks, before the move.

    Refuses (ValidationError, nothing written) when a blocking rule matches; otherwise writes the
    warnings to the audit log so the reviewer sees them, and returns them.
    """
    problems = wording_problems(record)
    blocking = [p for p in problems if p.rule.blocks_submission]
    if blocking:
        raise ValidationError(
            [_("含有不允许提交的词语，请修改后再提交：")] + [p.message for p in blocking], code="wording"
        )
    if problems:
        AuditEntry.note(record, user, "wording_check", "\n".join(p.message for p in problems))
    return problems


# ----------------------------------------------------------------------------------- links


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"a": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value and value.strip() not in self.links:
                self.links.append(value.strip())


def body_links(body_html: str) -> list[str]:
    """The distinct link targets (a href, img/iframe src) of a body, in order."""
    parser = _LinkParser()
    parser.feed(body_html or "")
    return parser.links


def _site_hosts() -> set[str]:
    hosts = {host.lstrip(".").lower() for host in settings.ALLOWED_HOSTS if host and host != "*"}
    return hosts | {host.split(":")[0] for host in hosts}


def _check_host() -> str:
    """The Host header of internal requests: the first allowed host (testserver in tests)."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


@dataclass
class LinkResult:
    ok: bool
    status: int | None
    detail: str


def check_internal(path: str, client: Client) -> LinkResult:
    """A path of this portal: resolved by the URL configuration, then requested as a visitor would."""
    try:
        resolve(path)
    except Resolver404:
        return LinkResult(False, 404, _("站内地址不存在"))
    response = client.get(path, follow=True, HTTP_HOST=_check_host(), secure=True)
    if response.status_code >= 400:
        return LinkResult(False, response.status_code, _("站内页面无法访问"))
    return LinkResult(True, response.status_code, "")


def check_external(url: str) -> LinkResult:
    """An outside link, fetched with a short timeout (only when LINK_CHECK_EXTERNAL is on)."""
    timeout = getattr(settings, "LINK_CHECK_TIMEOUT", 5)
    headers = {"User-Agent": "disclosure-portal-link-check/1.0"}
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
                return LinkResult(True, response.status, "")
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue  # some servers refuse HEAD; ask once more with GET
            return LinkResult(False, error.code, _("外部链接返回错误"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            return LinkResult(False, None, _("外部链接无法连接：%(reason)s") % {"reason": str(error)[:120]})
    return LinkResult(False, None, _("外部链接无法访问"))


@dataclass
class LinkCheckSummary:
    records: int = 0
    internal: int = 0
    external: int = 0
    external_skipped: int = 0
    attachments: int = 0
    findings: list[SiteCheckFinding] = field(default_factory=list)


def _is_internal(url: str) -> tuple[bool, str]:
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True, parts.path or "/"
    if parts.scheme in ("http", "https") and (parts.hostname or "").lower() in _site_hosts():
        return True, parts.path or "/"
    return False, url


def check_published_links(*, external: bool | None = None) -> LinkCheckSummary:
    """Check the body links and attachments of every public record; replace the link findings."""
    external = getattr(settings, "LINK_CHECK_EXTERNAL", False) if external is None else external
    now = timezone.now()
    summary = LinkCheckSummary()
    client = Client(raise_request_exception=False)
    records = public_records().prefetch_related("attachments").order_by("pk")
    from django.core.files.storage import default_storage

    for record in records:
        summary.records += 1
        for url in body_links(record.body):
            if url.startswith(("#", "mailto:", "tel:", "data:")):
                continue
            internal, target = _is_internal(url)
            if internal:
                summary.internal += 1
                result = check_internal(target, client)
            elif urlsplit(url).scheme not in ("http", "https"):
                result = LinkResult(False, None, _("无法识别的链接地址"))
            elif not external:
                summary.external_skipped += 1
                continue
            else:
                summary.external += 1
                result = check_external(url)
            if not result.ok:
                summary.findings.append(SiteCheckFinding(
                    kind=FindingKind.BROKEN_LINK, record=record, target=url[:500], detail=result.detail,
                    status_code=result.status, checked_at=now,
                ))
        for attachment in record.attachments.all():
            summary.attachments += 1
            if not attachment.file.name or not default_storage.exists(attachment.file.name):
                summary.findings.append(SiteCheckFinding(
                    kind=FindingKind.BROKEN_ATTACHMENT, record=record, target=attachment.original_name[:500],
                    detail=_("附件文件已丢失，无法下载"), status_code=404, checked_at=now,
                ))
    _replace_findings([FindingKind.BROKEN_LINK, FindingKind.BROKEN_ATTACHMENT], summary.findings)
    return summary


def check_published_wording() -> list[SiteCheckFinding]:
    """Scan every public record for 错敏词; replace the wording findings."""
    now = timezone.now()
    rules = active_rules()
    findings = []
    for record in public_records().order_by("pk"):
        for problem in wording_problems(record, rules):
            findings.append(SiteCheckFinding(
                kind=FindingKind.WORDING, record=record, target=problem.rule.phrase, rule=problem.rule,
                detail=problem.message[:300], checked_at=now,
            ))
    _replace_findings([FindingKind.WORDING], findings)
    return findings


@transaction.atomic
def _replace_findings(kinds: list[str], findings: list[SiteCheckFinding]) -> None:
    SiteCheckFinding.objects.filter(kind__in=kinds).delete()
    SiteCheckFinding.objects.bulk_create(findings)
