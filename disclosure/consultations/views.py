"""Public pages of decision drafts for comment: an organisation's list, and one draft with its form.

Both read through ``disclosure.consultations.selectors.public_consultations``; a draft, a consultation not yet
open or one under a switched-off organisation or catalog node answers the same 404 as one that never
existed. Citizens' contacts are never rendered here.

A saved comment is acknowledged on its own page ("您的意见已收到"), rendered from a signed cookie set
with the redirect after the commit (django.core.signing): no database read, so a blip right after the
save cannot keep the citizen from learning that the comment arrived.
"""

from datetime import datetime

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
from disclosure.consultations import selectors as consultation_selectors
from disclosure.consultations import services as consultations
from disclosure.consultations.clock import feedback_clock
from disclosure.consultations.forms import CommentForm
from disclosure.consultations.models import COMMENT_MAX_CHARS, ConsultationStatus
from disclosure.core.antispam import rate_limited
from disclosure.core.downloads import attachment_response

PER_PAGE = 20
COMMENT_LIMIT = 5  # comments per address per hour, across all consultations
COMMENT_WINDOW_SECONDS = 3600
RECEIPT_COOKIE = "comment_receipt"
RECEIPT_SALT = "disclosure.consultations.comment_receipt"
RECEIPT_MAX_AGE = 3600  # seconds the acknowledgement can be reloaded


def _organisation_or_404(code: str):
    organisation = catalog_selectors.visible_organisations().filter(code=code).first()
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    return organisation


@require_safe
def consultation_list(request, org):
    """An organisation's drafts for comment, those open for comment first."""
    organisation = _organisation_or_404(org)
    paginator = Paginator(
        consultation_selectors.public_consultation_list(organisation=organisation), PER_PAGE, allow_empty_first_page=True
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/consultations/list.html",
        {"organisation": organisation, "page": page, "items": list(page.object_list), "now": timezone.now()},
    )


@require_safe
def consultation_index(request):
    """意见征集 of every organisation on the platform, those open for comment first: the target of the
    site navigation's 意见征集 link outside an organisation's pages."""
    paginator = Paginator(consultation_selectors.public_consultation_list(), PER_PAGE, allow_empty_first_page=True)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/consultations/list.html",
        {"organisation": None, "page": page, "items": list(page.object_list), "now": timezone.now()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def consultation_detail(request, org, pk):
    """One draft: text, window, the comment form while open, shown comments, feedback once published."""
    consultation = consultation_selectors.public_consultation(org_code=org, pk=pk)
    if consultation is None:
        raise Http404(_("没有找到该意见征集。"))
    now = timezone.now()
    status = 200
    form = CommentForm() if consultation.accepts_comments(now) else None
    refused_text = ""
    closed_notice = ""
    if request.method == "POST":
        form = CommentForm(request.POST)
        if rate_limited(request, "consultation-comment", limit=COMMENT_LIMIT, window_seconds=COMMENT_WINDOW_SECONDS):
            form.is_valid()  # keep what was typed, shown with the refusal
            form.add_error(None, _("提交过于频繁，请一小时后再试。也可以通过信函、电子邮件等方式提出意见。"))
            status = 429
        elif form.is_valid():
            try:
                comment = consultations.comment_submit(
                    consultation=consultation,
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    text=form.cleaned_data["text"],
                )
            except consultations.ConsultationClosed as closed:
                closed_notice = str(closed)
                refused_text = form.cleaned_data["text"]
                form = None
                status = 400
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                # Saved and committed: only now is the citizen told so, from facts in hand.
                return _receipt_redirect(request, org, consultation, comment)
        else:
            status = 400
        if form is not None and not consultation.accepts_comments(now):
            # The window closed while the citizen was writing: say so, keep the text visible.
            closed_notice = consultations.closed_message(consultation, now)
            refused_text = request.POST.get("text", "")[: 2 * COMMENT_MAX_CHARS]
            form = None
            status = 400
    if not closed_notice and form is None and consultation.window_has_ended(now):
        closed_notice = consultations.closed_message(consultation, now)
    comments = list(consultation_selectors.shown_comments(consultation))
    return render(
        request,
        "disclosure/consultations/detail.html",
        {
            "consultation": consultation,
            "organisation": consultation.organisation,
            "attachments": list(consultation.attachments.all()),
            "comments": comments,
            "form": form,
            "closed_notice": closed_notice,
            "refused_text": refused_text,
            "days_left": consultations.days_left(consultation, now),
            "last_day": consultations.window_last_day(consultation.closes_at),
            "now": now,
            "feedback_published": consultation.status == ConsultationStatus.FEEDBACK_PUBLISHED,
            "feedback_clock": feedback_clock(consultation, now=now),
        },
        status=status,
    )


def _receipt_url(org: str, pk: int) -> str:
    return reverse("disclosure:consultation_comment_received", kwargs={"org": org, "pk": pk})


def _receipt_redirect(request, org: str, consultation, comment):
    """Redirect to the acknowledgement, carrying its facts in a signed cookie only this browser holds."""
    url = _receipt_url(org, consultation.pk)
    facts = {
        "consultation": consultation.pk,
        "title": consultation.title,
        "number": comment.pk,
        "submitted_at": timezone.localtime(comment.submitted_at).isoformat(),
    }
    response = redirect(url)
    response.set_cookie(
        RECEIPT_COOKIE,
        signing.dumps(facts, salt=RECEIPT_SALT, compress=True),
        max_age=RECEIPT_MAX_AGE,
        path=url,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@require_safe
def comment_received(request, org, pk):
    """"您的意见已收到": the acknowledgement of a saved comment, from the signed cookie alone (no
    database read). Without a valid cookie for this consultation: back to the consultation's page."""
    try:
        facts = signing.loads(request.COOKIES.get(RECEIPT_COOKIE, ""), salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
        receipt = {
            "consultation": int(facts["consultation"]),
            "title": str(facts["title"]),
            "number": int(facts["number"]),
            "submitted_at": datetime.fromisoformat(facts["submitted_at"]),
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        receipt = None
    back = reverse("disclosure:consultation", kwargs={"org": org, "pk": pk})
    if receipt is None or receipt["consultation"] != pk:
        return redirect(back)
    return render(
        request, "disclosure/consultations/received.html", {"receipt": receipt, "back": back, "org": org}
    )


@require_safe
def consultation_attachment(request, org, pk, attachment_id):
    """Download a file of a public draft, under its original name, never rendered inline."""
    return attachment_response(
        consultation_selectors.public_attachment(org_code=org, pk=pk, attachment_id=attachment_id)
    )
