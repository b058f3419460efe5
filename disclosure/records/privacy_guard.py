"""The privacy guard of records: scan a version for personal data, decide about each finding, and refuse
publication while a finding of the current version is undecided.

- ``record_privacy_scan`` scans the body and attachments of a record's current version (called by
  ``record_submit``; staff may run it again) and stores one ``PrivacyFinding`` per value found. A value
  found by an earlier scan and not found any more gets its decision: ``masked`` when its file is still
  there (the editor uploaded a masked version), ``removed`` when the file or text is gone. A value kept
  by a reviewer before and found again keeps that decision.
- ``privacy_keep``: a reviewer keeps a finding public with a reason and a legal basis (e.g. a 公示 the
  law requires). Four eyes as for the review itself.
- ``check_publishable``: the publish and schedule paths call it. It scans again (the stored files could
  have been changed since) and refuses with ``InvalidTransition`` listing the open findings.

Every scan and decision is written to the records' audit log. Raw values are never stored: only a masked
form and an HMAC keyed with the site's secret key.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.core import privacy
from disclosure.core.models import actor_name
from disclosure.core.transitions import InvalidTransition, claim
from disclosure.records import policy
from disclosure.records.models import AuditEntry, Record, Status
from disclosure.records.privacy_models import FindingDecision, PrivacyFinding, PrivacyScan
from disclosure.records.workflow import get_transition

BODY = "正文"
SHOWN_IN_REFUSAL = 10
DECIDABLE_STATUSES = (Status.SUBMITTED, Status.APPROVED)
_BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote|pre|table|caption|dd|dt)>|<br\s*/?>|<hr\s*/?>", re.I)
_CELL_END = re.compile(r"</(td|th)>", re.I)
_TAG = re.compile(r"<[^>]+>")


def _key() -> bytes:
    return ("privacy-guard:" + settings.SECRET_KEY).encode()


def body_text(body: str) -> str:
    """The text of a sanitised body, one line per paragraph or table row (cells separated by tabs)."""
    text = _BLOCK_END.sub("\n", body or "")
    text = _CELL_END.sub("\t", text)
    return html.unescape(_TAG.sub("", text))


def _current_version(record: Record) -> int:
    return record.versions.order_by("-number").values_list("number", flat=True).first() or 0


def scan_content(record: Record) -> tuple[list[tuple[str, privacy.Finding]], list[str]]:
    """(source, finding) for everything found in the record's body and attachments, and the notes."""
    key = _key()
    found, notes = [], []
    result = privacy.scan_text(body_text(record.body), key=key, where=BODY)
    found += [(BODY, finding) for finding in result.findings]
    notes += result.notes
    for attachment in record.attachments.all():
        with attachment.file.open("rb") as stored:
            data = stored.read()
        result = privacy.scan_file(attachment.original_name, data, key=key, kind=attachment.kind)
        found += [(attachment.original_name, finding) for finding in result.findings]
        notes += result.notes
    return found, notes




def _summary(findings) -> str:
    counts = Counter(finding.kind for finding in findings)
    return "，".join(f"{privacy.KIND_LABELS[kind]} {count} 项" for kind, count in sorted(counts.items()))


def latest_scan(record: Record) -> PrivacyScan | None:
    return record.privacy_scans.order_by("-id").first()


def open_findings(record: Record):
    """The undecided findings of the record's latest scan."""
    scan = latest_scan(record)
    if scan is None:
        return PrivacyFinding.objects.none()
    return scan.findings.filter(decision=FindingDecision.OPEN)


@transaction.atomic
def record_privacy_scan(*, user, record: Record) -> PrivacyScan:
    """Scan the current version of ``record``, store the findings, settle earlier ones, write the log."""
    found, notes = scan_content(record)
    scan = PrivacyScan.objects.create(
        record=record, version_number=_current_version(record), actor_name=actor_name(user), notes="\n".join(notes)
    )
    now = timezone.now()
    earlier = list(PrivacyFinding.objects.filter(record=record).exclude(scan=scan).order_by("id"))
    kept = {(f.kind, f.value_digest): f for f in earlier if f.decision == FindingDecision.KEPT}
    rows = []
    for source, finding in found:
        row = PrivacyFinding(
            scan=scan,
            record=record,
            kind=finding.kind,
            source=source[:200],
            where=finding.where[:300],
            masked=finding.masked,
            subject=finding.subject,
            value_digest=finding.digest,
        )
        previous = kept.get((finding.kind, finding.digest))
        if previous is not None:
            row.decision = FindingDecision.KEPT
            row.reason, row.legal_basis = previous.reason, previous.legal_basis
            row.decided_by_id, row.decided_by_name, row.decided_at = (
                previous.decided_by_id,
                previous.decided_by_name,
                previous.decided_at,
            )
        rows.append(row)
    PrivacyFinding.objects.bulk_create(rows)
    comment = (
        _("第 %(version)s 版：发现个人信息 %(count)s 项（%(summary)s）。")
        % {"version": scan.version_number, "count": len(rows), "summary": _summary(rows)}
        if rows
        else _("第 %(version)s 版：未发现个人信息。") % {"version": scan.version_number}
    )
    if notes:
        comment += " " + " ".join(notes)
    AuditEntry.note(record, user, "privacy_scan", comment)

    # Earlier open findings whose value is gone: masked if their file is still there, else removed.
    still_found = {(f.kind, f.digest) for _source, f in found}
    sources = {BODY, *record.attachments.values_list("original_name", flat=True)}
    for previous in earlier:
        if previous.decision != FindingDecision.OPEN or (previous.kind, previous.value_digest) in still_found:
            continue
        decision = FindingDecision.MASKED if previous.source in sources else FindingDecision.REMOVED
        claim(
            previous,
            expected=FindingDecision.OPEN,
            field="decision",
            values={"decision": decision, "decided_by": user, "decided_by_name": actor_name(user), "decided_at": now},
        )
        AuditEntry.note(
            record,
            user,
            "privacy_masked" if decision == FindingDecision.MASKED else "privacy_removed",
            f"{previous.get_kind_display()} {previous.masked}（{previous.where}）",
        )
    return scan


