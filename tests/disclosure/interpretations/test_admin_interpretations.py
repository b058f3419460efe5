"""The admin of 政策解读关联 (interpretation links) as every role: never a 5xx.

The superuser and the organisation's 信息员 change links while the interpretation is unpublished;
审核员, 单位管理员 and 审计员 read them (the changelist and a read-only change page) and get 403 on
every write; once the interpretation is published its link is read-only for everyone.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.core.access import Role
from disclosure.interpretations.services import interpretation_link
from disclosure.records import services
from disclosure.records.models import AuditEntry, Interpretation, Record, RecordType, Status
from tests import admin_client
from tests.factories import UserFactory, make_staff, record_fields

COUNTY = "419901"
LIST_URL = reverse("admin:disclosure_interpretation_changelist")
ADD_URL = reverse("admin:disclosure_interpretation_add")
READERS = ["reviewer", "orgadmin", "auditor"]
EVERYONE = ["superuser", "editor", *READERS]


@pytest.fixture
def w(standard_catalog, demo_orgs):
    county = demo_orgs[COUNTY]
    return SimpleNamespace(
        county=county,
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
        editor=make_staff(county, Role.EDITOR, username="editor"),
        reviewer=make_staff(county, Role.REVIEWER, username="reviewer"),
        orgadmin=make_staff(county, Role.ORG_ADMIN, username="orgadmin"),
        auditor=make_staff(county, Role.AUDITOR, username="auditor"),
    )


def make(w, *, title: str, record_type: str, node: str) -> Record:
    return services.record_create(
        user=w.editor,
        organisation=w.county,
        node=CatalogNode.objects.get(code=node),
        **record_fields(title=title, record_type=record_type, document_number=""),
    )


def policy_and_interpretation(w, suffix="") -> tuple[Record, Record]:
    policy = make(w, title=f"清河县公共租赁住房管理办法{suffix}", record_type=RecordType.NORMATIVE, node="020102")
    interpretation = make(w, title=f"《管理办法》政策解读{suffix}", record_type=RecordType.INTERPRETATION, node="020801")
    return policy, interpretation


def linked(w, suffix="") -> Interpretation:
    policy, interpretation = policy_and_interpretation(w, suffix)
    return interpretation_link(user=w.editor, interpretation=interpretation, policy=policy, form="text")


def client_for(user) -> Client:
    return admin_client.client_for(user, raise_request_exception=False)


def change_url(link) -> str:
    return reverse("admin:disclosure_interpretation_change", args=[link.pk])


def delete_url(link) -> str:
    return reverse("admin:disclosure_interpretation_delete", args=[link.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("who", EVERYONE)
def test_every_role_opens_the_changelist_and_the_change_page(w, who):
    """Changelist and change page answer 200 for every role, listing the link; the save button is there
    exactly for those who may change it (superuser, 信息员)."""
    link = linked(w)
    client = client_for(getattr(w, who))
    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    assert "《管理办法》政策解读" in listing.content.decode()
    page = client.get(change_url(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert "《管理办法》政策解读" in html and "清河县公共租赁住房管理办法" in html
    assert ('name="_save"' in html) is (who in ("superuser", "editor"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", READERS)
def test_read_only_roles_are_refused_every_write_with_403(w, who):
    """审核员, 单位管理员, 审计员: the add page, a posted change, the delete page: 403, nothing written."""
    link = linked(w)
    other_policy, _interpretation = policy_and_interpretation(w, "（二）")
    audit = AuditEntry.objects.count()
    client = client_for(getattr(w, who))
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, {"record": link.record_id, "policy": other_policy.pk, "form": "qa"}).status_code == 403
    assert client.post(change_url(link), {"policy": other_policy.pk, "form": "qa"}).status_code == 403
    assert client.post(delete_url(link), {"post": "yes"}).status_code == 403
    assert list(Interpretation.objects.values_list("record_id", "policy_id", "form")) == [
        (link.record_id, link.policy_id, "text")
    ]
    assert AuditEntry.objects.count() == audit


@pytest.mark.django_db
def test_editor_posts_the_add_form_and_the_link_is_made_through_the_service(w):
    """信息员 posts the add form: 302, the link exists, the interpretation's audit log names it."""
    policy, interpretation = policy_and_interpretation(w)
    response = client_for(w.editor).post(ADD_URL, {"record": interpretation.pk, "policy": policy.pk, "form": "video"})
    assert response.status_code == 302
    link = Interpretation.objects.get()
    assert (link.record_id, link.policy_id, link.form) == (interpretation.pk, policy.pk, "video")
    entry = AuditEntry.objects.filter(record=interpretation).order_by("-id").first()
    assert (entry.action, entry.actor) == ("link_interpretation", w.editor)


@pytest.mark.django_db
def test_editor_add_form_with_a_wrong_choice_is_a_form_error(w):
    """A policy that is itself an interpretation is not among the choices: 200 with the form again."""
    _policy, interpretation = policy_and_interpretation(w)
    other = make(w, title="另一份解读", record_type=RecordType.INTERPRETATION, node="020801")
    response = client_for(w.editor).post(ADD_URL, {"record": interpretation.pk, "policy": other.pk, "form": "text"})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Interpretation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_link_of_a_published_interpretation_is_read_only_for_everyone(w, who):
    """Once published, the link is history: the change page is read-only (200, no save), posts are 403."""
    link = linked(w)
    reviewer2 = make_staff(w.county, Role.REVIEWER, username="reviewer2")
    for record in (link.policy, link.record):
        services.record_submit(user=w.editor, record=record)
        services.record_approve(user=reviewer2, record=record, confidentiality_checked=True, openness_checked=True)
    services.record_publish(user=reviewer2, record=link.policy)
    assert Record.objects.get(pk=link.record_id).status == Status.PUBLISHED
    client = client_for(getattr(w, who))
    page = client.get(change_url(link))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change_url(link), {"policy": link.policy_id, "form": "qa"}).status_code == 403
    assert Interpretation.objects.get().form == "text"
