"""The bureau staff's record workflow in Django admin.

The admin stays thin: who may see and do what comes from disclosure/policy.py, every write goes
through disclosure/services.py (sanitising, revision history, audit log), and the state of a record
changes only through the move view, one service per workflow move. No field or action sets a status.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation
from disclosure.core import access
from disclosure.core.access import Role
from disclosure.core.admin_lists import Tone, short_date, state_label
from disclosure.core.admin_moves import REFUSALS, WorkflowMovesMixin, log_rows, refusal_messages
from disclosure.core.dates import cn_datetime
from disclosure.core.docx_body import images_left_out_message
from disclosure.core.sanitize import clean_html
from disclosure.records import (
    admin_bulk,
    diff,
    edit_lock,
    policy,
    preview,
    privacy_guard,
    review_chain,
    services,
    site_checks,
)
from disclosure.records.audit import action_label, is_multi_organisation, status_label
from disclosure.records.forms import (
    MOVE_FORMS,
    AttachmentForm,
    PrivacyKeepForm,
    RecordForm,
    RelatedRecordField,
    StepForm,
    WithdrawForm,
    check_field_name,
)
from disclosure.records.models import Attachment, Record, RecordVersion, Status
from disclosure.records.privacy_models import PrivacyFinding
from disclosure.records.review_models import ReviewStepEntry
from disclosure.records.selectors import public_records
from disclosure.records.services import CONTENT_FIELDS
from disclosure.records.workflow import REVISE, TRANSITIONS, Right, Transition, moves_from

# Moves that publish: where policy.publication_blocker refuses a record, the admin shows the reason instead.
PUBLISH_MOVES = ("publish", "schedule")
# The review chain's moves: offered only where they fit the step the record is at (review_chain).
CHAIN_MOVES = ("request_changes", *review_chain.STEP_MOVES)
STEP_MOVES = review_chain.STEP_MOVES


class ServiceRefused(Exception):
    """A service refused a save; raised out of the admin's transaction so that nothing is kept."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def person_transition(name: str) -> Transition | None:
    """The workflow move called ``name`` that a person can make, or None."""
    if name == REVISE.name:
        return REVISE
    transition = TRANSITIONS.get(name)
    if transition is None or transition.right == Right.SYSTEM:
        return None
    return transition


class ReviewQueueFilter(admin.SimpleListFilter):
    """待我审核: submitted records of the reviewer's organisation that they wrote no part of (four eyes,
    policy.written_by) and whose open round has no step they decided already (policy.decided_a_step).
    紧急发布逾期未补审: urgent publications whose remaining steps are overdue (review_chain)."""

    title = _("审核队列")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        user = request.user
        lookups = []
        if user.is_superuser or Role.REVIEWER in access.roles_of(user):
            lookups.append(("mine", _("待我审核")))
        if user.is_superuser or {Role.REVIEWER, Role.AUDITOR} & access.roles_of(user):
            lookups.append(("urgent_overdue", _("紧急发布逾期未补审")))
        return lookups

    def queryset(self, request, queryset):
        if self.value() == "urgent_overdue":
            return queryset.filter(review_chain.follow_up_overdue())
        if self.value() != "mine":
            return queryset
        user = request.user
        queryset = queryset.filter(status=Status.SUBMITTED).exclude(policy.written_by(user))
        queryset = queryset.exclude(policy.decided_a_step(user))
        if not user.is_superuser:
            queryset = queryset.filter(organisation=access.organisation_of(user))
        return queryset


class WrittenByMeFilter(admin.SimpleListFilter):
    """我起草的: records the user wrote any part of (policy.written_by), for editors finding their own work."""

    title = _("起草人")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        user = request.user
        if user.is_superuser or Role.EDITOR in access.roles_of(user):
            return [("yes", _("我起草的"))]
        return []

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(policy.written_by(request.user)).distinct()


