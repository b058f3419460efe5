from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from disclosure.core import sso, twofactor
from disclosure.records import import_admin
from portal import views

admin.site.site_header = _("政务公开管理后台")
admin.site.site_title = _("政务公开管理后台")
admin.site.index_title = _("信息发布与目录管理")
admin.site.login_template = "admin/portal_login.html"  # adds the platform sign-on when configured

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("display/text-size/", views.text_size, name="text_size"),
    path("display/mode/", views.display_mode, name="display_mode"),
    # The second factor of a staff sign-in (disclosure/core/twofactor.py), ahead of the admin's own URLs.
    path("admin/2fa/verify/", twofactor.verify, name="staff_otp_verify"),
    path("admin/2fa/setup/", twofactor.setup, name="staff_otp_setup"),
    # Staff single sign-on through the province's platform (disclosure/core/sso.py), 404 unless configured.
    path("admin/sso/start/", sso.SSOStartView.as_view(), name="staff_sso_start"),
    path("admin/sso/callback/", sso.SSOCallbackView.as_view(), name="staff_sso_callback"),
    # Bringing a bureau's published history in (disclosure/records/importing.py).
    path("admin/import-records/", admin.site.admin_view(import_admin.import_view), name="records_import"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("disclosure.api.urls")),
    path("", include("disclosure.urls")),
]
