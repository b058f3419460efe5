"""Public pages of 留言与纠错: the form (with the page it was opened from), the acknowledgement, and each
organisation's 互动 page of published questions and answers.

Everything shown on the 互动 page comes from ``selectors.public_feedback``.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.core.antispam import rate_limited
from disclosure.feedback import selectors, services
from disclosure.feedback.clock import reply_days
from disclosure.feedback.forms import FeedbackForm
from disclosure.feedback.models import FeedbackKind

SUBMIT_LIMIT = 5  # messages per address per hour
RECEIPT_COOKIE = "feedback_receipt"
RECEIPT_SALT = "disclosure.feedback.receipt"
RECEIPT_MAX_AGE = 3600
PER_PAGE = 20


def _organisation_or_404(code: str):
    organisation = None
    if code_validator.regex.match(code):
        organisation = catalog_selectors.public_trees().organisation(code)
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    return organisation


def _limits() -> dict:
    return {"error_days": reply_days(FeedbackKind.ERROR), "question_days": reply_days(FeedbackKind.QUESTION)}


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_new(request):
    """留言与纠错 form; opened from a page's 我要纠错 link it carries that page and its organisation."""
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if rate_limited(request, "feedback", limit=SUBMIT_LIMIT, window_seconds=3600):
            form.is_valid()
            form.add_error(None, _("提交过于频繁，请一小时后再试。"))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                feedback = services.feedback_submit(
                    organisation=data["organisation"], kind=data["kind"], subject=data["subject"],
                    text=data["text"], name=data["name"], contact=data["contact"], page_url=data["page_url"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
                status = 400
            else:
                return _receipt_redirect(feedback)
        else:
            status = 400
    else:
        initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in FeedbackKind.values else None}
        code = request.GET.get("org", "")[:40]
        if code_validator.regex.match(code) and catalog_selectors.disclosing_organisations().filter(code=code).exists():
            initial["organisation"] = code
        initial["page_url"] = services.clean_page_url(request.GET.get("from", ""))
        form = FeedbackForm(initial=initial)
    return render(
        request, "disclosure/feedback/form.html",
        {"form": form, "page_url": form["page_url"].value() or "", **_limits()}, status=status,
    )


def _receipt_redirect(feedback):
    facts = {
        "number": feedback.pk,
        "kind": feedback.get_kind_display(),
        "subject": feedback.subject,
        "org": feedback.organisation.code,
        "org_name": feedback.organisation.name,
        "received_at": timezone.localtime(feedback.received_at).isoformat(),
        "days": reply_days(feedback.kind),
    }
    response = redirect(reverse("disclosure:feedback_received"))
    response.set_cookie(
        RECEIPT_COOKIE, signing.dumps(facts, salt=RECEIPT_SALT, compress=True), max_age=RECEIPT_MAX_AGE,
        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_safe
def feedback_received(request):
    """The acknowledgement, from the signed cookie alone; without one, back to the form."""
    try:
        receipt = signing.loads(request.COOKIES.get(RECEIPT_COOKIE, ""), salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
        receipt["received_at"] = datetime.fromisoformat(receipt["received_at"])
        int(receipt["number"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return redirect(reverse("disclosure:feedback_new"))
    return render(request, "disclosure/feedback/received.html", {"receipt": receipt})


@require_safe
def feedback_list(request, org):
    """互动: an organisation's published questions and error reports with their answers, newest first."""
    organisation = _organisation_or_404(org)
    paginator = Paginator(selectors.public_feedback_of(organisation), PER_PAGE, allow_empty_first_page=True)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request, "disclosure/feedback/list.html",
        {"organisation": organisation, "page": page, "items": list(page.object_list), **_limits()},
    )
