"""Every admin screen and report page a demo account can reach answers without a server error.

One seeded demo (``seed_demo``), then for each demo account: the admin index, each app's index, every
registered model's list and add page, the change, history and "view on site" pages of up to two objects
of each model the account can see, every extra URL a ModelAdmin adds in ``get_urls()`` (its object id
filled with those objects, other arguments with the values any account's admin pages link to), and the
/reports/ pages. 403, 404 and redirects are fine answers; a 5xx or an exception is not, and the failure
message lists every such URL with the account that asked for it.
"""

from __future__ import annotations

import itertools
import logging
import re
import traceback

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, Resolver404, URLPattern, resolve, reverse

from disclosure.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_STAFF
from disclosure.reports import urls as report_urls

# Every demo account: the superuser, then one per role and organisation; a new one is crawled too.
ACCOUNTS = [row[0] for row in DEMO_ACCOUNTS] + [row[0] for row in DEMO_STAFF]
OBJECTS_PER_MODEL = 2
# Names Django's ModelAdmin.get_urls() gives every model; anything else a ModelAdmin adds is custom.
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")
HREF = re.compile(r'href="(/admin/[^"#?]*)')


class Crawl:
    """GETs URLs as one account and keeps every 5xx or exception, with the end of its traceback."""

    def __init__(self, username: str, failures: list[str]):
        self.username = username
        self.failures = failures
        self.client = Client()
        assert self.client.login(username=username, password=DEMO_PASSWORD), username
        self.seen: set[str] = set()
        self.links: set[str] = set()

    def get(self, url: str):
        if url in self.seen:
            return None
        self.seen.add(url)
        try:
            response = self.client.get(url)
        except Exception as error:  # noqa: BLE001 - every crash is a finding, reported with its traceback
            self.failures.append(f"[{self.username}] GET {url} raised:\n{_tail(error)}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"[{self.username}] GET {url} answered {response.status_code}")
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            self.links.update(HREF.findall(response.content.decode(errors="replace")))
        return response


def _tail(error: Exception) -> str:
    """The project's last two frames of the traceback and the exception: where to look."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "site-packages" not in f.filename and "/tests/" not in f.filename] or frames
    lines = traceback.format_list(ours[-2:]) + traceback.format_exception_only(error)
    return "".join(lines).rstrip()


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _custom_patterns(model_admin) -> list[URLPattern]:
    """The URL patterns a ModelAdmin adds to Django's standard ones."""
    opts = model_admin.opts
    standard = {f"{opts.app_label}_{opts.model_name}_{view}" for view in STANDARD_VIEWS}
    return [
        pattern
        for pattern in model_admin.get_urls()
        if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard
    ]


def _linked_arguments(links: set[str]) -> dict[str, dict[str, set[str]]]:
    """For each admin URL name, the values each argument took in the links the pages showed."""
    found: dict[str, dict[str, set[str]]] = {}
    for link in links:
        try:
            match = resolve(link)
        except Resolver404:
            continue
        for name, value in match.kwargs.items():
            found.setdefault(match.url_name, {}).setdefault(name, set()).add(str(value))
    return found


def _custom_urls(pattern: URLPattern, object_ids: list[str], linked: dict[str, dict[str, set[str]]]) -> list[str]:
    """``pattern`` reversed with real object ids and, for other arguments, the values pages linked to."""
    arguments = list(pattern.pattern.converters)
    choices = []
    for argument in arguments:
        if argument == "object_id":
            choices.append(object_ids)
        else:
            choices.append(sorted(linked.get(pattern.name, {}).get(argument, set())))
    urls = []
    for values in itertools.product(*choices):
        try:
            urls.append(reverse(f"admin:{pattern.name}", kwargs=dict(zip(arguments, values, strict=True))))
        except NoReverseMatch:
            continue
    return urls


def _crawl_standard_pages(crawl: Crawl) -> dict[type, list[str]]:
    """Index, app indexes, lists, add pages, and change/history/view-on-site pages of a few objects.

    Returns the ids of the objects crawled, by model.
    """
    request = _request_as(get_user_model().objects.get(username=crawl.username))
    crawl.get(reverse("admin:index"))
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        crawl.get(reverse("admin:app_list", kwargs={"app_label": app_label}))
    object_ids: dict[type, list[str]] = {}
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        crawl.get(reverse("admin:{}_{}_changelist".format(*info)))
        crawl.get(reverse("admin:{}_{}_add".format(*info)))
        objects = list(model_admin.get_queryset(request).order_by("-pk")[:OBJECTS_PER_MODEL])
        object_ids[model] = [quote(obj.pk) for obj in objects]
        content_type = ContentType.objects.get_for_model(model)
        for obj in objects:
            crawl.get(reverse("admin:{}_{}_change".format(*info), args=[quote(obj.pk)]))
            crawl.get(reverse("admin:{}_{}_history".format(*info), args=[quote(obj.pk)]))
            if model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
                crawl.get(reverse("admin:view_on_site", args=[content_type.pk, obj.pk]))
    return object_ids


def _crawl_custom_pages(crawl: Crawl, object_ids: dict[type, list[str]], linked) -> None:
    """Each ModelAdmin's own URLs (move pages, exports...) for the objects, then the report pages."""
    for model, model_admin in admin.site._registry.items():
        for pattern in _custom_patterns(model_admin):
            for url in _custom_urls(pattern, object_ids[model], linked):
                crawl.get(url)
    for pattern in report_urls.urlpatterns:
        crawl.get(reverse(f"disclosure:{pattern.name}"))


@pytest.mark.long
@pytest.mark.django_db
def test_no_admin_or_report_page_is_a_server_error_for_any_demo_account(caplog, seeded_demo):
    """Every demo account crawls every admin screen it can reach and the report pages: no 5xx anywhere.
    The demo (``load_catalog``, ``seed_demo``, attachments in a temporary media folder) is ``seeded_demo``."""
    caplog.set_level(logging.ERROR, logger="django.request")  # the many 403/404 are expected answers
    failures: list[str] = []
    crawls = [Crawl(username, failures) for username in ACCOUNTS]
    object_ids = {crawl.username: _crawl_standard_pages(crawl) for crawl in crawls}
    # A move one account's pages link to is tried by every account, on the objects it can see.
    linked = _linked_arguments(set().union(*(crawl.links for crawl in crawls)))
    for crawl in crawls:
        _crawl_custom_pages(crawl, object_ids[crawl.username], linked)
    visited = {crawl.username: len(crawl.seen) for crawl in crawls}
    assert set(ACCOUNTS) >= {"admin", "editor", "reviewer", "orgadmin", "auditor", "editor2", "reviewer2"}
    assert all(count > 50 for count in visited.values()), visited
    assert not failures, f"{len(failures)} server error(s):\n" + "\n".join(failures)