class AttachmentInline(admin.TabularInline):
    """Attachments of a record. Only editable records take new files or lose old ones; every change
    goes through services.attachment_add / attachment_remove (see RecordAdmin.save_formset)."""

    model = Attachment
    form = AttachmentForm
    fields = ("upload", "sort_order", "original_name", "kind", "size_display", "uploaded_at")
    readonly_fields = ("original_name", "kind", "size_display", "uploaded_at")
    extra = 1

    def get_fields(self, request, obj=None):
        if obj is not None and not policy.can_edit(request.user, obj):
            return tuple(name for name in self.fields if name != "upload")
        return self.fields

    @admin.display(description=_("大小"))
    def size_display(self, attachment):
        return filesizeformat(attachment.size) if attachment.size is not None else "—"

    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return self.parent_admin_may_add(request)
        return policy.can_edit(request.user, obj)

    def parent_admin_may_add(self, request) -> bool:
        return self.admin_site.get_model_admin(Record).has_add_permission(request)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        # Existing attachments are never edited in place: they are removed and uploaded again.
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(Record).has_view_permission(request, obj)


# The colour of each state in the list (disclosure/core/admin_lists.py).
RECORD_TONES = {
    Status.DRAFT: Tone.DRAFT,
    Status.SUBMITTED: Tone.WAITING,
    Status.CHANGES_REQUESTED: Tone.RETURNED,
    Status.APPROVED: Tone.PLANNED,
    Status.SCHEDULED: Tone.PLANNED,
    Status.PUBLISHED: Tone.DONE,
    Status.WITHDRAWN: Tone.ENDED,
    Status.SUPERSEDED: Tone.ENDED,
}


