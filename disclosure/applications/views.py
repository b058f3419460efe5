"""Public pages of applications for disclosure: the form, the receipt and the status lookup.

Nothing personal is ever rendered here: the receipt and the status page show the tracking code,
the organisation, statuses and dates only (not the applicant, not the request text).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.applications import clock, selectors, services
from disclosure.applications.forms import ApplicationForm, TrackingCodeForm
from disclosure.applications.models import ApplicationStatus
from disclosure.core.antispam import rate_limited

SESSION_RECEIPT = "application_receipt"
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
                # Saved and committed: only now is the code shown.
                request.session[SESSION_RECEIPT] = application.tracking_code
                return redirect("disclosure:application_receipt")
        else:
            status = 400
    else:
        code = request.GET.get("org", "")[:40]
        initial = {}
        if code_validator.regex.match(code) and catalog_selectors.disclosing_organisations().filter(code=code).exists():
            initial["organisation"] = code
        form = ApplicationForm(initial=initial)
    return render(request, "disclosure/applications/apply.html", {"form": form, **CLOCK_NUMBERS}, status=status)


@require_http_methods(["GET", "HEAD"])
def receipt(request):
    """The acknowledgment with the tracking code, for the browser that submitted the application."""
    application = selectors.application_by_code(request.session.get(SESSION_RECEIPT, ""))
    if application is None:
        return redirect("disclosure:application_status")
    return render(
        request,
        "disclosure/applications/receipt.html",
        {"application": application, "clock": clock.application_clock(application), **CLOCK_NUMBERS},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    """Look an application up by its tracking code: statuses and dates, nothing else.

    A wrong, malformed or unknown code all get the same answer, so that codes cannot be probed;
    lookups are rate-limited per address.
    """
    found = None
    found_clock = None
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
    else:
        form = TrackingCodeForm()
    return render(
        request,
        "disclosure/applications/status.html",
        {
            "form": form,
            "application": found,
            "clock": found_clock,
            "refusal": refusal,
            "statuses": ApplicationStatus,
        },
        status=http_status,
    )
