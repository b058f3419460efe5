from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, OrgLevel


class CatalogNodeForm(forms.ModelForm):
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

    def clean_levels(self):
        # Keep the levels in the tree's order, whatever order the boxes were ticked in.
        chosen = set(self.cleaned_data["levels"])
        return [level for level in OrgLevel.values if level in chosen]
