"""Staff accounts: login lockout, the TOTP second factor, session limits, the password policy, and the
account events in the activity log. Everything goes through real requests to the real login page."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.core.access import Role
from disclosure.core.log import ActivityEntry
from disclosure.core.sessions import SEEN, STARTED
from tests.factories import UserFactory, make_staff

LOGIN = "/admin/login/"
INDEX = "/admin/"
VERIFY = "/admin/2fa/verify/"
SETUP = "/admin/2fa/setup/"
PASSWORD = "pw-for-tests"
AGENT = "Mozilla/5.0 (测试浏览器)"


def browser(address="10.1.2.3") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT)


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password, "next": INDEX})


def signed_in(client: Client) -> bool:
    return client.get(INDEX).status_code == 200


@pytest.fixture
def staff(county):
    return make_staff(county, Role.EDITOR, username="zhangsan")


# ----------------------------------------------------------------------------------------- lockout


@pytest.mark.django_db
def test_twenty_wrong_passwords_lock_the_account_and_the_address_until_the_cool_off(settings, staff, county):
    """The 20th wrong password locks: the right password is then refused with the Chinese lockout page
    (429, not a 500), for the account from another address and for another account from this address;
    after the cool-off the right password works again."""
    assert settings.AXES_FAILURE_LIMIT == 20
    other = make_staff(county, Role.EDITOR, username="lisi")
    client = browser()
    for _ in range(19):
        response = sign_in(client, "zhangsan", "wrong-password")
        assert response.status_code == 200  # the login form again, with Django's error
    response = sign_in(client, "zhangsan", "wrong-password")
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.content.decode()

    right = sign_in(client, "zhangsan")
    assert right.status_code == 429 and "登录已被暂时锁定" in right.content.decode()
    assert not signed_in(client)
    assert sign_in(browser("10.9.9.9"), "zhangsan").status_code == 429  # the account, from anywhere
    assert sign_in(browser(), "lisi").status_code == 429  # the address, for any account
    assert sign_in(browser("10.9.9.8"), "lisi").status_code == 302  # others are unaffected

    # The cool-off passes: the attempts are older than LOGIN_COOLOFF_MINUTES.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    client = browser()
    assert sign_in(client, "zhangsan").status_code == 302
    assert signed_in(client)
    assert other.pk


@pytest.mark.django_db
def test_the_test_clients_login_still_works(staff):
    """A request-less authenticate (Client.login) is not refused by the lockout backend."""
    assert Client().login(username="zhangsan", password=PASSWORD)


# ------------------------------------------------------------------------------------- second factor


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset:06d}"[-6:]


@pytest.mark.django_db
def test_with_2fa_required_the_code_is_asked_after_the_password(settings, staff):
    """Production-like settings: after the password the admin sends to 输入动态验证码; a wrong code is
    refused and the admin stays closed; the code computed from the device's key opens it."""
    settings.PORTAL_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=staff, name="手机", confirmed=True)
    client = browser()
    response = sign_in(client, "zhangsan")
    assert response.status_code == 302
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    page = client.get(response["Location"])
    assert "输入动态验证码" in page.content.decode()

    wrong = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111", "next": INDEX})
    assert wrong.status_code == 200 and "动态验证码不正确" in wrong.content.decode()
    assert client.get(INDEX).status_code == 302
    assert client.post(VERIFY, {"code": "abc", "next": INDEX}).status_code == 200

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above throttles the next attempt for a second
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(VERIFY, {"code": code_for(device), "next": INDEX})
    assert right.status_code == 302 and right["Location"] == INDEX
    assert signed_in(client)


