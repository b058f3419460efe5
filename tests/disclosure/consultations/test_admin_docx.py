"""The consultation draft's body from a Word document, posted in the admin by the 信息员 who owns the form:
the same structure as for records (disclosure/core/docx_body.py); not offered on a form the user may not edit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.consultations.models import Consultation
from tests.admin_client import client_for
from tests.disclosure.consultations.test_admin_consultations import ADD_URL, form_data
from tests.disclosure.records.test_body_import import DOCX_TYPE, word_document

pytestmark = pytest.mark.django_db


def test_docx_fills_the_draft_body(people):
    data = form_data(people.nodes.default)
    data["body_docx"] = SimpleUploadedFile("征求意见稿.docx", word_document(), content_type=DOCX_TYPE)
    response = client_for(people.editor).post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    body = Consultation.objects.get().body
    assert body.startswith("<h2>一、配租对象</h2><p>经审核")
    assert "<ul><li>张某某家庭</li><li>李某某家庭</li></ul>" in body and "<table>" in body


def test_import_field_only_where_the_user_may_edit(people):
    editor = client_for(people.editor)
    assert b'name="body_docx"' in editor.get(ADD_URL).content
    data = form_data(people.nodes.default)
    assert editor.post(ADD_URL, data).status_code == 302
    # The reviewer, reading the draft, may not edit it: no import field on that form.
    consultation = Consultation.objects.get()
    page = client_for(people.reviewer).get(reverse("admin:disclosure_consultation_change", args=[consultation.pk]))
    assert page.status_code == 200 and b'name="body_docx"' not in page.content
