"""Every admin page a demo role can open, in Chromium at 1366×768: Chinese only, no "None", and the lists
readable (README "Language and translations"; disclosure/core/admin_lists.py).

One seeded demo (``seed_demo``). For each demo account: the admin home, every registered model's list and
add page, and the change page of the newest object of each model the account can see; pages the account may
not open (403, 404, a redirect to sign-in) are skipped. Accounts of the same role (the county's three
reviewers, who hold different steps of its review chain; the township's editor and reviewer, whose
organisation lies within the county's) are given the same pages by the same code: the first of them opens
them all, the others their own home page (their queues) and every page the first was not offered, such as
the change page of an object only they see (tests/disclosure/test_admin_crawl.py still opens all of them
for each account). On each page the text a sighted reader sees
(``innerText``, which includes the screen-reader-only headers Django hides off-screen) and the text read to
screen readers (aria-label, title, alt, placeholder, button values, option labels) must contain no English
word and no literal "None". What is allowed: the allow-list below (acronyms, product names), and data that is
necessarily Latin: account names, e-mail addresses, file names, the browser names in the sign-in log, codes containing digits (tracking codes,
index numbers, secrets' masked prefixes).

The layout check: the records list at 1366×768, for a reviewer of one organisation and for the system
administrator, has a title column at least 200 px wide, and no column of the table extends beyond the
window or the list's own box (nothing off-screen, no horizontal scrolling).
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from disclosure.applications.models import Application
from disclosure.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_STAFF
from tests.browser.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNTS = [row[0] for row in DEMO_ACCOUNTS] + [row[0] for row in DEMO_STAFF]
VIEWPORT = {"width": 1366, "height": 768}
# Acronyms and product names a Chinese government site writes in Latin letters.
ALLOWED_WORDS = {
    "CSV", "XLSX", "PDF", "LDAP", "SQLite", "PostgreSQL", "Word", "Excel", "OFD", "QR", "TOTP", "ID",
    "JPG", "PNG", "docx",  # file types, as the upload hints name them
    "GK",  # the code of the 政府信息公开 column's catalog node: data, like the numeric codes
}
EMAIL = re.compile(r"[\w.+*-]+@[\w.-]+")
URL = re.compile(r"(?:https?://|/)[\w./?=&%#:-]+")
FILE_NAME = re.compile(r"[\w./-]+\.(?:pdf|docx?|xlsx?|csv|ofd|jpe?g|png|zip|txt)\b", re.IGNORECASE)
WITH_DIGIT = re.compile(r"[\w*/-]*\d[\w*/-]*")
# The browser a sign-in came from, as the activity log records it: data, in the browser's own words.
USER_AGENT = re.compile(r"Mozilla/\d[^\n]*")
WORD = re.compile(r"[A-Za-z]{2,}")
NONE = re.compile(r"\bNone\b")

# The visible text, then what assistive technology reads from attributes, of the whole page.
READ_PAGE = """() => {
  // Icon-font buttons (the body editor's toolbar) draw a glyph from a ligature such as "format_bold";
  // what a screen reader reads is their Chinese aria-label, collected below.
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.material-icons, .material-symbols-outlined').forEach((icon) => icon.remove());
  document.body.append(body); body.style.position = 'absolute'; body.style.left = '-99999px';
  const text = body.innerText; body.remove();
  const parts = [document.title, text];
  for (const el of document.querySelectorAll('[aria-label],[title],[alt],[placeholder],[aria-description]')) {
    for (const name of ['aria-label', 'title', 'alt', 'placeholder', 'aria-description']) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  for (const el of document.querySelectorAll('input[type=submit],input[type=button],input[type=reset]')) {
    parts.push(el.value);
  }
  for (const el of document.querySelectorAll('option')) parts.push(el.textContent);
  return parts.join('\\n');
}"""


def english_words(text: str, data_words: set[str]) -> set[str]:
    """Latin words a reader would take for untranslated English. ``data_words`` are values of the data
    shown, not interface text: account names, and applications' random tracking codes (a code may be all
    letters, so the digit rule alone does not catch it)."""
    for pattern in (USER_AGENT, EMAIL, URL, FILE_NAME, WITH_DIGIT):
        text = pattern.sub(" ", text)
    return {word for word in WORD.findall(text) if word not in ALLOWED_WORDS and word not in data_words}


def admin_urls(username: str) -> list[str]:
    """The home page, and every model's list, add page and newest visible object, as this account's admin
    would offer them (each ModelAdmin's own queryset)."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username=username)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        if model_admin.has_view_or_change_permission(request):
            urls.append(reverse("admin:{}_{}_changelist".format(*info)))
            newest = model_admin.get_queryset(request).order_by("-pk").first()
            if newest is not None:
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[quote(newest.pk)]))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
    return urls


