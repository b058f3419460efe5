"""The states of a concern and the moves between them, as a transition table; disclosure/concerns/services.py
carries each move out through the kernel's mechanism (disclosure/core/transitions.py).

待回应 → 已回应 with the first response (later responses keep it 已回应); either → 已办结. A closed
concern neither changes nor takes responses. Registering a concern is not a move: it starts at 待回应.
"""

from django.utils.translation import gettext_lazy as _

from disclosure.concerns.models import ConcernStatus
from disclosure.core.transitions import Right, Transition, TransitionTable

NOT_CLOSED = (ConcernStatus.OPEN, ConcernStatus.RESPONDED)

TRANSITIONS = TransitionTable(
    (
        # Changing the facts or the responsible staff keeps the state.
        Transition("update", _("修改"), NOT_CLOSED, None, Right.HANDLE),
        Transition("respond", _("登记回应"), NOT_CLOSED, ConcernStatus.RESPONDED, Right.HANDLE),
        # A reason is required only while a deadline is unmet: the service checks that, not the table.
        Transition("close", _("办结"), NOT_CLOSED, ConcernStatus.CLOSED, Right.HANDLE),
    ),
    states=ConcernStatus,
)

# Action name → label for the log, registering included.
ACTION_LABELS = {"create": _("登记"), **{t.name: t.label for t in TRANSITIONS.values()}}
