"""The ledger and the audit trail in the admin: read only. Entries are undone by a reversal
(the ledger page or the API), never edited or deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clusterbrain.awards.models import AuditEvent, LedgerEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("pk", "program", "kind", "credit", "debit", "amount", "reverses", "created_at")
    list_filter = ("kind",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("at", "program", "action", "actor_name", "application")
    list_filter = ("action",)
