"""Forms of the record admin: the content form, the attachment upload row and the workflow moves.

Forms only validate and translate errors into Chinese; every write goes through disclosure/services.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.models import CatalogNode
from disclosure.core.admin_fields import limit_organisation_field
from disclosure.core.admin_moves import refusal_messages
from disclosure.core.docx_body import DocxBodyFormMixin
from disclosure.core.editor import BodyEditorWidget
from disclosure.core.files import check_upload
from disclosure.records.body_images import editor_images, image_url_prefix
from disclosure.records.docnumber import document_number_problem, normalise_document_number
from disclosure.records.edit_lock import StaleEdit, current_version
from disclosure.records.metadata import normalise_keywords
from disclosure.records.models import Attachment, Openness, Record
from disclosure.records.services import CONTENT_FIELDS
from disclosure.records.validity import POLICY_TYPES
from disclosure.records.workflow import Transition

PATH_SEPARATOR = " › "
WITHHOLDING_GROUND_REQUIRED = _("依申请公开或不予公开的信息必须选择法定依据（条例第十四至十六条）。")


def catalog_node_choices(levels: Iterable[str]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Active second-level-or-deeper catalog items applying to any of ``levels``, grouped by domain,
    each labelled with its path ("保障性住房 › 配给管理 › 配租（分配）结果"). Two queries."""
    roots = catalog_selectors.catalog_tree()
    found: dict[int, tuple[CatalogNode, CatalogNode, str]] = {}

    def walk(branch, names, domain):
        names = [*names, branch.node.name]
        if branch.node.level >= 2:
            found[branch.node.pk] = (domain, branch.node, PATH_SEPARATOR.join(names))
        for child in branch.children:
            walk(child, names, domain)

    for level in levels:
        for root in catalog_selectors.prune_for_level(roots, level):
            walk(root, [], root.node)
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for domain, node, label in sorted(found.values(), key=lambda item: (item[1].tree_id, item[1].lft)):
        groups.setdefault(domain.pk, (domain.name, []))[1].append((node.pk, label))
    return list(groups.values())


class RelatedRecordField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.index_number}）" if obj.index_number else obj.title


