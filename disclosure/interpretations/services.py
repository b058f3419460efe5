"""Policy interpretation (政策解读): linking an interpretation record to the policy it explains.

"谁起草、谁解读" (guideline 四（三）): an interpretation is a Record of type ``interpretation`` of the same
organisation as the policy, reviewed like any other record. The link (``Interpretation``, a relation
between two records, in disclosure/records/models.py) is made and removed here, audited on the
interpretation record. Publishing a policy together with its interpretations (同步) is part of record
publication: disclosure/records/services.py, with the rules in disclosure/records/interpretation_sync.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disclosure.core.transitions import InvalidTransition
from disclosure.interpretations import policy as link_policy
from disclosure.records.models import (
    UNPUBLISHED_STATUSES,
    AuditEntry,
    Interpretation,
    InterpretationForm,
    Record,
    RecordType,
    Status,
)

# A policy in one of these states can no longer be given a new interpretation.
CLOSED_POLICY_STATUSES = (Status.WITHDRAWN, Status.SUPERSEDED)




def _describe(record: Record) -> str:
    return record.index_number or _("编号 %(pk)s") % {"pk": record.pk}


def interpretation_validate(*, interpretation: Record, policy: Record, form: str) -> None:
    """Raise ValidationError (by form field) if ``interpretation`` may not be linked to ``policy``."""
    errors = {}
    if interpretation.record_type != RecordType.INTERPRETATION:
        errors["record"] = _("解读信息的信息类别须为“政策解读”。")
    elif interpretation.status not in UNPUBLISHED_STATUSES:
        errors["record"] = _("该解读已发布（或已撤回），不能再更改所解读的政策文件。")
    if policy.pk == interpretation.pk:
        errors["policy"] = _("一条信息不能解读它自己。")
    elif policy.record_type == RecordType.INTERPRETATION:
        errors["policy"] = _("所解读的信息不能也是政策解读，请选择政策文件。")
    elif policy.organisation_id != interpretation.organisation_id:
        errors["policy"] = _("谁起草、谁解读：解读与政策文件须属于同一单位。")
    elif policy.status in CLOSED_POLICY_STATUSES:
        errors["policy"] = _("该政策文件已撤回或已被新版本替代，请选择现行的版本。")
    if form not in InterpretationForm.values:
        errors["form"] = _("请选择解读形式。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def interpretation_link(*, user, interpretation: Record, policy: Record, form: str) -> Interpretation:
    """Link an unpublished interpretation record to the policy it explains (or change the link)."""
    locked = Record.objects.select_for_update().get(pk=interpretation.pk)
    if not link_policy.may_link_in(user, locked.organisation_id):
        raise PermissionDenied(_("只有本单位的信息员可以关联政策解读。"))
    policy = Record.objects.get(pk=policy.pk)
    interpretation_validate(interpretation=locked, policy=policy, form=form)
    link, _created = Interpretation.objects.update_or_create(
        record=locked, defaults={"policy": policy, "form": form}
    )
    AuditEntry.note(
        locked,
        user,
        "link_interpretation",
        _("%(form)s，解读“%(title)s”（%(number)s）")
        % {"form": InterpretationForm(form).label, "title": policy.title, "number": _describe(policy)},
    )
    return link


@transaction.atomic
def interpretation_unlink(*, user, link: Interpretation) -> None:
    """Remove the link of an interpretation that is not yet published."""
    locked = Record.objects.select_for_update().get(pk=link.record_id)
    if not link_policy.may_link_in(user, locked.organisation_id):
        raise PermissionDenied(_("只有本单位的信息员可以取消政策解读的关联。"))
    if locked.status not in UNPUBLISHED_STATUSES:
        raise InvalidTransition(_("该解读已发布（或已撤回），其关联作为历史保留，不能取消。"))
    policy = link.policy
    Interpretation.objects.filter(pk=link.pk).delete()
    AuditEntry.note(
        locked,
        user,
        "unlink_interpretation",
        _("取消与“%(title)s”（%(number)s）的解读关联") % {"title": policy.title, "number": _describe(policy)},
    )
