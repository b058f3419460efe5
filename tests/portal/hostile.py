"""Hostile input for every address of the site: the URL patterns walked from the resolver, values that
have broken sites before, and the public forms. Shared by tests/portal/test_hostile_input.py (a small
sample per pattern) and bench/hostile.py (the full count)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import given
from hypothesis import strategies as st

# Values that have broken web applications: NUL and other control characters (PostgreSQL refuses
# NUL), numbers past bigint and negative ones, dates out of range, very long strings, SQL, markup.
HOSTILE = [
    "\x00",
    "419901\x00",
    "a\x00b",
    "\x01\x08\x1b\x7f",
    "\t\n\r",
    " ",
    "",
    "0",
    "-1",
    "-9223372036854775809",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999",
    "9" * 5000,
    "1e309",
    "NaN",
    "0x10",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "1899-12-31",
    "3000-01-01",
    "2026-02-30",
    "10000-01-01",
    "2026-13-01",
    "9999",
    "' OR 1=1 --",
    "'; DROP TABLE disclosure_record; --",
    '"\\',
    "%",
    "%00",
    "..",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "\u202e\u200b\ufeff",
    "𝕏😀",
    "中文编码",
    "x" * 3000,
    "true",
    "[]",
    # Values the site does know, so that one hostile value meets otherwise valid ones.
    "419901",
    "419901001",
    "020502",
    "2026-00001",
    "1",
    "2026",
]

QUERY_NAMES = [
    "page", "page_size", "p", "q", "org", "node", "year", "type", "validity", "from", "to", "cells",
    "size", "next", "own", "item", "domain", "month", "state", "date_from", "date_to", "subtree", "fees",
    "code",
]  # fmt: skip


def hostile_text():
    """One hostile value: a known bad one, any text, a big or negative number, or an odd date."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.tuples(st.integers(0, 99999), st.integers(0, 99), st.integers(0, 99)).map(
            lambda ymd: "%04d-%02d-%02d" % ymd
        ),
    )


def hostile_query():
    return st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text(), max_size=3)


@dataclass(frozen=True)
class Route:
    """A URL pattern as a template, e.g. ``org/{org}/doc/{number}/``, with its parameter names."""

    template: str
    parameters: tuple[str, ...]

    def url(self, values: dict[str, str], query: dict[str, str] | None = None) -> str:
        path = "/" + self.template.format(**{name: quote(values[name], safe="") for name in self.parameters})
        return f"{path}?{urlencode(query)}" if query else path


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def _template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAMETER.sub(r"{\1}", str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    text = REGEX_GROUP.sub(r"{\1}", str(pattern)).lstrip("^").rstrip("$")
    return text.replace("/?", "/").replace(r"\.", ".")


def site_routes(urlconf=None) -> list[Route]:
    """Every URL pattern of the site outside the admin (which only answers staff), walked from the resolver."""
    routes = []

    def walk(patterns, prefix: str):
        for entry in patterns:
            template = prefix + _template(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, template)
            elif isinstance(entry, URLPattern) and not template.startswith("admin/"):
                routes.append(Route(template, tuple(re.findall(r"\{(\w+)\}", template))))

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


class Visitor:
    """A client that comes from a new address for each request (the public forms' rate limits count
    per address and would otherwise answer 429 before the form runs) and checks that no answer is a
    5xx: asserting it (tests), or only listing the failures (the benchmark, ``strict=False``)."""

    def __init__(self, client, *, strict: bool = True):
        self.client = client
        self.strict = strict
        self.requests = 0
        self.server_errors: list[tuple[str, str, object, int]] = []

    def send(self, method: str, url: str, data=None):
        self.requests += 1
        n = self.requests
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        if method == "POST":
            response = self.client.post(url, data, REMOTE_ADDR=address)
        else:
            response = self.client.get(url, REMOTE_ADDR=address)
        if response.status_code >= 500:
            self.server_errors.append((method, url, data, response.status_code))
        assert not self.strict or response.status_code < 500, (method, url, data, response.status_code)
        return response


def route_property(visitor: Visitor, route: Route, parameters: dict):
    """The property "this route never answers 5xx", over hostile path and query values."""

    @given(values=st.fixed_dictionaries(parameters), query=hostile_query())
    def check(values, query):
        visitor.send("GET", route.url(values, query))

    return check


def form_property(visitor: Visitor, url: str, valid: dict[str, str]):
    """The property "this form never answers 5xx", over hostile submissions."""

    @given(data=hostile_fields(valid))
    def check(data):
        visitor.send("POST", url, data)

    return check


def hostile_fields(valid: dict[str, str]):
    """A valid form submission with some of its fields (and maybe an unknown one) replaced by hostile values."""
    names = sorted(valid)
    return st.tuples(
        st.dictionaries(st.sampled_from(names), hostile_text(), min_size=1, max_size=len(names)),
        st.dictionaries(st.sampled_from(["homepage", "csrfmiddlewaretoken", "\x00"]), hostile_text(), max_size=1),
    ).map(lambda parts: {**valid, **parts[0], **parts[1]})


def hostile_world(demo_orgs) -> dict:
    """A published record, an open consultation and an auditor of the demo county (the standard
    catalog loaded), so that valid values lead somewhere and hostile ones meet real rows."""
    from disclosure.core.access import Role
    from tests.disclosure.consultations.desk import Desk as ConsultationDesk
    from tests.disclosure.publishing import COUNTY, Desk
    from tests.factories import make_staff

    county = demo_orgs[COUNTY]
    return {
        "record": Desk(county).publish("020502"),
        "consultation": ConsultationDesk(county).bring_to("open"),
        "auditor": make_staff(county, Role.AUDITOR, username="hostile-auditor"),
    }


def public_forms(consultation) -> list[tuple[str, dict[str, str]]]:
    """The citizens' forms, each as (URL, a valid submission)."""
    from tests.disclosure.applications.world import PERSON
    from tests.disclosure.publishing import COUNTY

    application = {"organisation": COUNTY, **{key: str(value) for key, value in PERSON.items()}, "homepage": ""}
    comment = {"name": "王先生", "contact": "13900000000", "text": "建议延长公示期。", "homepage": ""}
    return [
        ("/apply/", application),
        ("/apply/status/", {"code": "ABCD-EFGH-JKLM", "homepage": ""}),
        (consultation.get_absolute_url(), comment),
    ]
