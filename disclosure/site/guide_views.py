"""Physical channels: the printable notice-board version of a record, and the disclosure guide."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.records import selectors
from disclosure.site import notice_board


@require_safe
def record_print(request, org, number):
    """A4 notice-board version (公示栏) of a public record, with a QR code back to the online page.

    Reads through ``selectors.public_record``: whatever is not public is a 404, like the record page.
    """
    if "\x00" in org + number:  # PostgreSQL refuses NUL in a query: no such record
        raise Http404
    record = selectors.public_record(org_code=org, serial=number)
    if record is None:
        raise Http404
    online_url = request.build_absolute_uri(record.get_absolute_url())
    return render(
        request,
        "disclosure/site/record_print.html",
        {
            "record": record,
            "organisation": record.organisation,
            "attachments": list(record.attachments.all()),
            "online_url": online_url,
            "qr": notice_board.qr_svg(online_url, label=_("二维码：扫码查看本信息网上原文")),
        },
    )


@require_safe
def guide_index(request):
    """政府信息公开指南 of every organisation on the platform: the target of the site navigation's 公开指南
    link outside an organisation's pages."""
    return render(
        request,
        "disclosure/site/guide_index.html",
        {"organisations": catalog_selectors.public_trees().organisations},
    )


@require_safe
def organisation_guide(request, org):
    """政府信息公开指南 (条例 article 12) of one organisation."""
    if not code_validator.regex.match(org):
        raise Http404(_("没有找到该机构。"))
    trees = catalog_selectors.public_trees()
    organisation = trees.organisation(org)
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    return render(
        request,
        "disclosure/site/guide.html",
        {
            "organisation": organisation,
            # The organisation's columns, less those it switched off for itself (their pages are 404).
            "branches": trees.columns(organisation),
            "reading_points": list(notice_board.guide_reading_points(organisation)),
            "channels": list(notice_board.disclosure_channels()),
        },
    )
