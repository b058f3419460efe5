"""Public pages of e-mail subscriptions: ask (with the organisation or column chosen by the link that led
here), confirm (a button: a mail scanner that opens links confirms nothing), unsubscribe (the link itself,
one click, with a button to undo; also RFC 8058's one-click POST from mail clients).

The answer to a request is the same whether the address was new, pending or already subscribed.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.core.antispam import PublicForm, rate_limited
from disclosure.core.transitions import InvalidTransition
from disclosure.subscriptions import services
from disclosure.subscriptions.models import SubscriptionStatus

SUBMIT_LIMIT = 10  # requests per address per hour


class SubscribeForm(PublicForm):
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱"),
        max_length=254,
        help_text=gettext_lazy("我们会先发一封确认邮件；确认后，有新信息的日子每天最多一封摘要邮件。"),
        error_messages={"required": gettext_lazy("请填写电子邮箱。"), "invalid": gettext_lazy("请填写有效的电子邮箱。")},
    )


def _target(request):
    """(organisation, node or None) named by ``?org=`` and ``?node=`` (or the POSTed copies); 404 otherwise."""
    source = request.POST if request.method == "POST" else request.GET
    org, code = source.get("org", "")[:40], source.get("node", "")[:40]
    organisation = None
    if code_validator.regex.match(org):
        organisation = catalog_selectors.disclosing_organisations().filter(code=org).first()
    if organisation is None:
        raise Http404(_("没有找到该机构。"))
    if not code:
        return organisation, None
    node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(), code) if code_validator.regex.match(code) else None
    if node is None or not catalog_selectors.applies_to(node, organisation):
        raise Http404(_("没有找到该栏目。"))
    return organisation, node


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    organisation, node = _target(request)
    status, asked = 200, False
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(request, "subscribe", limit=SUBMIT_LIMIT, window_seconds=3600):
            form.is_valid()
            form.add_error(None, _("提交过于频繁，请一小时后再试。"))
            status = 429
        elif form.is_valid():
            try:
                services.subscribe(email=form.cleaned_data["email"], organisation=organisation, node=node)
                asked = True
            except ValidationError as error:
                form.add_error("email", error.message_dict.get("email", error.messages))
                status = 400
        else:
            status = 400
    return render(
        request, "disclosure/subscriptions/subscribe.html",
        {"form": form, "organisation": organisation, "node": node, "asked": asked}, status=status,
    )


def _subscription_or_404(token: str):
    subscription = services.by_token(token)
    if subscription is None:
        raise Http404(_("订阅链接无效或已过期。"))
    return subscription


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    subscription = _subscription_or_404(token)
    if request.method == "POST" and subscription.status == SubscriptionStatus.PENDING:
        try:
            subscription = services.confirm(subscription)
        except InvalidTransition:
            subscription.refresh_from_db()
    return render(request, "disclosure/subscriptions/confirm.html", {"subscription": subscription,
                                                                       "organisation": subscription.organisation})


@csrf_exempt  # the secret token is the authority; RFC 8058 clients POST without a form
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    subscription = _subscription_or_404(token)
    if request.method != "HEAD" and subscription.status != SubscriptionStatus.UNSUBSCRIBED:
        try:
            subscription = services.unsubscribe(subscription)
        except InvalidTransition:
            subscription.refresh_from_db()
    return render(request, "disclosure/subscriptions/unsubscribed.html", {"subscription": subscription,
                                                                            "organisation": subscription.organisation})
