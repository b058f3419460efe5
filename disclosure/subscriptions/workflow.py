"""The states of an e-mail subscription and the moves between them. The subscriber makes them with the
secret token of their links (no account): confirm, unsubscribe; subscribing again after unsubscribing
starts over at 待确认 (resubscribe). The services carry them out with the kernel's compare-and-set.
"""

from django.utils.translation import gettext_lazy as _

from disclosure.core.transitions import Right, Transition, TransitionTable
from disclosure.subscriptions.models import SubscriptionStatus

S = SubscriptionStatus
TRANSITIONS = TransitionTable(
    (
        Transition("confirm", _("确认订阅"), (S.PENDING,), S.CONFIRMED, Right.SYSTEM),
        Transition("unsubscribe", _("退订"), (S.PENDING, S.CONFIRMED), S.UNSUBSCRIBED, Right.SYSTEM),
        Transition("resubscribe", _("重新订阅"), (S.UNSUBSCRIBED,), S.PENDING, Right.SYSTEM),
    ),
    states=SubscriptionStatus,
)
