"""A citizen's saved comment on a draft decision is always acknowledged ("您的意见已收到"), even when the
database blips right after the save: the acknowledgement renders from a signed cookie, not the database."""

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from disclosure.consultations.models import ConsultationComment
from tests.disclosure.consultations.test_consultations import opened, post_comment, w  # noqa: F401 (fixture)


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture(autouse=True)
def _no_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_comment_acknowledgement_renders_while_the_database_is_down(w, client):  # noqa: F811
    """The comment is saved; with every statement failing, the page it redirects to still says
    "您的意见已收到" with the comment's number and the draft's title."""
    consultation = opened(w)
    response = post_comment(client, consultation)
    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    with connection.execute_wrapper(database_down):
        page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "您的意见已收到" in html and f"编号 {comment.pk}" in html and consultation.title in html
    assert "13800000000" not in html  # the contact is never shown


@pytest.mark.django_db
def test_comment_acknowledgement_without_its_cookie_goes_back_to_the_draft(w, client):  # noqa: F811
    """No cookie, a forged one, or one for another consultation: back to the consultation's page."""
    consultation = opened(w)
    url = f"{consultation.get_absolute_url()}received/"
    assert client.get(url)["Location"] == consultation.get_absolute_url()
    client.cookies["comment_receipt"] = "forged:value"
    assert client.get(url)["Location"] == consultation.get_absolute_url()
    other = opened(w, title="另一个征求意见稿")
    post_comment(client, other)
    assert client.get(url)["Location"] == consultation.get_absolute_url()