def log_in(context, live_server, username):
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def check_record_list_layout(page, live_server, username) -> list[str]:
    page.goto(f"{live_server.url}/admin/disclosure/record/")
    save_screenshot(page, f"admin-records-1366-{username}")
    columns = page.eval_on_selector_all(
        "#result_list thead th",
        """els => els.map(e => { const r = e.getBoundingClientRect();
            return {name: e.className, text: e.innerText.trim(), left: r.left, right: r.right, width: r.width}; })""",
    )
    box = page.eval_on_selector("#changelist-form", "e => e.getBoundingClientRect().right")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    problems = []
    names = {column["text"]: column for column in columns}
    for wanted in ("标题", "目录栏目", "状态", "发布日期"):
        if wanted not in names:
            problems.append(f"[{username}] the records list has no column {wanted}: {list(names)}")
    title = names.get("标题")
    if title and title["width"] < 200:
        problems.append(f"[{username}] the title column is {title['width']:.0f} px wide (< 200 px)")
    for column in columns:
        if column["right"] > min(VIEWPORT["width"], box) + 1:
            problems.append(f"[{username}] column {column['text'] or column['name']} ends at {column['right']:.0f} px, "
                            f"beyond the list ({box:.0f} px) or the window")
    if scroll_width > VIEWPORT["width"]:
        problems.append(f"[{username}] the records list scrolls sideways ({scroll_width} px wide)")
    return problems


# Three tests of three accounts each: the two test workers still share them, and the demo is restored, the
# jobs run and the database flushed three times instead of nine. Each account signs in through the login
# form in a browser context of its own, as before.
ACCOUNT_GROUPS = [ACCOUNTS[i::3] for i in range(3)]
assert sorted(sum(ACCOUNT_GROUPS, [])) == sorted(ACCOUNTS)
# The role of each staff account; the first account of each role opens every page it is offered.
ROLE = {username: role for username, _name, role, _organisation in DEMO_STAFF}


def urls_to_open(username: str) -> list[str]:
    """``admin_urls`` of the account, less the pages the first earlier account of the same role (in ACCOUNTS
    order) is also offered; the home page always."""
    urls = admin_urls(username)
    earlier = [other for other in ACCOUNTS[: ACCOUNTS.index(username)]
               if username in ROLE and ROLE.get(other) == ROLE[username]]
    if not earlier:
        return urls
    opened_before = set(admin_urls(earlier[0]))
    return [url for url in urls if url == reverse("admin:index") or url not in opened_before]


def check_account(chromium, live_server, username, data_words) -> list[str]:
    findings: list[str] = []
    opened = 0
    context = chromium.new_context(locale="zh-CN", viewport=VIEWPORT)
    try:
        page = log_in(context, live_server, username)
        urls = urls_to_open(username)
        for url in urls:
            response = page.goto(live_server.url + url)
            if response is None or response.status != 200 or "/admin/login/" in page.url:
                continue
            opened += 1
            text = page.evaluate(READ_PAGE)
            words = english_words(text, data_words)
            if words:
                findings.append(f"[{username}] {url}: English {sorted(words)[:12]}")
            if NONE.search(text):
                line = next(line for line in text.splitlines() if NONE.search(line))
                findings.append(f"[{username}] {url}: literal None in {line[:120]!r}")
        if username in ("admin", "reviewer"):
            findings += check_record_list_layout(page, live_server, username)
    finally:
        context.close()
    assert opened >= min(5, len(urls)), (username, opened)
    return findings


@pytest.mark.parametrize("usernames", ACCOUNT_GROUPS, ids=["-".join(group) for group in ACCOUNT_GROUPS])
def test_every_admin_page_of_every_demo_role_is_chinese_and_the_record_list_fits_1366(
    live_server, chromium, seeded_demo, usernames
):
    """Every account of the group, one after the other on the same seeded demo."""
    call_command("run_jobs", "--once", stdout=StringIO())  # the dashboard's job panel has its rows
    data_words = set(get_user_model().objects.values_list("username", flat=True))
    data_words |= set(Application.objects.values_list("tracking_code", flat=True))
    findings: list[str] = []
    for username in usernames:
        findings += check_account(chromium, live_server, username, data_words)
    assert not findings, f"{len(findings)} finding(s):\n" + "\n".join(findings)
