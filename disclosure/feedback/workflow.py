"""The states of a message from the public (留言与纠错) and the moves between them, as a transition table;
disclosure/feedback/services.py carries each move out through the kernel (disclosure/core/transitions.py).

待答复 → 已答复 (reply) → 已公开 (publish, by a reviewer or the organisation's administrator) and back to
已答复 (unpublish, with a reason); 待答复 → 不予处理 (dismiss, with a reason: spam, abuse, not this
organisation's business). Assigning a handler keeps the state. Receiving a message is not a move: it
starts at 待答复.
"""

from django.utils.translation import gettext_lazy as _

from disclosure.core.transitions import Right, Transition, TransitionTable
from disclosure.feedback.models import FeedbackStatus

TRANSITIONS = TransitionTable(
    (
        Transition("assign", _("指定办理人"), (FeedbackStatus.RECEIVED,), None, Right.HANDLE),
        Transition("reply", _("答复"), (FeedbackStatus.RECEIVED,), FeedbackStatus.REPLIED, Right.HANDLE),
        Transition("publish", _("公开"), (FeedbackStatus.REPLIED,), FeedbackStatus.PUBLISHED, Right.PUBLISH),
        Transition(
            "unpublish", _("取消公开"), (FeedbackStatus.PUBLISHED,), FeedbackStatus.REPLIED, Right.PUBLISH,
            needs_comment=True,
        ),
        Transition(
            "dismiss", _("不予处理"), (FeedbackStatus.RECEIVED,), FeedbackStatus.DISMISSED, Right.HANDLE,
            needs_comment=True,
        ),
    ),
    states=FeedbackStatus,
)

# Action name → label for the log, receiving included.
ACTION_LABELS = {"submit": _("收到留言"), **{t.name: t.label for t in TRANSITIONS.values()}}
