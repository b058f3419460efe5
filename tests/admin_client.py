"""Helpers for tests that drive the admin as a member of staff."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client


def client_for(user, **client_options) -> Client:
    """A test client logged in as ``user`` (``client_options`` go to Client, e.g.
    raise_request_exception=False to see a 500 as a response)."""
    client = Client(**client_options)
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    """The messages (django.contrib.messages) a response carried, as text."""
    return [str(message) for message in get_messages(response.wsgi_request)]
