"""The one transition mechanism every duty uses: a table of moves, two errors, one claim.

Each duty declares its moves as a ``TransitionTable`` (in ``<feature>/workflow.py`` or next to its
services) and carries each one out with ``move()``, which

1. locks the row (``select_for_update``),
2. checks the state: a move from the wrong state raises ``InvalidTransition``,
3. checks the right through the duty's policy: a missing right raises ``PermissionDenied``,
4. requires a comment where the move needs one (``ValidationError``),
5. changes the status with a compare-and-set UPDATE (``claim``), so that of two concurrent moves from
   the same state exactly one wins, on PostgreSQL and SQLite alike; the loser hears ``STALE``,
6. writes the duty's log entry.

Nothing is written when any step refuses. ``move()`` must run inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The one message for a lost race, whatever the duty.
STALE = gettext_lazy("该事项已被他人更改，请刷新后重试。")


class InvalidTransition(Exception):
    """The object is not in a state from which this move is allowed (not a permission problem)."""


class Right:
    """The kinds of right a move may need; each duty's policy says who holds them."""

    EDIT = "edit"
    REVIEW = "review"
    PUBLISH = "publish"
    HANDLE = "handle"
    APPROVE = "approve"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """One move: from any of ``sources`` to ``target`` (None: the status stays, e.g. a notice)."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    right: str
    needs_comment: bool = False

    @property
    def is_system(self) -> bool:
        return self.right == Right.SYSTEM


class TransitionTable(Mapping):
    """A duty's moves by name (a read-only mapping), with the label of each state for the messages."""

    def __init__(self, transitions: Iterable[Transition], *, states: type[models.TextChoices]):
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        self.states = states

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __iter__(self):
        return iter(self.transitions)

    def __len__(self) -> int:
        return len(self.transitions)

    def transition(self, name: str) -> Transition:
        """The move called ``name``; an unknown name is an invalid move, not a programming error."""
        try:
            return self.transitions[name]
        except KeyError:
            raise InvalidTransition(_("未知的操作：%s") % name) from None

    def moves_from(self, status: str) -> list[Transition]:
        """The moves a person could make from a state (system moves left out)."""
        return [t for t in self.transitions.values() if status in t.sources and not t.is_system]

    def state_label(self, status: str) -> str:
        try:
            return str(self.states(status).label)
        except ValueError:
            return status

    def check_source(self, transition: Transition, status: str) -> None:
        if status not in transition.sources:
            raise InvalidTransition(
                _("当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": self.state_label(status), "action": transition.label}
            )

    def labels(self) -> dict[str, str]:
        """Action name → Chinese label, for logs and lists."""
        return {t.name: str(t.label) for t in self.transitions.values()}


def claim(obj: models.Model, *, expected: str, values: Mapping, field: str = "status") -> None:
    """Compare-and-set: write ``values`` only if ``field`` still holds ``expected``; else ``STALE``.

    Sets ``updated_at`` too where the model has one.
    """
    model = type(obj)
    values = dict(values)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields) and "updated_at" not in values:
        values["updated_at"] = timezone.now()
    won = model._default_manager.filter(pk=obj.pk, **{field: expected}).update(**values)
    if won != 1:
        raise InvalidTransition(STALE)
    for name, value in values.items():
        setattr(obj, name, value)


def move(
    obj: models.Model,
    *,
    table: TransitionTable,
    name: str,
    user,
    denial: Callable[[object, Transition, models.Model], str | None],
    log: Callable[[models.Model, str, str, str], object] | None,
    comment: str = "",
    changes: Mapping | None = None,
    check: Callable[[models.Model, Transition], None] | None = None,
) -> tuple[models.Model, str]:
    """Carry out the move ``name`` of ``table`` on ``obj`` as ``user``; returns (locked object, previous
    status).

    ``denial(user, transition, locked)`` is the duty's policy: why the user may not, or None.
    ``check(locked, transition)`` may raise further domain errors after state and right are known
    good (e.g. "the window has not ended"). ``log(locked, previous, target, comment)`` writes the
    duty's log entry.
    """
    transition = table.transition(name)
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    table.check_source(transition, locked.status)
    reason = denial(user, transition, locked)
    if reason:
        raise PermissionDenied(reason)
    if transition.needs_comment and not (comment or "").strip():
        raise ValidationError(_("“%(action)s”必须填写理由。") % {"action": transition.label})
    if check is not None:
        check(locked, transition)
    previous = locked.status
    target = transition.target if transition.target is not None else previous
    claim(locked, expected=previous, values={"status": target, **(changes or {})})
    if log is not None:
        log(locked, previous, target, comment)
    return locked, previous