@transaction.atomic
def privacy_keep(*, user, finding: PrivacyFinding, reason: str, legal_basis: str) -> PrivacyFinding:
    """A reviewer keeps a finding public, saying why and on which legal basis (both required)."""
    record = Record.objects.select_for_update().get(pk=finding.record_id)
    finding = PrivacyFinding.objects.select_for_update().get(pk=finding.pk)
    if record.status not in DECIDABLE_STATUSES:
        raise InvalidTransition(_("只有待审核或审核通过的信息可以处理个人信息检查结果。"))
    denial = policy.denial_reason(user, get_transition("approve"), record)
    if denial:
        raise PermissionDenied(denial)
    keep_finding(user=user, finding=finding, latest=latest_scan(record), reason=reason, legal_basis=legal_basis,
                 note=lambda text: AuditEntry.note(record, user, "privacy_keep", text))
    return finding


def keep_finding(*, user, finding, latest, reason: str, legal_basis: str, note) -> None:
    """Keep one finding of the latest scan public, with its reason and legal basis (both required): the
    part of a "keep" that records and decision drafts share. The caller has locked the owner, checked its
    state and the user's right, and locked ``finding``; ``note(text)`` writes the owner's log entry."""
    if finding.decision != FindingDecision.OPEN:
        raise InvalidTransition(_("该项已处理，不能重复处理。"))
    if finding.scan_id != getattr(latest, "pk", None):
        raise InvalidTransition(_("该项不属于最近一次检查，请刷新页面。"))
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    if not reason or not legal_basis:
        raise ValidationError(_("保留公开须填写理由和法定依据。"))
    claim(
        finding,
        expected=FindingDecision.OPEN,
        field="decision",
        values={
            "decision": FindingDecision.KEPT,
            "reason": reason,
            "legal_basis": legal_basis[:300],
            "decided_by": user,
            "decided_by_name": actor_name(user),
            "decided_at": timezone.now(),
        },
    )
    note(
        _("%(kind)s %(masked)s（%(where)s）保留公开。理由：%(reason)s；依据：%(basis)s")
        % {"kind": finding.get_kind_display(), "masked": finding.masked, "where": finding.where,
           "reason": reason, "basis": legal_basis}
    )


def check_publishable(record: Record) -> None:
    """Refuse (InvalidTransition) while personal data in the current version has no decision."""
    scan = latest_scan(record)
    found, _notes = scan_content(record)
    if scan is None or scan.version_number != _current_version(record):
        if found:
            raise InvalidTransition(
                _("该信息的当前版本尚未完成个人信息检查，重新检查发现 %(count)s 项（%(summary)s），"
                  "请退回修改或重新检查后逐项处理。")
                % {"count": len(found), "summary": _summary([f for _s, f in found])}
            )
        return
    known = set(scan.findings.values_list("kind", "value_digest"))
    unknown = [f for _s, f in found if (f.kind, f.digest) not in known]
    if unknown:
        raise InvalidTransition(
            _("附件或正文在检查后发生变化，又发现个人信息 %(count)s 项，请重新检查后处理。") % {"count": len(unknown)}
        )
    pending = list(scan.findings.filter(decision=FindingDecision.OPEN).order_by("id"))
    if pending:
        listed = "；".join(f"{f.where}：{f.get_kind_display()} {f.masked}" for f in pending[:SHOWN_IN_REFUSAL])
        more = _("等 %(count)s 项") % {"count": len(pending)} if len(pending) > SHOWN_IN_REFUSAL else ""
        raise InvalidTransition(
            _("发现未处理的个人信息，不能发布：%(listed)s%(more)s。请上传脱敏后的版本，或由审核员逐项登记保留理由和法定依据。")
            % {"listed": listed, "more": more}
        )
