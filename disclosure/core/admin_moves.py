"""What the admin's workflow screens share: move buttons that lead to a confirmation page, the page
that calls the move's service, the way a refusal is reported, and the rows of an activity log.

A move is anything with ``name``, ``label`` and ``sources`` (a record's ``workflow.Transition``, an
application's ``applications.Move``). The admin never changes a status itself: the POST of the
confirmation page calls the move's service, and a wrong state, a missing right or a service's
refusal comes back as a Chinese message on the change page, never as a 500. A GET changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from disclosure.core.transitions import InvalidTransition

REFUSALS = (InvalidTransition, PermissionDenied, ValidationError)
"""What a service raises when it refuses: wrong state, no right, invalid data."""

REFUSED = _("操作被拒绝。")


def refusal_messages(error: Exception, default=REFUSED) -> list[str]:
    """The Chinese messages carried by a service's refusal; ``default`` when it carries none."""
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error) or str(default)]


def log_rows(
    entries: Iterable, *, action_label: Callable[[str], str], status_label: Callable[[str], str]
) -> list[dict]:
    """Rows of the activity log table (admin/disclosure/includes/activity_log.html)."""
    return [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "from": status_label(entry.from_status),
            "to": status_label(entry.to_status),
        }
        for entry in entries
    ]


class WorkflowMovesMixin:
    """For a ModelAdmin whose change page carries move buttons.

    Each button opens ``<object_id>/move/<name>/`` (URL name ``move_url_name``): a GET shows the move's
    form on ``move_template``, a POST carries the move out through ``perform_move`` in one transaction
    and reports it with ``report_move``. Subclasses say which moves exist and who may make them.
    """

    move_url_name: str  # e.g. "disclosure_record_move"
    move_template: str
    not_found_message = _("没有找到该对象，或您无权查看。")
    refused_message = REFUSED  # when a refusal carries no message of its own

    # What a subclass provides -----------------------------------------------------------------------

    def get_move(self, name: str):
        """The move called ``name`` that a person can make, or None (a 404)."""
        raise NotImplementedError

    def move_denial_reason(self, user, move, obj) -> str | None:
        """Why ``user`` may not make ``move`` on ``obj`` (state aside), or None."""
        raise NotImplementedError

    def move_form(self, move, data=None):
        """The move's form, bound to ``data`` on a POST."""
        raise NotImplementedError

    def move_form_for(self, obj, move, data=None):
        """The move's form for ``obj`` (a form that depends on the object, e.g. its review step);
        by default ``move_form``."""
        return self.move_form(move, data)

    def perform_move(self, user, obj, move, data: dict):
        """Carry the move out through its service; returns the object as it is afterwards."""
        raise NotImplementedError

    def report_move(self, request, move, result) -> None:
        """The success message (and any warning) after the move."""
        raise NotImplementedError

    def move_context(self, request, obj, move) -> dict:
        """The page title and whatever else the confirmation page shows."""
        return {}

    # Shared ---------------------------------------------------------------------------------------

    def _visible_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # The same answer for "not yours" as for "does not exist".
            raise Http404(self.not_found_message)
        return obj

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def move_buttons(self, obj, moves: Iterable) -> list[dict]:
        """The change page's buttons (admin/disclosure/includes/workflow_moves.html) for ``moves``."""
        return [
            {
                "name": move.name,
                "label": move.label,
                "url": reverse(f"admin:{self.move_url_name}", args=[obj.pk, move.name]),
            }
            for move in moves
        ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/<str:name>/",
                self.admin_site.admin_view(self.move_view),
                name=self.move_url_name,
            ),
            *super().get_urls(),
        ]

    def move_view(self, request, object_id, name):
        """Confirm and carry out one move through its service; never a 500 for a refusal."""
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        obj = self._visible_or_404(request, object_id)
        move = self.get_move(name)
        if move is None:
            raise Http404(_t("没有这个办理操作。"))
        back = redirect(self._change_url(obj))
        if obj.status not in move.sources:
            messages.error(
                request,
                _t("当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": obj.get_status_display(), "action": move.label},
            )
            return back
        reason = self.move_denial_reason(request.user, move, obj)
        if reason:
            if request.method == "POST":
                messages.error(request, reason)
                return back
            raise PermissionDenied(reason)

        if request.method == "POST":
            form = self.move_form_for(obj, move, request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic(using=router.db_for_write(self.model)):
                        result = self.perform_move(request.user, obj, move, form.cleaned_data)
                except REFUSALS as error:
                    for message in refusal_messages(error, self.refused_message):
                        messages.error(request, message)
                    return back
                self.report_move(request, move, result)
                return redirect(self._change_url(result))
        else:
            form = self.move_form_for(obj, move)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "move": move,
            "action_label": move.label,
            "form": form,
            "change_url": self._change_url(obj),
            "media": self.media + form.media,
            **self.move_context(request, obj, move),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.move_template, context)