class RecordForm(DocxBodyFormMixin, forms.ModelForm):
    """The content of a record. Status, index number and times are not fields: services set them.

    ``request_user`` and ``refusal`` are set on the class by RecordAdmin.get_form; ``refusal`` is the
    error a service raised when the same POST was first saved, shown again on the re-rendered form.
    """

    request_user = None
    refusal: Exception | None = None

    confirm_document_number = forms.BooleanField(
        label=_("确认文号格式"),
        required=False,
        help_text=_("文号不是“发文机关代字〔年份〕序号号”的标准格式（如外单位或早年文件）而确实如此时勾选。"),
    )
    # The version the form was opened on (disclosure/records/edit_lock.py): a save from an older one is refused.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Record
        # 有效性 is derived from 施行日期, 有效期至 and the amend/repeal links (disclosure/records/validity.py).
        fields = ["organisation", "node", *(name for name in CONTENT_FIELDS if name != "validity"), "related"]
        widgets = {"body": BodyEditorWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request_user
        choosing = self.instance.pk is None and user is not None and user.is_superuser
        fixed = limit_organisation_field(self, user)
        if "node" in self.fields:
            if fixed is not None:
                levels = [fixed.level]
            elif choosing:
                levels = sorted(catalog_selectors.catalog_levels())
            else:
                levels = []
            groups = catalog_node_choices(levels)
            field = self.fields["node"]
            field.queryset = CatalogNode.objects.filter(pk__in=[pk for _name, options in groups for pk, _label in options])
            field.choices = [("", "---------"), *groups]
        if "body" in self.fields:
            # The editor's 插入图片 list: this record's image attachments (disclosure/records/body_images.py).
            self.fields["body"].widget.attrs.update(
                {"data-body-images": editor_images(self.instance), "data-body-image-prefix": image_url_prefix()}
            )
        if "edit_version" in self.fields and self.instance.pk:
            if not self.is_bound:
                self.initial["edit_version"] = current_version(self.instance)
            elif isinstance(self.refusal, StaleEdit):
                # Shown again with the user's input: saving once more, knowingly, takes the newer version.
                self.data = self.data.copy()
                self.data[self.add_prefix("edit_version")] = self.refusal.current_version
        if "related" in self.fields:
            related = Record.objects.all() if fixed is None else Record.objects.filter(organisation=fixed)
            if self.instance.pk:
                related = related.exclude(pk=self.instance.pk)
            self.fields["related"].queryset = related

    def clean_keywords(self):
        return normalise_keywords(self.cleaned_data.get("keywords", ""))

    def clean_document_number(self):
        return normalise_document_number(self.cleaned_data.get("document_number", ""))

    def clean(self):
        cleaned = super().clean()
        problem = document_number_problem(cleaned.get("document_number", ""))
        if problem and not cleaned.get("confirm_document_number") and "document_number" in self.fields:
            self.add_error("document_number", _("%(problem)s如确为特殊格式，请勾选“确认文号格式”。") % {"problem": problem})
        openness = cleaned.get("openness")
        if openness and openness != Openness.PROACTIVE and not cleaned.get("withholding_ground"):
            self.add_error("withholding_ground", WITHHOLDING_GROUND_REQUIRED)
        organisation = cleaned.get("organisation") or (
            self.instance.organisation if self.instance.organisation_id else None
        )
        node = cleaned.get("node")
        if organisation is not None and node is not None and not node.applies_to(organisation):
            self.add_error(
                "node",
                _("“%(node)s”不适用于%(level)s机构“%(org)s”，请选择适用的目录栏目。")
                % {"node": node.name, "level": organisation.get_level_display(), "org": organisation.name},
            )
        related = cleaned.get("related")
        if organisation is not None and related:
            if any(other.organisation_id != organisation.pk for other in related):
                self.add_error("related", _("相关信息只能选择本单位的其他信息。"))
        self.import_docx(cleaned)
        if cleaned.get("record_type") in POLICY_TYPES and not cleaned.get("effective_on") and "effective_on" in self.fields:
            self.add_error("effective_on", _("政策文件、规章和行政规范性文件须填写施行日期，有效性据此自动计算。"))
        if self.refusal is not None:
            self.add_refusal(self.refusal)
        return cleaned

    def add_refusal(self, exc: Exception) -> None:
        """Put a service's ValidationError / PermissionDenied / InvalidTransition onto the form."""
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, refusal_messages(exc))


class AttachmentForm(forms.ModelForm):
    """One attachment row. New rows upload a file, checked by content (disclosure.core.files.check_upload);
    existing ones are listed by name and never linked to their stored file."""

    upload = forms.FileField(label=_("上传文件"), required=False, widget=forms.FileInput)

    class Meta:
        model = Attachment
        fields = ["sort_order"]
        labels = {"upload": _("上传文件")}  # the tabular inline's column heading

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if len(upload.name or "") > Attachment._meta.get_field("original_name").max_length:
            raise ValidationError(_("文件名过长，请改短后再上传（最多 200 个字符）。"))
        check_upload(upload)  # raises ValidationError with a Chinese message
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("upload") and "upload" not in self.errors:
            if self.has_changed() and not cleaned.get("DELETE"):
                self.add_error("upload", _("请选择要上传的文件。"))
        return cleaned


