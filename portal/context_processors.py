import re

from django.conf import settings

from portal import display

PSB_RECORD_CODE = re.compile(r"\d{10,}")


def psb_record_url(number: str) -> str:
    """The national public-security filing page for a 公安备案号 such as "豫公网安备 41010502000001号"."""
    match = PSB_RECORD_CODE.search(number)
    if not match:
        return ""
    return f"https://beian.mps.gov.cn/#/query/webSearch?code={match.group()}"


def site(request):
    """Site identity facts for the shell (header and footer), and the reader's display modes."""
    active = display.active_modes(request)
    return {
        "large_text": display.BY_KEY["large"] in active,
        "display_classes": " ".join(mode.css_class for mode in active),
        "display_switches": display.switches(request, active),
        "sso_enabled": getattr(settings, "PORTAL_SSO_ENABLED", False),  # the admin login's platform sign-on
        "site": {
            "name": settings.PORTAL_SITE_NAME,
            "code": settings.PORTAL_SITE_CODE,
            "icp": settings.PORTAL_ICP_NUMBER,
            "psb": settings.PORTAL_PSB_NUMBER,
            "psb_url": psb_record_url(settings.PORTAL_PSB_NUMBER),
            "sponsor": settings.PORTAL_SPONSOR,
            "conac_url": settings.PORTAL_CONAC_URL,
            "contact": settings.PORTAL_CONTACT,
        },
    }
