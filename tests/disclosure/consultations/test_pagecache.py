"""The public page cache (portal/pagecache.py) with consultations: a change of state and an opening time
reached both end the cached pages. See tests/portal/test_pagecache.py for records and the mechanism."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from disclosure.consultations import services
from portal import pagecache
from tests.disclosure.consultations.desk import COUNTY
from tests.portal.test_pagecache import commit, fetch_cached

FEEDBACK = "共收到意见5条，采纳3条。"


@pytest.fixture
def cached(settings, people):
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    commit()
    return people


def test_published_feedback_replaces_the_cached_closed_consultation(client, cached):
    consultation = cached.desk.bring_to("closed", title="关于缓存检查的征求意见 mkfeedback")
    commit()
    detail = f"/consultations/{COUNTY}/{consultation.pk}/"
    assert FEEDBACK not in fetch_cached(client, detail).decode()
    assert "mkfeedback" in fetch_cached(client, f"/consultations/{COUNTY}/").decode()

    services.consultation_publish_feedback(user=cached.reviewer, consultation=consultation, feedback=FEEDBACK)
    commit()

    assert FEEDBACK in client.get(detail).content.decode()


def test_a_consultation_appears_when_its_opening_time_is_reached_without_any_write(client, cached):
    opens_at = timezone.now() + timedelta(seconds=2)
    consultation = cached.desk.draft(title="关于到点开始的征求意见 mkopening", opens_at=opens_at)
    services.consultation_open(user=cached.reviewer, consultation=consultation)
    commit()
    listing = f"/consultations/{COUNTY}/"
    assert "mkopening" not in fetch_cached(client, listing).decode()

    time.sleep(max((opens_at - timezone.now()).total_seconds(), 0) + 0.2)

    assert "mkopening" in client.get(listing).content.decode()
