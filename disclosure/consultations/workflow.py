"""The states of a decision draft for comment (意见征集) as a transition table; services.py carries each
move out through the kernel's mechanism (disclosure/core/transitions.py).

draft → open (a reviewer of the organisation who wrote no part of it opens it) → closed (once the window
has ended: the closing job, or a reviewer) → feedback published (采纳情况, by a reviewer). Publishing the
feedback of a consultation still marked open (its window over, the closing job not yet run) closes it
in the same move; the log then shows the close and the publication as two entries.
"""

from django.utils.translation import gettext_lazy as _

from disclosure.consultations.models import ConsultationStatus as S
from disclosure.core.transitions import InvalidTransition, Right, Transition, TransitionTable

__all__ = ["InvalidTransition", "Right", "Transition", "TRANSITIONS", "BY_THE_SYSTEM_TOO"]

TRANSITIONS = TransitionTable(
    (
        # PUBLISH: a reviewer of the organisation who is not among its contributors (four eyes).
        Transition("open", _("开始征求意见"), (S.DRAFT,), S.OPEN, Right.PUBLISH),
        # REVIEW: a reviewer of the organisation.
        Transition("close", _("结束征求意见"), (S.OPEN,), S.CLOSED, Right.REVIEW),
        Transition("publish_feedback", _("公布采纳情况"), (S.OPEN, S.CLOSED), S.FEEDBACK_PUBLISHED, Right.REVIEW),
    ),
    states=S,
)

# Moves the scheduled job (manage.py close_consultations) also makes, without a user.
BY_THE_SYSTEM_TOO = frozenset({"close"})
