"""Admins keep the partner banks and link bank-role users to them (decision 0020). Consents,
looks and loan steps are facts the firm and the bank make through the services: read-only
here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clusterbrain.finance.models import (
    BankOfficer,
    Consent,
    LoanApplication,
    PartnerBank,
    ProfileView,
)


@admin.register(PartnerBank)
class PartnerBankAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "is_demo")
    search_fields = ("name_zh", "name_en")
    filter_horizontal = ("clusters",)


@admin.register(BankOfficer)
class BankOfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "bank", "created_at")
    list_select_related = ("user", "bank")
    autocomplete_fields = ("bank",)
    raw_id_fields = ("user",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ("enterprise", "bank", "starts_on", "ends_on", "withdrawn_at")
    list_select_related = ("enterprise", "bank")


@admin.register(ProfileView)
class ProfileViewAdmin(ReadOnly):
    list_display = ("viewed_at", "viewer_name", "bank", "enterprise", "channel")
    list_select_related = ("enterprise", "bank")


@admin.register(LoanApplication)
class LoanApplicationAdmin(ReadOnly):
    list_display = ("created_at", "enterprise", "bank", "amount", "term_months", "status")
    list_select_related = ("enterprise", "bank")
