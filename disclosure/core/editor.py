"""The rich-text editor of record and consultation bodies in the admin.

django-prose-editor ships ProseMirror/Tiptap as static files inside its wheel, so nothing is loaded from
outside the site. Its own presets need an inline import map, which the Content-Security-Policy forbids
(script-src 'self', no inline script); ``static/disclosure/admin/body-editor.js`` therefore imports the
editor module by the URL this widget puts on the textarea, and builds the editor with only what the
sanitiser keeps (disclosure/core/sanitize.py): paragraphs, headings, lists, tables, bold and links.
Without JavaScript the textarea stays an ordinary textarea; the server turns plain lines into paragraphs.
"""

from django import forms
from django.templatetags.static import static

EDITOR_MODULE = "django_prose_editor/editor.js"


class BodyEditorWidget(forms.Textarea):
    """A textarea that body-editor.js turns into the editor; it keeps the HTML the form posts."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 16, **(attrs or {})})

    @property
    def media(self):
        return forms.Media(
            css={
                "all": (
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "disclosure/admin/body-editor.css",
                )
            },
            js=(forms.Script("disclosure/admin/body-editor.js", type="module"),),
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-body-editor"] = static(EDITOR_MODULE)
        return context

    def use_required_attribute(self, initial):
        # The textarea is hidden behind the editor; the browser could not point at it.
        return False
