"""Public pages of applications for disclosure: the form, the receipt and the status lookup.

Nothing personal is ever rendered here: the receipt and the status page show the tracking code,
the organisation, statuses and dates only (not the applicant, not the request text).

The receipt survives a database blip: once the application is committed, the POST answers with a
redirect carrying the receipt's facts (code, organisation, times, due date) in a signed cookie
(django.core.signing), scoped to the receipt's path and short-lived, and the receipt page renders from
that cookie, without reading the application or writing a session; only the due date is recomputed
from the official calendar (so that a year entered since is taken into account), and if that read
fails the cookie's own text is shown. A citizen whose application
was saved always sees its tracking code.
"""

from datetime import date, datetime

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.applications import clock, selectors, services
from disclosure.applications.forms import ApplicationForm, TrackingCodeForm
from disclosure.applications.models import ApplicationStatus
from disclosure.applications.timeline import application_timeline
from disclosure.core.antispam import rate_limited
from disclosure.core.workdays import Reckoner

RECEIPT_COOKIE = "application_receipt"
RECEIPT_SALT = "disclosure.applications.receipt"
RECEIPT_MAX_AGE = 3600  # seconds the receipt can be reloaded; the status page serves afterwards
SUBMIT_LIMIT = 10  # POSTs per address per hour
LOOKUP_LIMIT = 30  # lookups per address per 10 minutes
# The clock's numbers, for the pages that explain the time limits to the applicant.
CLOCK_NUMBERS = {"reply_days": clock.REPLY_DAYS, "max_extension_days": clock.MAX_EXTENSION_DAYS}


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    """The online application form (政府信息公开申请)."""
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if rate_limited(request, "application", limit=SUBMIT_LIMIT, window_seconds=3600):
            form.is_valid()  # keep what was typed, shown with the refusal
            form.add_error(
                None,
                _("提交过于频繁，请一小时后再试。需要提出较多申请的，也可以当面、信函或传真提交。"),
            )
            status = 429
        elif form.is_valid():
            try:
                application = services.application_submit(
                    organisation=form.cleaned_data["organisation"], **form.application_fields()
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                # Saved and committed: only now is the code shown, from facts in hand (no further read).
                return _receipt_redirect(request, application)
        else:
            status = 400
    else:
        code = request.GET.get("org", "")[:40]
        initial = {}
        if code_validator.regex.match(code) and catalog_selectors.disclosing_organisations().filter(code=code).exists():
            initial["organisation"] = code
        column = _column_asked_for(request.GET.get("column", ""))
        if column is not None:
            # From a 依申请公开 column's link: the applicant starts from what the column holds.
            initial["description"] = _("申请公开“%(column)s”方面的以下政府信息：") % {"column": column.name}
        form = ApplicationForm(initial=initial)
    return render(request, "disclosure/applications/apply.html", {"form": form, **CLOCK_NUMBERS}, status=status)


def _column_asked_for(code: str):
    """The catalog column named by a column page's 申请 link (``?column=``), or None for anything else."""
    code = code[:40]
    if not code or not code_validator.regex.match(code):
        return None
    return catalog_selectors.visible_nodes().filter(code=code).first()


def _due_facts(received_on: date) -> tuple[str, str]:
    """The reply deadline of a just-received application, as the receipt shows it, and the note of a
    provisional date (counted on weekends only while a year's holidays are not entered).

    Recomputed on every view of the receipt, not stored: once the year is entered the receipt shows
    the final date. A fresh application has no pause, correction or extension, so the date follows
    from the day of receipt alone (clock.start_of_count, clock.REPLY_DAYS)."""
    reckoner = Reckoner(estimate=True)
    due = reckoner.add(clock.start_of_count(received_on, reckoner), clock.REPLY_DAYS)
    note = clock.provisional_note(reckoner.unknown_years) if reckoner.provisional else ""
    return clock.dated(due, reckoner.provisional), note


def _statutory_rule() -> str:
    return _("收到申请之日起%(days)d个工作日内") % {"days": clock.REPLY_DAYS}


def _receipt_redirect(request, application):
    """Redirect to the receipt, carrying its facts in a signed cookie only this browser holds."""
    facts = {
        "code": application.tracking_code_display,
        "organisation": application.organisation.name,
        "submitted_at": timezone.localtime(application.submitted_at).isoformat(),
        "received_on": application.received_on.isoformat(),
        "due": _safe_due_facts(application.received_on)[0],
    }
    response = redirect("disclosure:application_receipt")
    response.set_cookie(
        RECEIPT_COOKIE,
        signing.dumps(facts, salt=RECEIPT_SALT, compress=True),
        max_age=RECEIPT_MAX_AGE,
        path=reverse("disclosure:application_receipt"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


def _safe_due_facts(received_on: date) -> tuple[str, str]:
    """``_due_facts``, or, if the database blips while the calendar is read, the statutory rule in
    words (the tracking code matters more than the date)."""
    try:
        return _due_facts(received_on)
    except DatabaseError:
        return _statutory_rule(), ""


def _receipt_facts(request) -> dict | None:
    """The receipt's facts from the signed cookie, or None (absent, tampered with, expired, malformed)."""
    try:
        facts = signing.loads(request.COOKIES.get(RECEIPT_COOKIE, ""), salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
        return {
            "code": str(facts["code"]),
            "organisation": str(facts["organisation"]),
            "submitted_at": datetime.fromisoformat(facts["submitted_at"]),
            "received_on": date.fromisoformat(facts["received_on"]),
            "due": str(facts["due"]),
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@require_http_methods(["GET", "HEAD"])
def receipt(request):
    """The acknowledgment with the tracking code, for the browser that submitted the application.

    Renders from the signed cookie: the application is not read, so a blip after the save cannot hide the
    code; the due date is recomputed from the calendar when it can be read (``_due_facts``).
    """
    facts = _receipt_facts(request)
    if facts is None:
        return redirect("disclosure:application_status")
    # The date is recomputed (a year entered since is taken into account); the cookie's text is the
    # fallback when the calendar cannot be read.
    try:
        facts["due"], facts["due_note"] = _due_facts(facts["received_on"])
    except DatabaseError:
        facts["due_note"] = ""
    return render(request, "disclosure/applications/receipt.html", {"receipt": facts, **CLOCK_NUMBERS})


@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    """Look an application up by its tracking code: statuses and dates, nothing else.

    A wrong, malformed or unknown code all get the same answer, so that codes cannot be probed;
    lookups are rate-limited per address.
    """
    found = None
    found_clock = None
    timeline = []
    refusal = ""
    http_status = 200
    if request.method == "POST":
        form = TrackingCodeForm(request.POST)
        if rate_limited(request, "application-status", limit=LOOKUP_LIMIT, window_seconds=600):
            form = TrackingCodeForm()
            refusal = _("查询过于频繁，请十分钟后再试。")
            http_status = 429
        elif form.is_valid():
            found = selectors.application_by_code(form.cleaned_data["code"])
            if found is None:
                form.add_error("code", TrackingCodeForm.NOT_FOUND)
            else:
                found_clock = clock.application_clock(found)
                timeline = application_timeline(found, for_public=True)
    else:
        form = TrackingCodeForm()
    return render(
        request,
        "disclosure/applications/status.html",
        {
            "form": form,
            "application": found,
            "clock": found_clock,
            "timeline": timeline,
            "refusal": refusal,
            "statuses": ApplicationStatus,
        },
        status=http_status,
    )
