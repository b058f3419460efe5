"""The elder-friendly large-text mode works without JavaScript and cannot redirect off the site."""

import pytest


@pytest.mark.django_db
def test_large_text_mode_switches_on_and_off(client, standard_catalog, demo_orgs):
    response = client.get("/display/text-size/?size=large&next=/org/419901/")
    assert response.status_code == 302 and response["Location"] == "/org/419901/"
    assert 'class="large-text"' in client.get("/org/419901/").content.decode()
    client.get("/display/text-size/?size=normal&next=/")
    html = client.get("/org/419901/").content.decode()
    assert 'class="large-text"' not in html and "大字模式" in html


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_text_size_never_redirects_elsewhere(client, target):
    response = client.get("/display/text-size/", {"size": "large", "next": target})
    assert response["Location"] == "/"
