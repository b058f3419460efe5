"""The privacy guard of decision drafts (意见征集): the same checks, findings and decisions as for records
(``disclosure/records/privacy_guard.py``), before a draft is opened to the public.

A consultation has no submission step: its content is scanned after every change to it (create, edit,
add or remove a file), which stores the findings for the editor and the reviewer to see, and again when
a reviewer opens it (``check_openable``), which refuses while a finding of the current content has no
decision: masked or removed (a later scan no longer finds it) or kept by a reviewer who may open the
draft, with a reason and a legal basis. Every scan and decision is in the consultation's activity log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.consultations import policy
from disclosure.consultations.models import LOG_SUBJECT, Consultation, ConsultationStatus
from disclosure.consultations.privacy_models import ConsultationPrivacyFinding, ConsultationPrivacyScan
from disclosure.consultations.workflow import TRANSITIONS
from disclosure.core import privacy
from disclosure.core.log import ActivityEntry
from disclosure.core.models import actor_name
from disclosure.core.transitions import InvalidTransition, claim
from disclosure.records.privacy_guard import SHOWN_IN_REFUSAL, _key, _summary, body_text, keep_finding
from disclosure.records.privacy_models import FindingDecision

SUMMARY = "起草说明"
BODY = "草案正文"


def _log(consultation: Consultation, user, action: str, comment: str) -> None:
    ActivityEntry.write_for(
        consultation,
        subject_type=LOG_SUBJECT,
        title=consultation.title,
        organisation_id=consultation.organisation_id,
        user=user,
        action=action,
        from_status=consultation.status,
        to_status=consultation.status,
        comment=comment,
    )


def scan_content(consultation: Consultation):
    """(source, finding) for everything found in the summary, the body and the files, and the notes."""
    key = _key()
    found, notes = [], []
    for source, html in ((SUMMARY, consultation.summary.replace("\n", "<br>")), (BODY, consultation.body)):
        result = privacy.scan_text(body_text(html), key=key, where=source)
        found += [(source, finding) for finding in result.findings]
        notes += result.notes
    for attachment in consultation.attachments.all():
        with attachment.file.open("rb") as stored:
            data = stored.read()
        result = privacy.scan_file(attachment.original_name, data, key=key, kind=attachment.kind)
        found += [(attachment.original_name, finding) for finding in result.findings]
        notes += result.notes
    return found, notes


def latest_scan(consultation: Consultation) -> ConsultationPrivacyScan | None:
    return consultation.privacy_scans.order_by("-id").first()


@transaction.atomic
def consultation_privacy_scan(*, user, consultation: Consultation) -> ConsultationPrivacyScan:
    """Scan the draft's current content, store the findings (a value kept before stays kept), settle the
    earlier open ones no longer found (masked if their file or text is still there, else removed), log."""
    found, notes = scan_content(consultation)
    scan = ConsultationPrivacyScan.objects.create(
        consultation=consultation, actor_name=actor_name(user), notes="\n".join(notes)
    )
    earlier = list(ConsultationPrivacyFinding.objects.filter(consultation=consultation).exclude(scan=scan))
    kept = {(f.kind, f.value_digest): f for f in earlier if f.decision == FindingDecision.KEPT}
    rows = []
    for source, finding in found:
        row = ConsultationPrivacyFinding(
            scan=scan, consultation=consultation, kind=finding.kind, source=source[:200], where=finding.where[:300],
            masked=finding.masked, subject=finding.subject, value_digest=finding.digest,
        )
        previous = kept.get((finding.kind, finding.digest))
        if previous is not None:
            row.decision, row.reason, row.legal_basis = FindingDecision.KEPT, previous.reason, previous.legal_basis
            row.decided_by_id, row.decided_by_name, row.decided_at = (
                previous.decided_by_id, previous.decided_by_name, previous.decided_at,
            )
        rows.append(row)
    ConsultationPrivacyFinding.objects.bulk_create(rows)
    if rows:
        # Logged when something is found (a draft is scanned at every change; a clean result, and a
        # file that could not be read, show on the change page without filling the log).
        comment = _("发现个人信息 %(count)s 项（%(summary)s）。") % {"count": len(rows), "summary": _summary(rows)}
        _log(consultation, user, "privacy_scan", " ".join([comment, *notes]))

    still_found = {(f.kind, f.digest) for _source, f in found}
    sources = {SUMMARY, BODY, *consultation.attachments.values_list("original_name", flat=True)}
    now = timezone.now()
    for previous in earlier:
        if previous.decision != FindingDecision.OPEN or (previous.kind, previous.value_digest) in still_found:
            continue
        decision = FindingDecision.MASKED if previous.source in sources else FindingDecision.REMOVED
        claim(
            previous, expected=FindingDecision.OPEN, field="decision",
            values={"decision": decision, "decided_by": user, "decided_by_name": actor_name(user), "decided_at": now},
        )
        _log(
            consultation, user, "privacy_masked" if decision == FindingDecision.MASKED else "privacy_removed",
            f"{previous.get_kind_display()} {previous.masked}（{previous.where}）",
        )
    return scan


def may_keep(user, consultation: Consultation) -> bool:
    """Whoever may open the draft (a reviewer of the organisation who wrote no part of it) may keep a finding."""
    return consultation.status == ConsultationStatus.DRAFT and not policy.denial_reason(
        user, TRANSITIONS["open"], consultation
    )


@transaction.atomic
def consultation_privacy_keep(*, user, finding: ConsultationPrivacyFinding, reason: str, legal_basis: str):
    """A reviewer keeps a finding public, saying why and on which legal basis (both required)."""
    consultation = Consultation.objects.select_for_update().get(pk=finding.consultation_id)
    finding = ConsultationPrivacyFinding.objects.select_for_update().get(pk=finding.pk)
    if consultation.status != ConsultationStatus.DRAFT:
        raise InvalidTransition(_("意见征集已开始，不能再处理个人信息检查结果。"))
    denial = policy.denial_reason(user, TRANSITIONS["open"], consultation)
    if denial:
        raise PermissionDenied(denial)
    keep_finding(user=user, finding=finding, latest=latest_scan(consultation), reason=reason,
                 legal_basis=legal_basis, note=lambda text: _log(consultation, user, "privacy_keep", text))
    return finding


def check_openable(consultation: Consultation) -> None:
    """Refuse (InvalidTransition) while personal data in the current content has no decision."""
    scan = latest_scan(consultation)
    found, _notes = scan_content(consultation)
    known = set(scan.findings.values_list("kind", "value_digest")) if scan else set()
    unknown = [f for _s, f in found if (f.kind, f.digest) not in known]
    if unknown:
        raise InvalidTransition(
            _("草案正文或附件中有尚未检查的个人信息 %(count)s 项（%(summary)s），请重新检查后逐项处理。")
            % {"count": len(unknown), "summary": _summary(unknown)}
        )
    pending = list(scan.findings.filter(decision=FindingDecision.OPEN).order_by("id")) if scan else []
    if pending:
        listed = "；".join(f"{f.where}：{f.get_kind_display()} {f.masked}" for f in pending[:SHOWN_IN_REFUSAL])
        more = _("等 %(count)s 项") % {"count": len(pending)} if len(pending) > SHOWN_IN_REFUSAL else ""
        raise InvalidTransition(
            _("发现未处理的个人信息，不能开始征求意见：%(listed)s%(more)s。请上传脱敏后的版本，或由审核员逐项登记保留理由和法定依据。")
            % {"listed": listed, "more": more}
        )