# Workflow moves ---------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    """Confirmation of one workflow move; subclasses add what the move's service needs."""

    comment_label = _("说明（可选）")

    comment = forms.CharField(label=comment_label, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, transition: Transition, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.transition = transition
        if "comment" in self.fields:
            self.fields["comment"].label = self.comment_label
            if transition.needs_comment:
                self.fields["comment"].required = True
                self.fields["comment"].error_messages["required"] = _("请填写理由。")


class ConfirmForm(MoveForm):
    """Moves whose service takes nothing but the user and the record."""

    comment = None


class StepPositionMixin(forms.Form):
    """The review step the reviewer is looking at, sent back with the decision: if someone else decided
    it meanwhile, the service refuses instead of applying the decision to the next step."""

    step_position = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class RequestChangesForm(StepPositionMixin, MoveForm):
    comment_label = _("退回理由")


# The two checks of the single-step review keep the field names they had before review chains.
CHECK_FIELD_NAMES = {"not_secret": "confidentiality_checked", "openness": "openness_checked"}


REQUIRED_MESSAGES = {"not_secret": _("请确认已完成保密审查。"), "openness": _("请确认已核定公开属性。")}


def check_field_name(code: str) -> str:
    return CHECK_FIELD_NAMES.get(code, f"check_{code}")


class StepForm(StepPositionMixin, MoveForm):
    """A decision of the review chain: one required checkbox per check of the record's current step
    (disclosure/records/review_chain.py), and the comment (the reason, for 紧急发布)."""

    comment_label = _("审核意见（可选）")

    def __init__(self, *args, transition: Transition, step: dict | None = None, **kwargs):
        super().__init__(*args, transition=transition, **kwargs)
        from disclosure.records.review_models import check_label

        comment = self.fields.pop("comment")
        position = self.fields.pop("step_position")
        for code in (step or {}).get("checks", []):
            label = check_label(code)
            self.fields[check_field_name(code)] = forms.BooleanField(
                label=label,
                error_messages={"required": REQUIRED_MESSAGES.get(code) or _("请确认：%(check)s") % {"check": label}},
            )
        if transition.name == "approve_urgent":
            comment.label = _("紧急发布理由")
            comment.help_text = _(
                "紧急发布后本信息即可发布，其余审核环节须在规定时限内补充审核，逾期在工作台提示。"
            )
        elif transition.name == "approve" and (step or {}).get("name") == "终审签发":
            comment.label = _("签发意见（可选）")
        self.fields["comment"] = comment
        self.fields["step_position"] = position
        self.step = step or {}

    def checks(self) -> list[str]:
        """The codes of the checks confirmed (all of them, once the form is valid)."""
        return [code for code in self.step.get("checks", []) if self.cleaned_data.get(check_field_name(code))]


class PublishForm(MoveForm):
    comment = None

    publish_at = forms.DateTimeField(
        label=_("定时发布时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空则立即发布；填写将来的时间则到时自动发布。"),
        error_messages={"invalid": _("请输入有效的日期和时间，例如 2026-05-01 09:00。")},
    )

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("定时发布时间必须晚于当前时间；立即发布请留空。"))
        return value


class ScheduleForm(PublishForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].required = True
        self.fields["publish_at"].help_text = _("到达该时间后系统自动发布。")
        self.fields["publish_at"].error_messages["required"] = _("请填写定时发布时间。")


class WithdrawForm(MoveForm):
    comment_label = _("撤回理由")

    NOTICE = "notice"
    NOTHING = "nothing"
    public_view = forms.ChoiceField(
        label=_("撤回后公众看到"),
        choices=[(NOTICE, _("撤回后公众看到撤回说明")), (NOTHING, _("不显示任何内容"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择撤回后公众看到的内容。")},
    )


MOVE_FORMS: dict[str, type[MoveForm]] = {
    "submit": MoveForm,
    "request_changes": RequestChangesForm,
    "approve": StepForm,
    "pass_step": StepForm,
    "approve_urgent": StepForm,
    "follow_up": StepForm,
    "publish": PublishForm,
    "schedule": ScheduleForm,
    "unschedule": ConfirmForm,
    "withdraw": WithdrawForm,
    "revise": ConfirmForm,
}


class PrivacyKeepForm(forms.Form):
    """A reviewer keeps one finding of the privacy guard public: why, and on which legal basis."""

    reason = forms.CharField(label=_("保留理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(
        label=_("法定依据"),
        max_length=300,
        help_text=_("如：《公共租赁住房管理办法》规定的公示要求。"),
    )
