"""Admin of green data kept by the office: environmental violations (platform admins; the
cluster office records and closes them through `green.services` and the programs pages)."""

from __future__ import annotations

from django.contrib import admin

from clusterbrain.green.models import EnvironmentalViolation


@admin.register(EnvironmentalViolation)
class EnvironmentalViolationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "authority", "found_on", "status", "closed_on")
    list_filter = ("status", "enterprise__cluster")
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "authority")
    raw_id_fields = ("enterprise",)
    date_hierarchy = "found_on"
    readonly_fields = ("created_by", "created_at")
