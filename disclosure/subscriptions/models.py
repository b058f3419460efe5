"""E-mail subscriptions (邮件订阅) of citizens to an organisation's or a column's new public records.

Double opt-in: a subscription starts 待确认 and sends nothing but its confirmation until its owner
follows the link; every digest carries a one-click unsubscribe link (and RFC 8058 headers). No tracking:
plain-text mails, no pixels, no per-link redirects. The address is personal data: it is shown masked in
the admin and never on a public page.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode, Organisation


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已订阅")
    UNSUBSCRIBED = "unsubscribed", _("已退订")


class Subscription(models.Model):
    """One address subscribed to one organisation (``node`` empty) or one of its columns.

    Invariants: ``status`` changes only through services.py (compare-and-set); ``token`` is secret, random
    and unique, the only way to confirm or unsubscribe; ``digest_through`` is the publication time up to
    which records have been sent (or the confirmation time), advanced by each digest run that sends.
    """

    email = models.EmailField(_("电子邮箱"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("订阅单位"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    node = models.ForeignKey(
        CatalogNode, verbose_name=_("订阅栏目"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING,
        editable=False,
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True, editable=False)
    digest_through = models.DateTimeField(_("已推送至"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("邮件订阅")
        verbose_name_plural = _("邮件订阅")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "organisation", "node"], name="subscription_once_per_column"),
            models.UniqueConstraint(
                fields=["email", "organisation"], condition=models.Q(node__isnull=True),
                name="subscription_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}{' · ' + self.node.name if self.node_id else ''}"
