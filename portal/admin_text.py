"""What Django's admin writes in English outside its translation catalogs, put into Chinese.

Django 5.2 renders a boolean cell (list columns, read-only fields) as an icon whose alt text, the only
thing a screen reader says, is the raw Python value: "True", "False" or "None". The function lives in
``django.contrib.admin.templatetags.admin_list`` and every caller imports it from there at call time
(``admin.utils.display_for_field`` / ``display_for_value``, ``helpers.AdminReadonlyField``), so replacing
that one module attribute changes every boolean icon of every admin, ours and the libraries' alike,
without a template or a ModelAdmin per model. Strings Django does translate but its zh_Hans catalog lacks
are in locale/ instead.
"""

from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _

ICONS = {True: "yes", False: "no", None: "unknown"}


def boolean_icon(field_val):
    """Django's boolean icon with a Chinese alt text: 是 / 否 / 未知."""
    text = {True: _("是"), False: _("否"), None: _("未知")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{ICONS[field_val]}.svg"), text)


def install() -> None:
    admin_list._boolean_icon = boolean_icon
