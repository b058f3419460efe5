from django.conf import settings


def site(request):
    """Site identity facts for the shell (header and footer), and the reader's text size."""
    return {
        "large_text": request.COOKIES.get("large_text") == "1",
        "site": {
            "name": settings.PORTAL_SITE_NAME,
            "code": settings.PORTAL_SITE_CODE,
            "icp": settings.PORTAL_ICP_NUMBER,
            "psb": settings.PORTAL_PSB_NUMBER,
            "sponsor": settings.PORTAL_SPONSOR,
        }
    }
