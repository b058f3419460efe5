from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.models import CatalogNode, OrgLevel


class TreeNodeForm(forms.ModelForm):
    """A tree node's admin form (the admin supplies the model): the chosen parent is checked by the
    tree service's own rule, so its message shows on the parent field."""

    def clean(self):
        cleaned = super().clean()
        if "parent" in cleaned:
            try:
                services.validate_placement(node=self.instance, parent=cleaned["parent"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class CatalogNodeForm(TreeNodeForm):
    """``forced_values`` (set on a subclass by the admin) are written to the instance before the model
    is validated: the origin and owner a non-platform user's new item gets, whatever was posted."""

    forced_values: dict = {}

    levels = forms.MultipleChoiceField(
        label=_("公开层级"),
        choices=OrgLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("适用的机构层级；事项适用于层级相符的机构。"),
    )

    class Meta:
        model = CatalogNode
        fields = "__all__"

    def clean(self):
        for name, value in self.forced_values.items():
            setattr(self.instance, name, value)
        return super().clean()

    def clean_levels(self):
        # Keep the levels in the tree's order, whatever order the boxes were ticked in.
        chosen = set(self.cleaned_data["levels"])
        return [level for level in OrgLevel.values if level in chosen]
