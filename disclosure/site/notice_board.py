"""Physical channels: notice-board prints with a QR code, and the organisation's disclosure guide."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalog.models import Channel, Organisation
from disclosure.site.models import ReadingPoint

_SVG_OPEN = re.compile(r"^\s*(<\?xml[^>]*\?>)?\s*<svg\b")


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code encoding ``url`` (generated here: no image library, no outside service).

    Medium error correction survives a creased or weathered notice-board print.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    # The library's markup holds only numbers and path data; the label is escaped here.
    svg = _SVG_OPEN.sub(f'<svg role="img" aria-label="{escape(label)}" class="qr-code"', svg, count=1)
    return mark_safe(svg)


def guide_reading_points(organisation: Organisation) -> QuerySet[ReadingPoint]:
    """The organisation's active reading points, as its public guide lists them."""
    return ReadingPoint.objects.filter(organisation=organisation, active=True).order_by("sort_order", "id")


def disclosure_channels() -> QuerySet[Channel]:
    """The channel checklist of the standard catalog (政府网站, 政务新媒体, 公开查阅点, 公示栏, …)."""
    return Channel.objects.order_by("sort_order", "code")