@admin.register(Record)
class RecordAdmin(WorkflowMovesMixin, admin.ModelAdmin):
    """Records of the organisations the user may read (policy.visible_records), editable only while
    a draft and only by their organisation's editors; everything else read-only with the workflow
    buttons the policy allows. Saves, deletions and moves go through disclosure/services.py."""

    form = RecordForm
    inlines = [AttachmentInline]
    # Readable at 1366 px (disclosure/core/admin_lists.py): the title first and wide, short columns after;
    # the organisation only for those who see several, the type as a filter.
    list_display = ("title", "node_short", "organisation_short", "state", "openness", "published_on", "index_number")
    list_per_page = 50
    list_select_related = ("node", "organisation")
    actions = [admin_bulk.submit_selected, admin_bulk.withdraw_selected]
    search_fields = ("title", "document_number", "index_number")
    date_hierarchy = "published_at"
    readonly_fields = (
        "status",
        "index_number",
        "published_at",
        "publish_at",
        "withdrawn_at",
        "withdrawal_notice",
        "revises",
        "created_by",
        "created_at",
        "updated_at",
        "validity",
        "public_notice_summary",
    )
    change_form_template = "admin/disclosure/record/change_form.html"
    move_template = "admin/disclosure/record/move.html"
    move_url_name = "disclosure_record_move"
    not_found_message = _("没有找到该信息，或您无权查看。")

    content_fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "edit_version",
                    ("document_number", "issuing_body"),
                    "confirm_document_number",
                    "organisation",
                    "node",
                    ("written_on", "formed_on"),
                    "record_type",
                    ("effective_on", "expires_on"),
                    ("topic", "keywords"),
                )
            },
        ),
        (_("公开属性"), {"fields": ("openness", "withholding_ground", "openness_note")}),
        (_("内容"), {"fields": ("summary", "body_docx", "body", "related")}),
    )
    state_fieldset = (
        _("办理状态（由审核流程设置，不可直接修改）"),
        {
            "fields": (
                ("status", "index_number"),
                "validity",
                "public_notice_summary",
                ("published_at", "publish_at"),
                ("withdrawn_at", "withdrawal_notice"),
                "revises",
                ("created_by", "created_at", "updated_at"),
            )
        },
    )

    # Scope and permissions --------------------------------------------------------------------------

    def get_queryset(self, request):
        return policy.visible_records(request.user).select_related("organisation", "node")

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        user = request.user
        if user.is_superuser:
            return True
        organisation = access.organisation_of(user)
        return organisation is not None and policy.can_create_in(user, organisation)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request, obj) and policy.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        # A record that was ever published is never hard deleted; it is withdrawn or superseded.
        never_published = not obj.index_number and obj.published_at is None
        return never_published and policy.can_edit(request.user, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk deletion would skip the per-record rule above; the bulk moves (admin_bulk.py) go through the services.
        actions.pop("delete_selected", None)
        return actions

    class Media:
        css = {"all": ("disclosure/admin/lists.css",)}

    def get_list_display(self, request):
        if is_multi_organisation(request.user):
            return self.list_display
        return tuple(name for name in self.list_display if name != "organisation_short")

    @admin.display(description=_("目录栏目"), ordering="node__code")
    def node_short(self, record):
        return format_html('<span title="{}">{}</span>', str(record.node), record.node.name)

    @admin.display(description=_("公开单位"), ordering="organisation__name")
    def organisation_short(self, record):
        organisation = record.organisation
        return format_html('<span title="{}">{}</span>', organisation.name, organisation.short_name or organisation.name)

    @admin.display(description=_("状态"), ordering="status")
    def state(self, record):
        return state_label(record.get_status_display(), RECORD_TONES.get(record.status, Tone.DRAFT))

    @admin.display(description=_("发布日期"), ordering="published_at")
    def published_on(self, record):
        return short_date(record.published_at)

    def get_list_filter(self, request):
        filters = [ReviewQueueFilter, WrittenByMeFilter, "status", "openness", "record_type", "validity"]
        if is_multi_organisation(request.user):
            filters.append(("organisation", admin.RelatedOnlyFieldListFilter))
        return filters

    # The form --------------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.content_fieldsets
        fieldsets = self.content_fieldsets
        if obj.revises_id:
            # A revision says publicly what it changes (更新说明).
            fieldsets = (*fieldsets, (_("更新说明"), {"fields": ("change_note",)}))
        if not self.has_change_permission(request, obj):
            # Reviewers read the body as it will look, not as HTML source; the confirmation box of an
            # unusual document number belongs to the editing form only.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": tuple(
                            "body_preview" if f == "body" else f
                            for f in options["fields"]
                            if f not in ("confirm_document_number", "body_docx", "edit_version")
                        ),
                    },
                )
                for name, options in fieldsets
            ]
        return (*fieldsets, self.state_fieldset)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "body_preview")

    @admin.display(description=_("公示期"))
    def public_notice_summary(self, record):
        """What happens when the 公示期 ends, shown to whoever publishes (set under 公示期, before publication)."""
        notice = getattr(record, "public_notice", None) if record.pk else None
        if notice is None:
            return _("未设置（如需公示，请在发布前于“公示期”中设置）")
        return _t("%(n)s个%(kind)s；期满后%(end)s；异议受理：%(contact)s；状态：%(status)s") % {
            "n": notice.day_count, "kind": notice.get_day_kind_display(), "end": notice.get_end_action_display(),
            "contact": notice.contact, "status": notice.get_status_display(),
        }

    @admin.display(description=_("正文"))
    def body_preview(self, record):
        # Bodies are sanitised on every save; cleaning again costs little and guards older rows.
        return mark_safe(f'<div class="record-body-preview">{clean_html(record.body)}</div>') if record.body else "—"

    def view_on_site(self, record):
        """The public page, only for a record the public can see (the one public rule decides)."""
        if not public_records().filter(pk=record.pk).exists():
            return None
        try:
            return record.get_absolute_url()
        except NoReverseMatch:
            return None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Plain choice fields without the "add another" wrappers; RecordForm narrows their choices.
        if db_field.name == "node":
            return db_field.formfield(queryset=CatalogNode.objects.none())
        if db_field.name == "organisation":
            return db_field.formfield(queryset=Organisation.objects.none())
        if db_field.name == "related":
            return RelatedRecordField(
                queryset=Record.objects.none(),
                required=False,
                label=db_field.verbose_name,
                widget=AutocompleteSelectMultiple(db_field, self.admin_site),
                help_text=_("输入标题、文号或索引号查找本单位的信息。"),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {"request_user": request.user, "refusal": getattr(request, "_record_refusal", None)}
        return type(form.__name__, (form,), attrs)

    # Saving through the services --------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        content = {name: data[name] for name in CONTENT_FIELDS if name in data}
        try:
            if change:
                record = services.record_update(
                    user=request.user,
                    record=obj,
                    node=data.get("node"),
                    opened_version=data.get("edit_version"),
                    **content,
                )
            else:
                organisation = data.get("organisation") or access.organisation_of(request.user)
                record = services.record_create(
                    user=request.user, organisation=organisation, node=data["node"], **content
                )
        except REFUSALS as exc:
            raise ServiceRefused(exc) from exc
        if form.docx_images_left_out:
            messages.warning(request, images_left_out_message(form.docx_images_left_out))
        # The admin goes on with ``obj`` (logging, redirect): give it the saved state.
        for field in Record._meta.concrete_fields:
            setattr(obj, field.attname, getattr(record, field.attname))
        obj._state.adding = False
        obj._state.db = record._state.db

    def save_related(self, request, form, formsets, change):
        record = form.instance
        if "related" in form.cleaned_data and (not change or "related" in form.changed_data):
            try:
                services.record_set_related(
                    user=request.user, record=record, related=form.cleaned_data["related"]
                )
            except REFUSALS as exc:
                raise ServiceRefused(exc) from exc
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        record, user = form.instance, request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for row in formset.deleted_forms:
                if row.instance.pk is not None:
                    services.attachment_remove(user=user, attachment=row.instance)
                    formset.deleted_objects.append(row.instance)
            for row in formset.forms:
                upload = row.cleaned_data.get("upload") if hasattr(row, "cleaned_data") else None
                if row.instance.pk is None and upload and not row.cleaned_data.get("DELETE"):
                    attachment = services.attachment_add(
                        user=user,
                        record=record,
                        upload=upload,
                        sort_order=row.cleaned_data.get("sort_order") or 0,
                    )
                    formset.new_objects.append(attachment)
        except REFUSALS as exc:
            raise ServiceRefused(exc) from exc

    def delete_model(self, request, obj):
        try:
            services.record_delete(user=request.user, record=obj)
        except REFUSALS as exc:
            raise ServiceRefused(exc) from exc

    def delete_queryset(self, request, queryset):
        for record in queryset:
            self.delete_model(request, record)

    # Views -----------------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            record = self._visible_or_404(request, object_id)
            if request.method == "POST" and not self.has_change_permission(request, record):
                if record.is_editable:
                    messages.error(request, _t("您没有修改该信息的权限。"))
                else:
                    messages.error(
                        request,
                        _t("该信息当前状态为“%(status)s”，不能修改内容；已发布的信息请使用“修订”。")
                        % {"status": record.get_status_display()},
                    )
                return redirect(self._change_url(record))
            extra_context = {
                **(extra_context or {}),
                **self.workflow_context(request, record),
                **self.edit_lock_context(request, record),
            }
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refusal:
            # Everything of the first attempt was rolled back; show the same POST again with the
            # service's reason on the form.
            request._record_refusal = refusal.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        record = self._visible_or_404(request, object_id)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refusal:
            for message in refusal_messages(refusal.error):
                messages.error(request, message)
            return redirect(self._change_url(record))

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def edit_lock_context(self, request, record: Record) -> dict:
        """Opening an editable record to edit it takes the edit lock; whoever else holds a live one is named."""
        if request.method == "GET" and record.is_editable and self.has_change_permission(request, record):
            other = edit_lock.lock_take(user=request.user, record=record)
        else:
            other = edit_lock.held_by_other(record, request.user) if record.is_editable else None
        return {"edit_lock_notice": other.describe() if other else ""}

    def workflow_context(self, request, record: Record) -> dict:
        """The buttons of the moves this user may make now, and the record's review and audit trail."""
        progress = review_chain.progress_of(record)
        fitting = review_chain.moves_that_apply(record, progress)
        permitted = [
            t
            for t in moves_from(record.status)
            if (t.name not in CHAIN_MOVES or t.name in fitting) and policy.can(request.user, t, record)
        ]
        # The publish services would refuse this record: say why instead of offering the buttons.
        blocked = [t for t in permitted if t.name in PUBLISH_MOVES and policy.publication_blocker(record)]
        buttons = self.move_buttons(record, [t for t in permitted if t not in blocked])
        step = progress.next_step if progress else None
        for button in buttons:
            # 初审通过, 保密审查通过, …: the step's own name on its button.
            if step and button["name"] in ("pass_step", "approve", "follow_up"):
                button["label"] = _t("%(step)s通过") % {"step": step["name"]}
        comparison = diff.compare_revision(record)
        return {
            "workflow_moves": buttons,
            "review_progress": progress,
            "review_step": step,
            "review_sheet_url": reverse("admin:disclosure_record_review_sheet", args=[record.pk]),
            "revision_diff": comparison,
            "workflow_note": (
                _t("公开属性为“%(openness)s”，不能发布。") % {"openness": record.get_openness_display()}
                if blocked
                else ""
            ),
            "workflow_reviews": self._reviews_with_steps(record),
            "workflow_log": log_rows(
                record.audit_entries.order_by("-created_at", "-id")[:200],
                action_label=action_label,
                status_label=status_label,
            ),
            "workflow_versions": list(record.versions.defer("data").order_by("-number")),
            "workflow_revisions": list(record.revisions.order_by("-id")),
            **self.privacy_context(request, record),
            # 错敏词 in the current content, for the editor to fix and the reviewer to check.
            "wording_problems": site_checks.wording_problems(record),
        }

    # The privacy guard (disclosure/records/privacy_guard.py) -------------------------------------------

    def privacy_context(self, request, record: Record) -> dict:
        """The latest scan's findings, and whether this user may keep one (a reviewer, four eyes)."""
        scan = privacy_guard.latest_scan(record)
        findings = list(scan.findings.order_by("id")) if scan else []
        may_keep = record.status in privacy_guard.DECIDABLE_STATUSES and policy.can(
            request.user, TRANSITIONS["approve"], record
        )
        return {"privacy_scan": scan, "privacy_findings": findings, "privacy_may_keep": may_keep}

    def _reviews_with_steps(self, record: Record) -> list:
        """The record's review rounds, newest first, each with its decided steps (``step_entries``)."""
        steps = {}
        for entry in ReviewStepEntry.objects.filter(review__record=record).order_by("position"):
            steps.setdefault(entry.review_id, []).append(entry)
        reviews = list(record.reviews.order_by("-submitted_at"))
        for review in reviews:
            review.step_entries = steps.get(review.pk, [])
        return reviews

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="disclosure_record_preview",
            ),
            path(
                "<path:object_id>/preview/attachment/<int:attachment_id>/",
                self.admin_site.admin_view(self.preview_attachment_view),
                name="disclosure_record_preview_attachment",
            ),
            path(
                "<path:object_id>/review-sheet/",
                self.admin_site.admin_view(self.review_sheet_view),
                name="disclosure_record_review_sheet",
            ),
            path(
                "<path:object_id>/versions/<int:number>/",
                self.admin_site.admin_view(self.version_view),
                name="disclosure_record_version",
            ),
            path(
                "<path:object_id>/privacy/<int:finding_id>/keep/",
                self.admin_site.admin_view(self.privacy_keep_view),
                name="disclosure_record_privacy_keep",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        """The record as its public page will show it (disclosure/records/preview.py), for whoever may read it here."""
        return preview.preview_response(request, self._visible_or_404(request, object_id))

    def preview_attachment_view(self, request, object_id, attachment_id):
        return preview.preview_attachment_response(self._visible_or_404(request, object_id), attachment_id)

    def review_sheet_view(self, request, object_id):
        """信息发布审核表: every step of every review round, who, checks, comment and time, and the log of
        the record's moves; printable on A4. Whoever may read the record may open it (staff, auditors)."""
        record = self._visible_or_404(request, object_id)
        entries = record.audit_entries.order_by("created_at", "id")
        first_version = record.versions.order_by("number").only("author_name", "created_at").first()
        context = {
            "record": record,
            "rows": review_chain.review_sheet_rows(record),
            "log": log_rows(entries, action_label=action_label, status_label=status_label),
            "drafted_by": first_version.author_name if first_version else "",
            "drafted_at": first_version.created_at if first_version else None,
            "submitted": entries.filter(action="submit").last(),  # the round that led to the decision
            "published": entries.filter(action__in=("publish", "publish_due")).last(),
            "printed_at": timezone.now(),
            "printed_by": request.user.get_full_name() or request.user.get_username(),
        }
        return TemplateResponse(request, "admin/disclosure/record/review_sheet.html", context)

    def version_view(self, request, object_id, number):
        """One saved version of a record and what it changed against the version before (修改历史)."""
        record = self._visible_or_404(request, object_id)
        version = get_object_or_404(RecordVersion, record=record, number=number)
        previous = record.versions.filter(number__lt=number).order_by("-number").first()
        comparison = diff.compare(
            diff.version_state(previous.data) if previous else {}, diff.version_state(version.data)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": record,
            "title": _t("第 %(n)s 版：%(title)s") % {"n": number, "title": record.title},
            "version": version,
            "previous": previous,
            "comparison": comparison,
            "change_url": self._change_url(record),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/disclosure/record/version.html", context)

    def privacy_keep_view(self, request, object_id, finding_id):
        """POST: keep one finding public with a reason and a legal basis, through privacy_guard.privacy_keep."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self._visible_or_404(request, object_id)
        finding = get_object_or_404(PrivacyFinding, pk=finding_id, record=record)
        form = PrivacyKeepForm(request.POST)
        if not form.is_valid():
            messages.error(request, _t("保留公开须填写理由和法定依据。"))
            return redirect(self._change_url(record))
        try:
            privacy_guard.privacy_keep(user=request.user, finding=finding, **form.cleaned_data)
        except REFUSALS as refusal:
            for message in refusal_messages(refusal):
                messages.error(request, message)
        else:
            messages.success(request, _t("已登记保留公开：%(finding)s") % {"finding": finding})
        return redirect(self._change_url(record))

    # The moves (WorkflowMovesMixin) ----------------------------------------------------------------

    def get_move(self, name: str) -> Transition | None:
        return person_transition(name)

    def move_denial_reason(self, user, transition: Transition, record: Record) -> str | None:
        return policy.denial_reason(user, transition, record)

    def move_form(self, transition: Transition, data=None):
        return MOVE_FORMS[transition.name](data, transition=transition)

    def move_form_for(self, record: Record, transition: Transition, data=None):
        if transition.name not in CHAIN_MOVES:
            return self.move_form(transition, data)
        progress = review_chain.progress_of(record)
        initial = {"step_position": progress.position} if progress else {}
        if transition.name in STEP_MOVES:
            step = progress.next_step if progress else None
            return StepForm(data, transition=transition, step=step, initial=initial)
        return MOVE_FORMS[transition.name](data, transition=transition, initial=initial)

    def move_context(self, request, record: Record, transition: Transition) -> dict:
        label = transition.label
        context = {}
        if transition.name in CHAIN_MOVES:
            progress = review_chain.progress_of(record)
            step = progress.next_step if progress else None
            if step:
                if transition.name in ("pass_step", "approve", "follow_up"):
                    label = _t("%(step)s通过") % {"step": step["name"]}
                context["review_step_text"] = _t("第 %(n)s 个环节（共 %(total)s 个）：%(step)s") % {
                    "n": progress.position, "total": progress.total, "step": step["name"],
                }
            context["is_revision"] = bool(record.revises_id)
        return {
            **context,
            "action_label": label,
            "title": _t("%(action)s：%(title)s") % {"action": label, "title": record.title},
        }

    def perform_move(self, user, record: Record, transition: Transition, data: dict) -> Record:
        name, comment = transition.name, data.get("comment") or ""
        if name == "submit":
            return services.record_submit(user=user, record=record, comment=comment)
        position = data.get("step_position")
        if name == "request_changes":
            return services.record_request_changes(user=user, record=record, comment=comment, position=position)
        if name in STEP_MOVES:
            progress = review_chain.progress_of(record)
            step = (progress.next_step if progress else None) or {}
            checks = [code for code in step.get("checks", []) if data.get(check_field_name(code))]
            decision = {"user": user, "record": record, "checks": checks, "position": position}
            if name == "approve":
                return services.record_approve(**decision, comment=comment)
            if name == "pass_step":
                return services.record_pass_step(**decision, comment=comment)
            if name == "approve_urgent":
                return services.record_approve_urgent(**decision, reason=comment)
            return services.record_follow_up(**decision, comment=comment)
        if name in ("publish", "schedule"):
            return services.record_publish(user=user, record=record, publish_at=data.get("publish_at"))
        if name == "unschedule":
            return services.record_unschedule(user=user, record=record)
        if name == "withdraw":
            return services.record_withdraw(
                user=user,
                record=record,
                reason=comment,
                public_notice=data["public_view"] == WithdrawForm.NOTICE,
            )
        if name == REVISE.name:
            return services.record_revise(user=user, record=record)
        raise Http404(_t("没有这个办理操作。"))

    def report_move(self, request, transition: Transition, record: Record) -> None:
        if transition.name == REVISE.name:
            message = _t("已新建修订稿“%(title)s”。修改后提交审核；审核发布前，原信息继续公开。") % {"title": record.title}
        elif record.status == Status.SCHEDULED:
            message = _t("“%(title)s”将于 %(when)s 定时发布。") % {
                "title": record.title,
                "when": cn_datetime(record.publish_at),
            }
        else:
            message = _t("“%(title)s”已%(action)s，当前状态：%(status)s。") % {
                "title": record.title,
                "action": transition.label,
                "status": Status(record.status).label,
            }
        messages.success(request, message)
