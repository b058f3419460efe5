"""Concerns (回应关切) in the admin: open concerns with their clocks, what is overdue, responses, closing.

Thin: every change goes through disclosure/concerns/services.py (state, rights, validation, log).
Rights come from disclosure/concerns/policy.py, not from Django model permissions; the clock from
disclosure/concerns/clock.py.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from disclosure.concerns import admin_bulk, clock, policy, selectors
from disclosure.concerns import services as concerns
from disclosure.concerns.models import Concern, ConcernResponse, ConcernStatus
from disclosure.concerns.workflow import ACTION_LABELS
from disclosure.core import access
from disclosure.core.admin_lists import Tone, short_date, state_label
from disclosure.core.admin_moves import REFUSALS, refusal_messages
from disclosure.core.dates import cn_datetime
from disclosure.core.log import ActivityEntry
from disclosure.core.models import DeadlineNotice
from disclosure.records import policy as record_policy


class ClockFilter(admin.SimpleListFilter):
    title = _("时限")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [("overdue", _("已逾期")), ("running", _("计时中（未逾期）"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(selectors.overdue_condition())
        if self.value() == "running":
            return queryset.exclude(status=ConcernStatus.CLOSED).exclude(selectors.overdue_condition())
        return queryset


class ConcernAdminForm(forms.ModelForm):
    close = forms.BooleanField(label=_("办结该事项"), required=False)
    close_comment = forms.CharField(
        label=_("办结说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("仍有未完成的时限时必须说明理由（如经研判无需召开新闻发布会）。"),
    )

    class Meta:
        model = Concern
        fields = (
            "organisation",
            "title",
            "severity",
            "arose_at",
            "source",
            "source_detail",
            "summary",
            "responsible_staff",
        )
        widgets = {"responsible_staff": forms.CheckboxSelectMultiple}

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation") if not self.instance.pk else self.instance.organisation
        if organisation is not None:
            try:
                concerns.validate_concern(
                    organisation_id=organisation.pk,
                    arose_at=data.get("arose_at"),
                    responsible_staff=data.get("responsible_staff") or [],
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    if not self.has_error(field):  # e.g. an invalid choice already reported
                        self.add_error(field if field in self.fields else None, messages_)
        if data.get("close"):
            if not self.instance.pk:
                self.add_error("close", _("新登记的事项不能直接办结，请先保存。"))
            else:
                try:
                    concerns.validate_close(concern=self.instance, comment=data.get("close_comment", ""))
                except ValidationError as error:
                    self.add_error("close_comment", error.messages)
        return data


class ResponseInlineForm(forms.ModelForm):
    class Meta:
        model = ConcernResponse
        fields = ("kind", "published_at", "text", "record")
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and self.has_changed() and not self.errors:
            try:
                concerns.validate_response(
                    concern=self.instance.concern,
                    kind=data.get("kind"),
                    published_at=data.get("published_at"),
                    text=data.get("text", ""),
                    record=data.get("record"),
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages_)
        return data


class ConcernResponseInline(admin.TabularInline):
    """Responses are appended, never edited or deleted: the clock is computed from them."""

    model = ConcernResponse
    form = ResponseInlineForm
    extra = 1
    fields = ("kind", "published_at", "text", "record", "created_by")
    readonly_fields = ("created_by",)
    autocomplete_fields = ()

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request, obj=None):
        return obj is not None and policy.can(request.user, "respond", obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "record" in formset.form.base_fields and obj is not None:
            formset.form.base_fields["record"].queryset = (
                record_policy.visible_records(request.user)
                .filter(organisation_id=obj.organisation_id, node_id__in=selectors.concern_column_node_ids())
                .order_by("-created_at")
            )
        return formset


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    form = ConcernAdminForm
    inlines = [ConcernResponseInline]
    list_display = ("title", "severity", "arose_on", "state", "next_due", "clock", "organisation")
    actions = [admin_bulk.assign_staff]
    list_filter = (ClockFilter, "status", "severity", "source")
    list_select_related = ("organisation",)
    search_fields = ("title",)
    date_hierarchy = "arose_at"
    readonly_fields = ("status", "closed_at", "deadline_table", "history", "created_by")

    class Media:
        css = {"all": ("disclosure/admin/concerns.css", "disclosure/admin/lists.css")}

    # --- rights ---------------------------------------------------------------------------------

    def has_module_permission(self, request):
        return policy.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request):
        return policy.may_register_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return policy.can(request.user, "update", obj)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- lists ----------------------------------------------------------------------------------

    def get_queryset(self, request):
        return policy.visible_concerns(request.user).prefetch_related("responses")

    @admin.display(description=_("发生时间"), ordering="arose_at")
    def arose_on(self, obj):
        return short_date(obj.arose_at)

    @admin.display(description=_("状态"), ordering="status")
    def state(self, obj):
        tones = {ConcernStatus.OPEN: Tone.WAITING, ConcernStatus.RESPONDED: Tone.PLANNED, ConcernStatus.CLOSED: Tone.DONE}
        return state_label(obj.get_status_display(), tones.get(obj.status, Tone.WAITING))

    @admin.display(description=_("下一时限"))
    def next_due(self, obj):
        deadline = clock.next_deadline(obj)
        if deadline is None:
            return "—"
        return f"{deadline.label} {cn_datetime(deadline.due_at)}"

    @admin.display(description=_("剩余/逾期"))
    def clock(self, obj):
        deadline = clock.next_deadline(obj)
        if deadline is None:
            text = _("已办结") if obj.status == ConcernStatus.CLOSED else _("时限均已完成")
            return format_html('<span class="concern-clock clock-done">{}</span>', text)
        css = "soon" if deadline.is_soon else deadline.state
        return format_html('<span class="concern-clock clock-{}">{}</span>', css, deadline.describe())

    # --- change form ----------------------------------------------------------------------------

    def get_fields(self, request, obj=None):
        fields = list(ConcernAdminForm.Meta.fields)
        if obj is None:
            return fields
        closing = ["close", "close_comment"] if policy.can(request.user, "close", obj) else []
        return fields + ["status", "deadline_table", *closing, "closed_at", "created_by", "history"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("organisation")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = catalog_selectors.disclosing_organisations().filter(
                pk__in=policy.registering_organisations(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "responsible_staff":
            organisation = access.organisation_of(request.user)
            obj_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            concern = Concern.objects.filter(pk=obj_id).only("organisation_id").first() if obj_id else None
            if concern is not None:
                kwargs["queryset"] = selectors.staff_of(concern.organisation_id)
            elif access.is_superuser(request.user):
                kwargs["queryset"] = selectors.all_staff()
            else:
                kwargs["queryset"] = selectors.staff_of(organisation.pk if organisation else 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("时限"))
    def deadline_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = [
            (
                d.label,
                cn_datetime(d.due_at),
                d.state,
                d.describe(),
            )
            for d in clock.concern_deadlines(obj)
        ]
        return format_html(
            "<ul class='concern-deadlines'>{}</ul>",
            format_html_join(
                "", "<li>{}：{} 前 <span class='concern-clock clock-{}'>{}</span></li>", rows
            ),
        )

    @admin.display(description=_("办理记录"))
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        entries = ActivityEntry.objects.filter(subject_type=concerns.SUBJECT_TYPE, subject_id=obj.pk).order_by(
            "created_at", "id"
        )
        rows = [
            (
                cn_datetime(e.created_at),
                e.actor_name,
                ACTION_LABELS.get(e.action, e.action),
                e.comment or "",
            )
            for e in entries
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {} {} {}</li>", rows))

    # --- saving through the services ----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        staff = list(data.get("responsible_staff") or [])
        if change:
            concerns.concern_update(
                user=request.user,
                concern=obj,
                responsible_staff=staff,
                **{name: data[name] for name in concerns.EDITABLE_FIELDS if name in data},
            )
        else:
            created = concerns.concern_create(
                user=request.user,
                organisation=data["organisation"],
                title=data["title"],
                severity=data["severity"],
                arose_at=data["arose_at"],
                source=data["source"],
                source_detail=data.get("source_detail", ""),
                summary=data.get("summary", ""),
                responsible_staff=staff,
            )
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Responsible staff were set by the service; responses and closing go through services too.
        concern = form.instance
        for formset in formsets:
            # What the admin's change message reads from a saved formset.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for formset in formsets:
                for inline_form in formset.forms:
                    if inline_form.instance.pk is not None or not inline_form.has_changed():
                        continue
                    data = inline_form.cleaned_data
                    response = concerns.concern_respond(
                        user=request.user,
                        concern=concern,
                        kind=data["kind"],
                        published_at=data["published_at"],
                        text=data.get("text") or "",
                        record=data.get("record"),
                    )
                    formset.new_objects.append(response)
            if form.cleaned_data.get("close"):
                concerns.concern_close(
                    user=request.user, concern=concern, comment=form.cleaned_data.get("close_comment") or ""
                )
        except REFUSALS as error:
            # Only reachable through a concurrent change between validation and saving.
            messages.error(request, "；".join(refusal_messages(error)))


NOTICE_SOURCES = {
    "concern": _("回应关切"),
    "application": _("依申请公开"),
    "consultation": _("意见征集"),
    "feedback": _("留言与纠错"),
    "record_validity": _("规范性文件有效期"),
    "notice_objection": _("公示异议"),
}


class NoticeSourceFilter(admin.SimpleListFilter):
    """By the kind of matter, named in Chinese (the stored source is a key such as "concern")."""

    title = _("事项类型")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(NOTICE_SOURCES.items())

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(admin.ModelAdmin):
    """Which deadline reminders `check_deadlines` sent, to whom and when. Read-only for everyone."""

    list_display = ("claimed_at", "subject_title", "source_label", "kind_label", "notice_kind", "due_at", "sent_at", "recipients")
    fields = ("subject_title", "source_label", "kind_label", "notice_kind", "due_at", "recipients", "claimed_at",
              "attempts", "sent_at", "last_error")
    readonly_fields = fields
    list_filter = (NoticeSourceFilter, "notice_kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("subject_title", "recipients")
    date_hierarchy = "claimed_at"

    def has_module_permission(self, request):
        return policy.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.may_read(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_superuser(request.user):
            return queryset
        return queryset.filter(organisation__in=access.organisations_in_scope(request.user))

    @admin.display(description=_("事项类型"), ordering="source")
    def source_label(self, obj):
        return NOTICE_SOURCES.get(obj.source, obj.source)

    @admin.display(description=_("时限"), ordering="deadline_kind")
    def kind_label(self, obj):
        # The stored kind is a stable key ("press_conference"); staff read its name.
        labels = {rule.kind: rule.label for rule in (clock.AUTHORITATIVE, clock.PRESS_CONFERENCE, clock.RESPONSE)}
        labels["reply"] = _("答复")  # the application's reply limit, "reply:<due date>" (applications/selectors.py)
        return labels.get(obj.deadline_kind.split(":", 1)[0], obj.deadline_kind)
