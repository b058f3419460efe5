"""The admin page "导入历史信息" (disclosure/records/importing.py does the work): upload the spreadsheet and
the zip of attachments, see every row's problems (the default, writing nothing), then import."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation
from disclosure.core.access import Role, has_role_in, is_superuser, organisation_of
from disclosure.records.importing import ImportRefused, check_import, run_import
from disclosure.records.models import Record


def importable_organisations(user):
    if is_superuser(user):
        return Organisation.objects.order_by("code")
    own = organisation_of(user)
    if own is None or not (has_role_in(user, Role.EDITOR, own.pk) and has_role_in(user, Role.ORG_ADMIN, own.pk)):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=own.pk)


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    sheet = forms.FileField(label=_("信息表格"), help_text=_(".xlsx 或 .csv；表头：标题、栏目编码、发布日期（必填），以及索引号、信息形成日期、文号、发文机关、成文日期、有效性、信息类别、内容概述、正文、附件。"))
    archive = forms.FileField(
        label=_("附件压缩包"), required=False,
        help_text=_(".zip；表格“附件”列中的文件名在其中查找。超过上传上限的压缩包请由系统管理员用 manage.py import_records 导入。"),
    )
    commit = forms.BooleanField(label=_("检查通过后直接导入"), required=False, help_text=_("不勾选时只检查，不写入任何内容。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = importable_organisations(user)


def import_view(request):
    organisations = importable_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("只有同时具有信息员和单位管理员角色的工作人员可以导入历史信息。"))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    report, refusal = None, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = run_import if data["commit"] else check_import
        try:
            report = action(
                user=request.user, organisation=data["organisation"], sheet_name=data["sheet"].name,
                sheet=data["sheet"].read(), archive=data["archive"],
            )
        except (ImportRefused, PermissionDenied) as error:
            refusal = str(error)
    context = {
        **admin.site.each_context(request),
        "title": _("导入历史信息"),
        "opts": Record._meta,
        "form": form,
        "report": report,
        "refusal": refusal,
        "committed": bool(report and report.imported),
    }
    return render(request, "admin/disclosure/record/import.html", context)
