"""Admin for users (with their role, firm and cluster) and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clusterbrain.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "role",
        "enterprise",
        "cluster",
        "organisation",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "cluster", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "first_name", "last_name", "organisation")
    list_select_related = ("enterprise", "cluster")
    raw_id_fields = ("enterprise",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role on the platform"), {"fields": ("role", "enterprise", "cluster", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role on the platform"), {"fields": ("role", "enterprise", "cluster", "organisation")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are created with `clusterbrain create-api-token USER` (shown once); here they are
    listed and revoked."""

    list_display = ("prefix", "user", "name", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "prefix", "key_hash", "created", "last_used")
    list_select_related = ("user",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.update(revoked=True)
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": count}, messages.SUCCESS)