@pytest.mark.django_db
def test_a_member_of_staff_without_a_device_enrols_with_a_first_code(settings, staff):
    """Without a device the account is sent to 绑定动态验证码, which shows the secret and an inline SVG
    QR code; the first right code confirms the device and opens the admin."""
    settings.PORTAL_REQUIRE_2FA = True
    client = browser()
    sign_in(client, "zhangsan")
    response = client.get(INDEX)
    assert response["Location"].startswith(SETUP)
    page = client.get(SETUP).content.decode()
    assert "绑定动态验证码" in page and "<svg" in page and 'id="otp-secret"' in page
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert client.post(SETUP, {"code": code_for(device), "next": INDEX}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert signed_in(client)


@pytest.mark.django_db
def test_without_2fa_required_the_password_is_enough(settings, staff):
    """Development and test (the default outside production): no code is asked."""
    settings.PORTAL_REQUIRE_2FA = False
    client = browser()
    sign_in(client, "zhangsan")
    assert signed_in(client)


# ------------------------------------------------------------------------------------------ sessions


def age_session(client: Client, *, started: float | None = None, seen: float | None = None):
    session = client.session
    if started is not None:
        session[STARTED] = started
    if seen is not None:
        session[SEEN] = seen
    session.save()


@pytest.mark.django_db
def test_an_idle_session_is_signed_out_with_a_chinese_message(settings, staff):
    """31 minutes without a request end the session; the admin sends to the login page, which says why."""
    client = browser()
    sign_in(client, "zhangsan")
    assert signed_in(client)
    age_session(client, seen=time.time() - 31 * 60)
    response = client.get(INDEX, follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "分钟未操作" in response.content.decode()
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_session_older_than_the_absolute_limit_is_signed_out(settings, staff):
    """Even when active, a session 12 hours after its sign-in ends."""
    client = browser()
    sign_in(client, "zhangsan")
    assert signed_in(client)
    age_session(client, started=time.time() - 12 * 3600 - 60, seen=time.time())
    response = client.get(INDEX, follow=True)
    assert "登录已超过 12 小时" in response.content.decode()
    assert not signed_in(client)


@pytest.mark.django_db
def test_an_active_session_within_the_limits_stays(staff):
    """11 hours after sign-in and 29 minutes idle: still signed in."""
    client = browser()
    sign_in(client, "zhangsan")
    age_session(client, started=time.time() - 11 * 3600, seen=time.time() - 29 * 60)
    assert signed_in(client)


# ------------------------------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    "password",
    ["Demo-2026-qinghe", "qinghe-Zhufang-88", "HOUSING#bureau2026", "correct horse Battery 7"],
)
def test_the_policy_accepts_long_mixed_passwords(password):
    """Twelve characters or more with three classes, unlike the username and not common: accepted."""
    validate_password(password, UserFactory.build(username="zhangsan"))


@pytest.mark.parametrize(
    "password,reason",
    [
        ("demo-2026", "至少需要 12 个字符"),  # the old demo password: too short
        ("qinghezhufang", "3 类"),  # long but one class
        ("qinghezhufang2026", "3 类"),  # two classes
        ("Password1234", "太常见"),  # common
        ("Zhangsan-2026!", "相似"),  # like the username
        ("123456789012", "3 类"),
    ],
)
def test_the_policy_refuses_weak_passwords_in_chinese(password, reason):
    """Short, one- or two-class, common, or like the username: refused, with the reason in Chinese."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password, UserFactory.build(username="zhangsan", first_name="", last_name="", email=""))
    assert any(reason in message for message in refused.value.messages), refused.value.messages


@pytest.mark.django_db
def test_an_expired_password_sends_staff_to_the_password_change(settings, staff):
    """With PASSWORD_MAX_AGE_DAYS on, an account older than the limit with no recorded change must change
    its password first; after the change the admin opens."""
    settings.PASSWORD_MAX_AGE_DAYS = 90
    type(staff).objects.filter(pk=staff.pk).update(date_joined=timezone.now() - timedelta(days=91))
    client = browser()
    sign_in(client, "zhangsan")
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/"
    changed = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "Qinghe-Zhufang-2027", "new_password2": "Qinghe-Zhufang-2027"},
    )
    assert changed.status_code == 302
    assert signed_in(client)
    assert ActivityEntry.objects.filter(subject_id=staff.pk, action="password_change").exists()


# ------------------------------------------------------------------------------------- activity log


@pytest.mark.django_db
def test_each_account_event_is_logged_with_address_and_browser(settings, staff, county):
    """login, login_failed, logout and lockout rows name the account and carry the address and the
    browser in the comment."""
    settings.AXES_FAILURE_LIMIT = 2
    client = browser("10.7.7.7")
    sign_in(client, "zhangsan")
    client.post("/admin/logout/")
    sign_in(client, "zhangsan", "wrong-password")
    sign_in(client, "zhangsan", "wrong-password")

    rows = list(ActivityEntry.objects.filter(subject_type="account").order_by("pk"))
    # axes' own receiver (connected first) sends the lockout before the failure that caused it is logged.
    assert [row.action for row in rows] == ["login", "logout", "login_failed", "lockout", "login_failed"]
    for row in rows:
        assert row.subject_id == staff.pk and row.subject_title == "zhangsan"
        assert "10.7.7.7" in row.comment and AGENT in row.comment
        assert row.organisation_id == county.pk
    assert rows[0].actor_id == staff.pk and rows[2].actor_id is None
    assert "已锁定" in rows[4].comment


@pytest.mark.django_db
def test_a_failed_sign_in_for_an_unknown_name_is_logged_without_an_account(staff):
    """A name that is no account is still logged, with no account and no organisation."""
    sign_in(browser(), "nobody-here", "x")
    row = ActivityEntry.objects.get(action="login_failed")
    assert row.subject_id == 0 and row.subject_title == "nobody-here" and row.organisation_id is None


@pytest.mark.django_db
def test_a_sign_in_without_a_usable_address_is_no_server_error(staff):
    """Behind a Unix socket REMOTE_ADDR may be empty: failed and good sign-ins still answer normally
    (the address column of the lockout table takes no "unknown")."""
    client = Client(REMOTE_ADDR="", HTTP_USER_AGENT=AGENT)
    assert sign_in(client, "zhangsan", "wrong-password").status_code == 200
    assert sign_in(client, "zhangsan").status_code == 302
    assert ActivityEntry.objects.filter(action="login_failed", comment__contains="unknown").exists()


# ------------------------------------------------------------------------------------------ settings


def test_production_requires_2fa_by_default_and_refuses_malformed_limits():
    """PORTAL_REQUIRE_2FA defaults to on in production, off in development; the lockout and session
    limits are read from the environment and a malformed one stops the start."""
    from tests.portal.test_settings import PRODUCTION, start

    show = "from django.conf import settings as s; print(s.PORTAL_REQUIRE_2FA, s.AXES_FAILURE_LIMIT, s.SESSION_IDLE_MINUTES)"
    assert start(PRODUCTION, show).stdout.split() == ["True", "20", "30"]
    assert start({"PORTAL_ENV": "development"}, show).stdout.split() == ["False", "20", "30"]
    changed = {**PRODUCTION, "PORTAL_REQUIRE_2FA": "false", "LOGIN_FAILURE_LIMIT": "10", "SESSION_IDLE_MINUTES": "15"}
    assert start(changed, show).stdout.split() == ["False", "10", "15"]
    for name, value in [("LOGIN_FAILURE_LIMIT", "many"), ("SESSION_MAX_HOURS", "0"), ("PORTAL_REQUIRE_2FA", "maybe")]:
        result = start({**PRODUCTION, name: value})
        assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr, name
