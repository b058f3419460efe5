"""Public record pages and attachment downloads.

Both read through ``disclosure.records.selectors`` (``public_record``, ``public_attachment``), which start from
``public_records()``. Anything not public answers the same 404 as something that never existed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalog import selectors as catalog_selectors
from disclosure.core.antispam import rate_limited
from disclosure.core.downloads import attachment_response
from disclosure.records import body_images, library, publicity, selectors
from disclosure.records.models import RecordType, Validity
from disclosure.records.publicity_forms import ObjectionForm

OBJECTION_LIMIT = 5  # objections per address per hour, as for comments on drafts
OBJECTION_WINDOW_SECONDS = 3600


@require_safe
def record(request, org, number):
    """A public record: metadata header, body, attachments, public related records.

    A withdrawn record whose reviewer chose a public notice answers 410 with title, index number and
    withdrawal date only.
    """
    current = selectors.public_record_page(org_code=org, serial=number)
    if current is None:
        notice = selectors.withdrawal_notice(org_code=org, serial=number)
        if notice is not None:
            return render(request, "disclosure/records/record_withdrawn.html", {"notice": notice}, status=410)
        raise Http404
    return render(request, "disclosure/records/record.html", record_context(request, current))


def page_context(current) -> dict:
    """What the record page shows of ``current`` whoever looks; the staff preview
    (disclosure/records/preview.py) renders the same template from it, so that it shows exactly what the
    public will see."""
    return record_context(None, current)


def record_context(request, current, *, objection_form=None) -> dict:
    """What the public record page shows (also re-rendered by the objection view with the form's errors);
    ``request`` None: the preview, which takes no objection."""
    # The public trees' node, whose parents are cached for the breadcrumb (the record page's record has it
    # already, public_record_page); a node the public cannot see (a staff preview) reads its parents.
    node = catalog_selectors.public_trees().node(current.node.code) or current.node
    path = catalog_selectors.path_in_tree(node)
    context = {
        "record": current,
        "organisation": current.organisation,
        "node": node,
        "path": path,
        "attachments": list(current.attachments.all()) if getattr(current, "has_attachments", True) else [],
        # Not queried when the record's own query found none (public_record_page).
        "related": _public_related(current) if getattr(current, "has_related", True) else [],
    }
    if current.record_type in library.POLICY_TYPES or current.effective_on or current.expires_on:
        library.with_links([current])
    notice = publicity.notice_for_page(current)
    if notice is not None:
        context["notice"] = publicity.notice_state(notice, notice.record.published_at)
        if publicity.accepts_objections(notice, current):
            context["objection_form"] = objection_form or ObjectionForm()
        context["objection_received"] = request is not None and request.GET.get("objection") == "received"
    return context


def _public_related(current) -> list:
    """The public records ``current`` names as related, newest first (built only when it has some)."""
    return list(
        selectors.public_records()
        .filter(pk__in=current.related.values("pk"))
        .select_related("organisation")
        .order_by("-published_at", "-id")
    )


@require_safe
def attachment(request, org, number, attachment_id):
    """Download one attachment of a public record, under its original name, never rendered inline."""
    return attachment_response(
        selectors.public_attachment(org_code=org, serial=number, attachment_id=attachment_id)
    )


@require_safe
def image(request, digest):
    """An image of a record body, shown inline: to the public when a public record has it as an attachment;
    to staff also when a record they may read has it (the editor, the preview), then never cached."""
    found = selectors.public_image(digest)
    private = found is None
    if private:
        found = body_images.staff_image(request.user, digest)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=body_images.IMAGE_TYPES[found.kind])
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        add_never_cache_headers(response)
    return response


@require_POST
def objection(request, org, number):
    """File an objection (异议) to a public record during its 公示期; never shown to the public."""
    current = selectors.public_record(org_code=org, serial=number)
    notice = publicity.notice_for_page(current) if current is not None else None
    if notice is None:
        raise Http404
    form = ObjectionForm(request.POST)
    status = 400
    if rate_limited(request, "notice-objection", limit=OBJECTION_LIMIT, window_seconds=OBJECTION_WINDOW_SECONDS):
        form.is_valid()
        form.add_error(None, _("提交过于频繁，请一小时后再试，或按公示所列方式提出异议。"))
        status = 429
    elif form.is_valid():
        try:
            publicity.objection_submit(
                notice=notice,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                text=form.cleaned_data["text"],
            )
        except publicity.ObjectionsClosed as closed:
            form.add_error(None, str(closed))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return HttpResponseRedirect(current.get_absolute_url() + "?objection=received#objection")
    context = record_context(request, current, objection_form=form)
    context.setdefault("objection_form", form)
    return render(request, "disclosure/records/record.html", context, status=status)


POLICY_TYPE_CHOICES = [(value, label) for value, label in RecordType.choices if value in library.POLICY_TYPES]


@require_safe
def policy_library(request, org):
    """政策文件库: the organisation's public policy documents, current ones first, filterable by type, year
    of 施行 and validity, each with what amended or repealed it."""
    organisation = catalog_selectors.public_trees().organisation(org)
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    record_type = request.GET.get("type", "")
    validity = request.GET.get("validity", "")
    year_text = request.GET.get("year", "")
    if record_type and record_type not in library.POLICY_TYPES:
        return _bad_filter(request, organisation)
    if validity and validity not in Validity.values:
        return _bad_filter(request, organisation)
    year = None
    if year_text:
        if not (year_text.isdigit() and len(year_text) == 4):
            return _bad_filter(request, organisation)
        year = int(year_text)
    records = library.library_records(organisation, record_type=record_type, year=year, validity=validity)
    page = Paginator(records, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/records/policy_library.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "records": library.with_links(list(page.object_list)),
            "years": library.library_years(organisation),
            "types": POLICY_TYPE_CHOICES,
            "validities": Validity.choices,
            "chosen": {"type": record_type, "year": year_text, "validity": validity},
        },
    )


def _bad_filter(request, organisation):
    return render(
        request,
        "disclosure/records/policy_library.html",
        {"organisation": organisation, "error": _("筛选条件不正确，请从列表中选择。"), "types": POLICY_TYPE_CHOICES,
         "validities": Validity.choices, "years": [], "chosen": {}},
        status=400,
    )
