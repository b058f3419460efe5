"""Every write to an e-mail subscription: ask for one, confirm it, unsubscribe, and the daily digest.

The subscriber acts through the secret token of the links mailed to them; each state change is a move of
workflow.py, made with the kernel's compare-and-set (``transitions.claim``: a lost race hears STALE) and
logged with the address masked. Nothing is written when a step refuses. Mails are plain text, sent once
the change has committed; a digest run advances ``digest_through`` with a compare-and-set before it
sends, so two runs at once never send the same records twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from disclosure.core import masking, transitions
from disclosure.core.log import ActivityEntry
from disclosure.records.selectors import public_records
from disclosure.subscriptions.models import Subscription, SubscriptionStatus
from disclosure.subscriptions.workflow import TRANSITIONS

SUBJECT_TYPE = "subscription"
DIGEST_LIMIT = 50  # records listed in one mail; the rest are behind the column's link


def absolute(path: str) -> str:
    base = settings.PORTAL_PUBLIC_URL
    if not base:
        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost")
        base = f"{'https' if settings.PRODUCTION else 'http'}://{host}"
    return base + path


def _entry(subscription: Subscription, action: str, from_status: str, to_status: str) -> None:
    ActivityEntry.write_for(
        subscription,
        subject_type=SUBJECT_TYPE,
        title=f"{masking.mask_email(subscription.email)} → {subscription}",
        organisation_id=subscription.organisation_id,
        user=None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        nobody=_("订阅人"),
    )


def _move(subscription: Subscription, name: str, changes: dict) -> Subscription:
    """Carry out a move of workflow.py through the kernel (lock, state, claim, log; its name is the logged
    action). The subscriber has no account: holding the secret token of the link is the right, checked by
    the caller (``by_token``), so the move's denial is always None."""
    locked, _previous = transitions.move(
        subscription,
        table=TRANSITIONS,
        name=name,
        user=None,
        denial=lambda user, transition, obj: None,
        log=lambda locked, previous, target, comment: _entry(locked, name, previous, target),
        changes=changes,
    )
    return locked


def _links(subscription: Subscription) -> dict:
    return {
        "confirm": absolute(reverse("disclosure:subscription_confirm", args=[subscription.token])),
        "unsubscribe": absolute(reverse("disclosure:subscription_unsubscribe", args=[subscription.token])),
        "page": absolute(
            reverse("disclosure:column", args=[subscription.organisation.code, subscription.node.code])
            if subscription.node_id
            else reverse("disclosure:organisation", args=[subscription.organisation.code])
        ),
    }


def _send(subscription: Subscription, subject: str, body: str, *, list_headers: bool) -> None:
    links = _links(subscription)
    headers = {}
    if list_headers:  # RFC 2369 / RFC 8058: the mail client's own one-click unsubscribe
        headers = {"List-Unsubscribe": f"<{links['unsubscribe']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [subscription.email], headers=headers).send(
        fail_silently=True
    )


def _confirmation_mail(subscription: Subscription) -> None:
    links = _links(subscription)
    _send(
        subscription,
        _("请确认订阅：%(target)s") % {"target": subscription},
        _(
            "您好！\n\n有人（希望是您本人）用此邮箱订阅了“%(target)s”的新公开信息，每天最多一封摘要邮件。\n"
            "请点击以下链接确认订阅：\n%(confirm)s\n\n如果不是您本人操作，请忽略本邮件，我们不会再给您发送邮件。\n"
        ) % {"target": subscription, "confirm": links["confirm"]},
        list_headers=False,
    )


def subscribe(*, email: str, organisation, node=None) -> Subscription:
    """Ask for a subscription: a new or unsubscribed one becomes 待确认 and gets a confirmation mail;
    a pending one gets the mail again; a confirmed one is left as it is. The caller shows the same answer
    in every case (nobody learns who is subscribed)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("请填写有效的电子邮箱。")}) from None
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(
            email=email, organisation=organisation, node=node
        ).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=email, organisation=organisation, node=node, token=secrets.token_urlsafe(32)
                    )
            except IntegrityError:  # created meanwhile by a second click
                return Subscription.objects.get(email=email, organisation=organisation, node=node)
            _entry(subscription, "subscribe", "", SubscriptionStatus.PENDING)
        elif subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            subscription = _move(
                subscription, "resubscribe",
                {"token": secrets.token_urlsafe(32), "unsubscribed_at": None, "confirmed_at": None},
            )
        elif subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        transaction.on_commit(lambda: _confirmation_mail(subscription))
    return subscription


def by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return Subscription.objects.select_related("organisation", "node").filter(token=token).first()


def confirm(subscription: Subscription, *, now: datetime | None = None) -> Subscription:
    now = now or timezone.now()
    with transaction.atomic():
        return _move(subscription, "confirm", {"confirmed_at": now, "digest_through": now})


def unsubscribe(subscription: Subscription, *, now: datetime | None = None) -> Subscription:
    with transaction.atomic():
        return _move(subscription, "unsubscribe", {"unsubscribed_at": now or timezone.now()})


def new_records_for(subscription: Subscription, *, since: datetime, until: datetime):
    records = public_records(now=until).filter(
        organisation_id=subscription.organisation_id, published_at__gt=since, published_at__lte=until
    )
    if subscription.node_id:
        node = catalog_selectors.find_in_tree(catalog_selectors.catalog_tree(), subscription.node.code)
        if node is None or not catalog_selectors.applies_to(node, subscription.organisation):
            return records.none()  # the column is switched off or no longer applies: nothing to send
        records = records.filter(node__code__in=catalog_selectors.descendant_codes(node))
    return records.order_by("-published_at", "-id")


def send_digests(*, now: datetime | None = None) -> int:
    """One mail per confirmed subscription listing the public records published since its last digest
    (at most DIGEST_LIMIT); none when nothing is new. Returns the number of mails sent."""
    now = now or timezone.now()
    sent = 0
    subscriptions = Subscription.objects.filter(status=SubscriptionStatus.CONFIRMED).select_related(
        "organisation", "node"
    )
    for subscription in subscriptions:
        since = subscription.digest_through or subscription.confirmed_at or now
        records = list(new_records_for(subscription, since=since, until=now)[: DIGEST_LIMIT + 1])
        if not records:
            continue
        with transaction.atomic():
            won = Subscription.objects.filter(
                pk=subscription.pk, status=SubscriptionStatus.CONFIRMED, digest_through=subscription.digest_through
            ).update(digest_through=now)
            if not won:
                continue  # another run sent it, or it was unsubscribed meanwhile
            transaction.on_commit(lambda s=subscription, r=records: _digest_mail(s, r))
        sent += 1
    return sent


def _digest_mail(subscription: Subscription, records) -> None:
    links = _links(subscription)
    lines = [
        f"{timezone.localtime(record.published_at):%Y年%m月%d日}　{record.title}\n{absolute(record.get_absolute_url())}"
        for record in records[:DIGEST_LIMIT]
    ]
    more = _("\n还有更多信息，请访问：%(page)s\n") % links if len(records) > DIGEST_LIMIT else ""
    _send(
        subscription,
        _("【%(target)s】新公开信息%(count)d条") % {"target": subscription, "count": min(len(records), DIGEST_LIMIT)},
        _("您订阅的“%(target)s”有以下新公开信息：\n\n") % {"target": subscription}
        + "\n\n".join(lines)
        + "\n"
        + more
        + _("\n栏目地址：%(page)s\n退订（点击即可，无需登录）：%(unsubscribe)s\n") % links,
        list_headers=True,
    )
