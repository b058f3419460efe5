"""适老化 display modes: each a cookie the server reads, switched by a plain link (no JavaScript), all
combinable, never redirecting off the site."""

import pytest

from portal.display import MODES


@pytest.mark.django_db
def test_each_mode_switches_on_and_off_and_they_combine(client, standard_catalog, demo_orgs):
    for mode in MODES:
        response = client.get("/display/mode/", {"mode": mode.key, "on": "1", "next": "/org/419901/"})
        assert response.status_code == 302 and response["Location"] == "/org/419901/"
        cookie = response.cookies[mode.cookie]
        assert cookie.value == "1" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/org/419901/").content.decode()
    assert '<html lang="zh-CN" class="large-text high-contrast wide-spacing large-targets">' in html
    for mode in MODES:
        assert f"{mode.label}（已开启）</a>" in html
    client.get("/display/mode/", {"mode": "contrast", "on": "0", "next": "/"})
    html = client.get("/org/419901/").content.decode()
    assert 'class="large-text wide-spacing large-targets"' in html
    assert "高对比度（已开启）" not in html and ">高对比度</a>" in html


@pytest.mark.django_db
def test_switches_come_first_after_the_skip_link_and_return_to_the_page(client, standard_catalog, demo_orgs):
    html = client.get("/org/419901/020503/?year=2025").content.decode()
    body = html.split("<body>", 1)[1]
    assert body.index("跳到主要内容") < body.index('class="display-modes"') < body.index('class="site-header"')
    assert "/display/mode/?mode=contrast&amp;on=1&amp;next=/org/419901/020503/%3Fyear%3D2025" in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"mode": "nope", "on": "1"}, {"on": "1"}, {"mode": "\u0101"}])
def test_an_unknown_mode_is_a_400_in_chinese(client, query):
    response = client.get("/display/mode/", query)
    assert response.status_code == 400 and "没有这种显示模式" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_a_switch_never_redirects_elsewhere(client, target):
    response = client.get("/display/mode/", {"mode": "spacing", "on": "1", "next": target})
    assert response["Location"] == "/"
