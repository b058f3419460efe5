"""The moves of an application for disclosure as a transition table; disclosure/applications/services.py
carries each one out through the kernel's mechanism (disclosure/core/transitions.py).

Receiving an application (online, or registered by staff) creates it in RECEIVED and is not a move.
The system resumes the clock of a consultation whose statutory 15 working days are over
(``resume_consultation``); no person makes that move. Two moves keep the status and record a fact: approving the extension and recording that the applicant
was told of it.
"""

from django.utils.translation import gettext_lazy as _

from disclosure.applications.models import ApplicationStatus as S
from disclosure.core.transitions import InvalidTransition, Right, Transition, TransitionTable

__all__ = ["InvalidTransition", "Right", "Transition", "TRANSITIONS"]

TRANSITIONS = TransitionTable(
    (
        Transition("request_correction", _("告知补正"), (S.RECEIVED,), S.CORRECTION, Right.HANDLE),
        Transition("receive_correction", _("收到补正"), (S.CORRECTION,), S.RECEIVED, Right.HANDLE),
        Transition("start_consultation", _("征求意见"), (S.RECEIVED,), S.CONSULTATION, Right.HANDLE),
        Transition("end_consultation", _("结束征求意见"), (S.CONSULTATION,), S.RECEIVED, Right.HANDLE),
        # 条例 第三十二条: the third party's 15 working days are over, answer or not: the clock runs again.
        Transition("resume_consultation", _("征求意见期满恢复计算"), (S.CONSULTATION,), S.RECEIVED, Right.SYSTEM),
        # The office head's consent of article 33: the reviewer's right.
        Transition("extend", _("批准延期"), (S.RECEIVED, S.CONSULTATION), None, Right.APPROVE),
        Transition(
            "notify_extension",
            _("登记延期告知"),
            (S.RECEIVED, S.CONSULTATION, S.REPLIED, S.CLOSED),
            None,
            Right.HANDLE,
        ),
        Transition("reply", _("答复"), (S.RECEIVED, S.CORRECTION), S.REPLIED, Right.HANDLE),
        Transition("close", _("办结归档"), (S.REPLIED,), S.CLOSED, Right.HANDLE),
    ),
    states=S,
)
