"""E-mail subscriptions: double opt-in by the link in the confirmation mail, a daily digest of the new
public records of the column (nothing else), one-click unsubscribe, no tracking, nobody learns who is
subscribed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.core.log import ActivityEntry
from disclosure.core.transitions import InvalidTransition
from disclosure.subscriptions import services
from disclosure.subscriptions.models import Subscription, SubscriptionStatus
from tests.disclosure.publishing import COUNTY, PUBLIC_KEYS, Desk, leak_world, marker

EMAIL = "reader@example.com"


@pytest.fixture(autouse=True)
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_PUBLIC_URL = "https://gk.example.gov.cn"


@pytest.fixture
def desk(standard_catalog, demo_orgs):
    return Desk(demo_orgs[COUNTY])


def link_in(message, kind: str) -> str:
    found = re.search(rf"https://gk\.example\.gov\.cn(/subscribe/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_subscribe_confirm_digest_and_unsubscribe_in_one_click(client, desk):
    page = client.get(f"/org/{COUNTY}/020503/").content.decode()
    assert f'href="/subscribe/?org={COUNTY}&amp;node=020503"' in page
    assert client.get(f"/subscribe/?org={COUNTY}&node=020503").status_code == 200
    response = client.post("/subscribe/", {"org": COUNTY, "node": "020503", "email": EMAIL, "homepage": ""})
    assert response.status_code == 200 and "请查收" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    confirm_url = link_in(mail.outbox[0], "confirm")

    # Opening the link (as a mail scanner would) confirms nothing; the button does.
    assert "确认订阅" in client.get(confirm_url).content.decode()
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING
    assert "订阅成功" in client.post(confirm_url).content.decode()
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.CONFIRMED

    # Records published after confirming: the column's go out in one digest, other columns' do not.
    subscription.digest_through = timezone.now() - timedelta(days=1)
    subscription.save(update_fields=["digest_through"])
    rental = desk.publish("020503", title="公租房配租结果公示")
    desk.publish("040201", title="燃气经营许可证核发")
    assert services.send_digests() == 1
    digest = mail.outbox[-1]
    assert "公租房配租结果公示" in digest.body and "燃气经营许可证核发" not in digest.body
    assert f"https://gk.example.gov.cn{rental.get_absolute_url()}" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<img" not in digest.body and digest.content_subtype == "plain"  # no tracking pixel, no HTML
    assert services.send_digests() == 0  # nothing new: no mail

    unsubscribe_url = link_in(digest, "unsubscribe")
    assert digest.extra_headers["List-Unsubscribe"] == f"<https://gk.example.gov.cn{unsubscribe_url}>"
    assert "您已退订" in client.get(unsubscribe_url).content.decode()  # the one click
    assert Subscription.objects.get().status == SubscriptionStatus.UNSUBSCRIBED
    desk.publish("020503", title="第二批配租结果")
    assert services.send_digests() == 0
    assert [e.action for e in ActivityEntry.objects.filter(subject_type="subscription").order_by("id")] == [
        "subscribe", "confirm", "unsubscribe",
    ]
    assert EMAIL not in " ".join(ActivityEntry.objects.values_list("subject_title", flat=True))


@pytest.mark.django_db
def test_mail_clients_unsubscribe_with_the_rfc_8058_post(client, desk):
    subscription = services.confirm(services.subscribe(email=EMAIL, organisation=desk.organisation))
    response = client.post(f"/subscribe/unsubscribe/{subscription.token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get().status == SubscriptionStatus.UNSUBSCRIBED


@pytest.mark.django_db
def test_the_answer_is_the_same_whoever_is_subscribed(client, desk, django_capture_on_commit_callbacks):
    services.confirm(services.subscribe(email=EMAIL, organisation=desk.organisation))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/subscribe/", {"org": COUNTY, "email": EMAIL, "homepage": ""}).content.decode()
        new = client.post("/subscribe/", {"org": COUNTY, "email": "new@example.com", "homepage": ""}).content.decode()
    assert known.replace(EMAIL, "X") == new.replace("new@example.com", "X")
    assert [m.to for m in mail.outbox] == [["new@example.com"]]  # a confirmed address gets no mail again


@pytest.mark.django_db
def test_digests_carry_only_public_records(desk, demo_orgs):
    """The leak world's records (every state, openness, hidden column and organisation): a subscription
    to the county gets exactly the public ones."""
    subscription = services.confirm(services.subscribe(email=EMAIL, organisation=desk.organisation))
    Subscription.objects.filter(pk=subscription.pk).update(digest_through=timezone.now() - timedelta(days=30))
    world = leak_world(demo_orgs)
    records = services.new_records_for(
        Subscription.objects.get(), since=timezone.now() - timedelta(days=30), until=timezone.now()
    )
    keys = {key for key in world for record in records if record.title.endswith(marker(key))}
    county_public = {key for key in PUBLIC_KEYS if world[key].organisation.code == COUNTY}
    assert keys == county_public


# ----------------------------------------------------------------------------- the transition table


@pytest.mark.django_db
def test_moves_from_each_state_and_nothing_written_on_refusal(desk):
    subscription = services.subscribe(email=EMAIL, organisation=desk.organisation)
    entries = ActivityEntry.objects.filter(subject_type="subscription")
    assert entries.count() == 1
    confirmed = services.confirm(subscription)
    assert confirmed.status == SubscriptionStatus.CONFIRMED and entries.count() == 2
    with pytest.raises(InvalidTransition):  # wrong state: confirmed twice
        services.confirm(confirmed)
    assert entries.count() == 2
    gone = services.unsubscribe(confirmed)
    assert gone.status == SubscriptionStatus.UNSUBSCRIBED and entries.count() == 3
    for move in (services.confirm, services.unsubscribe):
        with pytest.raises(InvalidTransition):
            move(gone)
    assert entries.count() == 3
    again = services.subscribe(email=EMAIL, organisation=desk.organisation)
    assert again.status == SubscriptionStatus.PENDING and again.token != subscription.token
    assert entries.latest("id").action == "resubscribe"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/subscribe/confirm/not-a-token/", "/subscribe/unsubscribe/not-a-token/", "/subscribe/?org=nope",
    f"/subscribe/?org={COUNTY}&node=9999", "/subscribe/?org=%00", f"/subscribe/confirm/{'x' * 80}/",
])
def test_a_wrong_token_or_target_is_a_404_and_writes_nothing(client, desk, url):
    subscription = services.subscribe(email=EMAIL, organisation=desk.organisation)
    assert client.post(url).status_code in (400, 404)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING


@pytest.mark.django_db
def test_bad_addresses_and_hidden_columns_are_refused_in_chinese(client, desk):
    response = client.post("/subscribe/", {"org": COUNTY, "email": "not-an-address", "homepage": ""})
    assert response.status_code == 400 and "请填写有效的电子邮箱" in response.content.decode()
    CatalogNode.objects.filter(code="020503").update(is_active=False)
    assert client.get(f"/subscribe/?org={COUNTY}&node=020503").status_code == 404
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_staff_see_subscriptions_masked_and_read_only(desk):
    from disclosure.core.access import Role
    from tests.admin_client import client_for
    from tests.factories import make_staff

    services.subscribe(email=EMAIL, organisation=desk.organisation)
    admin = client_for(make_staff(desk.organisation, Role.ORG_ADMIN, username="sub-admin"))
    html = admin.get("/admin/disclosure/subscription/").content.decode()
    assert "r****@example.com" in html or "re***" in html or EMAIL not in html
    assert EMAIL not in html
    assert admin.get("/admin/disclosure/subscription/add/").status_code == 403
