"""文号 in the GB/T 9704-2012 form (norms.md "Document numbers"): 发文机关代字〔YYYY〕N号, full-width
六角括号, four-digit year, no 第, no leading zero. Typing slips are fixed; other forms need a confirmation."""

import pytest
from django.urls import reverse

from disclosure.core.access import Role
from disclosure.records.docnumber import document_number_problem, normalise_document_number
from disclosure.records.models import Record
from tests.admin_client import client_for
from tests.disclosure.records.test_admin_records import form_data
from tests.factories import make_staff


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("豫建〔2024〕12号", "豫建〔2024〕12号"),
        ("豫建[2024]12号", "豫建〔2024〕12号"),
        ("豫建（2024）12号", "豫建〔2024〕12号"),
        ("豫建 (2024) 12 号", "豫建〔2024〕12号"),
        ("豫建【２０２４】１２号", "豫建〔2024〕12号"),
    ],
)
def test_typing_slips_are_fixed(typed, stored):
    """ASCII, round and square brackets around the year become 〔〕; spaces and full-width digits go."""
    assert normalise_document_number(typed) == stored
    assert document_number_problem(stored) is None


@pytest.mark.parametrize(
    "number, says",
    [
        ("豫建〔24〕12号", "四位"),
        ("豫建〔2024〕012号", "不加“0”"),
        ("豫建〔2024〕第12号", "不加“第”"),
        ("豫建2024-12", "六角括号"),
    ],
)
def test_other_forms_say_what_is_wrong(number, says):
    """Each non-standard form gets its reason in Chinese, with the standard example."""
    problem = document_number_problem(normalise_document_number(number))
    assert says in problem and "豫建〔2024〕12号" in problem


@pytest.mark.django_db
def test_the_record_form_fixes_brackets_and_asks_to_confirm_other_forms(standard_catalog, county):
    """The editor's form stores 豫建〔2024〕12号 for 豫建[2024]12号; 国务院令第590号 is refused until the
    editor ticks 确认文号格式, then kept as typed."""
    from catalog.models import CatalogNode

    editor = make_staff(county, Role.EDITOR)
    client = client_for(editor)
    node = CatalogNode.objects.get(code="020102")
    response = client.post(
        reverse("admin:disclosure_record_add"), form_data(node, title="文号一", document_number="豫建[2024]12号")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Record.objects.get(title="文号一").document_number == "豫建〔2024〕12号"
    refused = client.post(
        reverse("admin:disclosure_record_add"), form_data(node, title="文号二", document_number="国务院令第590号")
    )
    assert refused.status_code == 200 and "确认文号格式" in refused.content.decode()
    assert not Record.objects.filter(title="文号二").exists()
    confirmed = client.post(
        reverse("admin:disclosure_record_add"),
        form_data(node, title="文号二", document_number="国务院令第590号", confirm_document_number="on"),
    )
    assert confirmed.status_code == 302
    assert Record.objects.get(title="文号二").document_number == "国务院令第590号"
