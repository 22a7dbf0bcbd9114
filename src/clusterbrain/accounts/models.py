"""Users and their roles (DOMAIN.md): what a role may see is decided in `accounts.permissions`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise user")
    ASSOCIATION = "association", _("association staff")
    OFFICE = "office", _("cluster office")
    BANK = "bank", _("bank officer")
    ADMIN = "admin", _("platform admin")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("enterprise"),
        help_text=_("For enterprise users: the firm they work for."),
    )
    cluster = models.ForeignKey(
        "registry.Cluster",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("cluster"),
        help_text=_("For association staff and cluster office: the cluster they serve."),
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("Bank or association name.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.ENTERPRISE and self.enterprise_id is None and not self.is_superuser:
            raise ValidationError(
                {"enterprise": _("An enterprise user must belong to an enterprise.")}
            )
        if self.role in (Role.ASSOCIATION, Role.OFFICE) and self.cluster_id is None:
            raise ValidationError(
                {"cluster": _("Association staff and cluster office serve a cluster.")}
            )

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ApiToken(models.Model):
    """A bearer key for the JSON API, acting as its user (same permissions as the pages).

    Only a SHA-256 digest of the key is kept: the key is random (256 bits), so a slow password
    hash would add latency to every request without adding safety. The key itself is shown once,
    when it is created (`clusterbrain create-api-token USER`).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(
        _("key prefix"), max_length=12, help_text=_("The first characters, to tell keys apart.")
    )
    key_hash = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
