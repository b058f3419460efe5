"""The standard disclosure catalog and the organisations that must disclose by it.

Both are django-mptt trees. Tree reads go through catalog/selectors.py and tree writes through
catalog/services.py, so that replacing django-mptt would stay a local change.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
    _("编码只能由字母、数字、下划线和连字符组成，且以字母或数字开头。"),
)


def tree_parent(verbose_name):
    """The parent link of a tree node. A node with children cannot be deleted: move or retire them first."""
    return TreeForeignKey(
        "self",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )


def active_switch(help_text):
    """Whether a node is shown to the public; turning it off hides the node and what hangs below it."""
    return models.BooleanField(_("启用"), default=True, help_text=help_text)


class OrgLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class Method(models.TextChoices):
    PROACTIVE = "proactive", _("主动")
    ON_APPLICATION = "on_application", _("依申请")


class Provenance(models.TextChoices):
    SOURCED = "sourced", _("标准")
    PARTIAL = "partial", _("部分采集")
    RECONSTRUCTED = "reconstructed", _("依法重建")
    LOCAL = "local", _("本地扩展")


class Origin(models.TextChoices):
    """Where a catalog node comes from, as the public column page tells it.

    标准目录 and 参考各地目录补充 are the platform's (loaded from fixtures/standard-catalog.json); only the
    platform changes them. 本单位细化 belongs to one organisation, which alone sees and edits it.
    """

    STANDARD = "standard", _("标准目录")
    SUPPLEMENT = "supplement", _("参考各地目录补充")
    LOCAL = "local", _("本单位细化")


class TimeLimitTrigger(models.TextChoices):
    FORMED = "formed", _("信息形成或变更之日起")
    APPLICATION = "application", _("收到申请之日起")
    NONE = "none", _("无时限")


class AudienceScope(models.TextChoices):
    PUBLIC = "public", _("全社会")
    SPECIFIC = "specific", _("特定群体")


class Organisation(MPTTModel):
    """A body that discloses (or groups those that do): province → city → county → township → village.

    Invariant: ``code`` (行政区划代码 or an internal code) is unique and never changes once records
    exist, because index numbers (索引号) and URLs are built from it.
    """

    code = models.CharField(
        _("机构编码"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        help_text=_("行政区划代码或统一社会信用代码等稳定编码，用于网址和索引号，建成后不要修改。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("层级"), max_length=10, choices=OrgLevel.choices)
    parent = tree_parent(_("上级机构"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = active_switch(_("停用后，该机构及其信息不再对外显示。"))
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    fax = models.CharField(_("传真"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)

    class MPTTMeta:
        order_insertion_by = ["sort_order", "code"]
        # ``level`` is the administrative level; the tree depth gets another name.
        level_attr = "depth"

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("disclosure:organisation", kwargs={"org": self.code})


class Channel(models.Model):
    """One entry of the channel checklist (公开渠道和载体) of the standard catalog."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("公开渠道")
        verbose_name_plural = _("公开渠道")

    def __str__(self):
        return self.name


class CatalogNode(MPTTModel):
    """A node of the standard catalog: domain → first-level item → second-level item (→ local refinements).

    Invariants: ``code`` is unique and stable (URLs and reports key on it). Platform nodes (``origin``
    标准目录 or 参考各地目录补充) are changed only by the platform, and a reload of the fixture restores
    their standard attributes (``standard_values`` holds what was last loaded); see catalog/services.py.
    A local node (本单位细化) has an ``owner`` and applies to that organisation only; an organisation's own
    view of a platform node (shown or not, its own note) is a ``ColumnSetting``, never an edit of the node.
    """

    code = models.CharField(
        _("编码"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        help_text=_("稳定编码，用于网址与报表。标准事项为数字层级编码，本地扩展请使用自己的前缀。"),
    )
    name = models.CharField(_("名称"), max_length=200)
    parent = tree_parent(_("上级事项"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = active_switch(_("停用后，该栏目及其下级栏目不再对外显示。"))
    content = models.TextField(_("公开内容要素"), blank=True)
    basis = models.TextField(_("公开依据"), blank=True)
    time_limit_text = models.CharField(
        _("公开时限"), max_length=200, blank=True, help_text=_("按标准目录原文填写。")
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("公开时限折算的工作日数，供报表计算；无明确时限时留空。"),
    )
    time_limit_trigger = models.CharField(
        _("时限起算"),
        max_length=12,
        choices=TimeLimitTrigger.choices,
        default=TimeLimitTrigger.NONE,
    )
    subject = models.CharField(_("公开主体"), max_length=200, blank=True)
    channels_text = models.CharField(
        _("公开渠道和载体（原文）"), max_length=300, blank=True
    )
    channels = models.ManyToManyField(
        Channel,
        through="NodeChannel",
        verbose_name=_("公开渠道和载体"),
        blank=True,
    )
    audience = models.CharField(_("公开对象"), max_length=100, blank=True)
    audience_scope = models.CharField(
        _("公开对象范围"),
        max_length=10,
        choices=AudienceScope.choices,
        default=AudienceScope.PUBLIC,
    )
    method = models.CharField(
        _("公开方式"), max_length=20, choices=Method.choices, default=Method.PROACTIVE
    )
    levels = models.JSONField(
        _("公开层级"),
        default=list,
        blank=True,
        help_text=_("适用的机构层级；事项适用于层级相符的机构。"),
    )
    provenance = models.CharField(
        _("来源"), max_length=20, choices=Provenance.choices, default=Provenance.LOCAL
    )
    origin = models.CharField(
        _("目录来源"),
        max_length=12,
        choices=Origin.choices,
        default=Origin.LOCAL,
        help_text=_("标准目录与参考各地目录补充的事项由平台维护；本单位细化的事项归所属单位。"),
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("细化单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_catalog_nodes",
        help_text=_("本单位细化事项所属的单位；该事项只出现在这个单位的栏目中。平台事项留空。"),
    )
    standard_values = models.JSONField(
        _("标准原值"), default=dict, blank=True, editable=False
    )
    freshness_days = models.PositiveSmallIntegerField(
        _("更新周期（天）"),
        null=True,
        blank=True,
        help_text=_(
            "栏目最近一次发布距今超过该天数即视为“未及时更新”。留空时沿用上级事项的设置；"
            "都未设置时按网站普查规则：动态类栏目14天，通知公告和政策文件类栏目6个月。"
        ),
    )

    class MPTTMeta:
        order_insertion_by = ["sort_order", "code"]

    class Meta:
        verbose_name = _("目录事项")
        verbose_name_plural = _("标准目录")
        # Standard items are read-only in the admin to holders of change_catalognode alone
        # (单位管理员 extend the catalog with local items); this permission lets someone edit them.
        permissions = [("change_standard_node", _("可修改标准事项"))]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        # The item across organisations; the citizen picks whose column to open.
        return reverse("disclosure:catalog_item", kwargs={"node": self.code})

    def clean(self):
        unknown = set(self.levels or []) - set(OrgLevel.values)
        if unknown:
            raise ValidationError({"levels": _("未知的层级：%s") % "、".join(sorted(unknown))})
        if self.origin == Origin.LOCAL and self.owner_id is None:
            # Not keyed on ``owner``: forms where the field is read-only could not show the message.
            raise ValidationError(_("本单位细化的事项必须指定细化单位。"), code="owner")
        if self.origin != Origin.LOCAL and self.owner_id is not None:
            raise ValidationError(_("平台目录事项不属于某个单位，请清空细化单位。"), code="owner")
        if self.time_limit_trigger == TimeLimitTrigger.NONE and self.time_limit_days:
            raise ValidationError(
                {"time_limit_trigger": _("填写了时限工作日数时，必须选择时限起算方式。")}
            )
        if self.time_limit_trigger != TimeLimitTrigger.NONE and not self.time_limit_days:
            raise ValidationError({"time_limit_days": _("请填写时限工作日数。")})

    @property
    def is_platform_node(self) -> bool:
        """A node of the platform's catalog (标准目录 or 参考各地目录补充), not one organisation's refinement."""
        return self.origin != Origin.LOCAL

    @property
    def is_leaf_item(self):
        """A second-level (or deeper) item, where records are filed."""
        return self.level >= 2

    @property
    def level_labels(self):
        labels = dict(OrgLevel.choices)
        return [labels[level] for level in self.levels if level in labels]

    def applies_to(self, organisation):
        """Whether this node applies to ``organisation``; the rule lives in catalog.selectors.applies_to."""
        from catalog import selectors  # selectors import this module

        return selectors.applies_to(self, organisation)


class NodeChannel(models.Model):
    """A channel a catalog item is published through, required (■) or optional (□)."""

    node = models.ForeignKey(CatalogNode, on_delete=models.CASCADE, related_name="node_channels")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, verbose_name=_("渠道"))
    required = models.BooleanField(_("必选"), default=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("公开渠道")
        verbose_name_plural = _("公开渠道")
        constraints = [
            models.UniqueConstraint(fields=["node", "channel"], name="unique_node_channel"),
        ]
        ordering = ["channel__sort_order"]

    def __str__(self):
        return f"{'■' if self.required else '□'}{self.channel.name}"


class ColumnSetting(models.Model):
    """One organisation's own view of a platform catalog node: whether the column is shown on its
    pages and a note of its own. It changes nothing for any other organisation and survives reloads.

    Invariant: one row per (organisation, node).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="column_settings"
    )
    node = models.ForeignKey(
        CatalogNode, verbose_name=_("目录事项"), on_delete=models.CASCADE, related_name="column_settings"
    )
    shown = models.BooleanField(
        _("在本单位栏目中显示"),
        default=True,
        help_text=_("只影响本单位的公开栏目；该事项仍计入本单位的目录完整性检查。"),
    )
    note = models.CharField(
        _("本单位说明"),
        max_length=300,
        blank=True,
        help_text=_("显示在本单位该栏目页面的公开标准下方，例如本单位的承办科室。"),
    )

    class Meta:
        verbose_name = _("本单位栏目设置")
        verbose_name_plural = _("本单位栏目设置")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "node"], name="unique_column_setting"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.node}"
