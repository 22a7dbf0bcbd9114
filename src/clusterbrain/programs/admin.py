"""Admin of support programs for platform admins; the office works in the pages."""

from __future__ import annotations

from django.contrib import admin

from clusterbrain.programs.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ProgramCriterion,
    ProgramDocument,
    SupportProgram,
)


class CriterionInline(admin.TabularInline):
    model = ProgramCriterion
    extra = 0


class DocumentInline(admin.TabularInline):
    model = ProgramDocument
    extra = 0


@admin.register(SupportProgram)
class SupportProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "cluster", "status", "budget", "applications_close")
    list_filter = ("status", "cluster")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [CriterionInline, DocumentInline]
    readonly_fields = ("eligibility_canonical", "created_by", "created_at", "updated_at")


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    readonly_fields = ("file_type", "content_type", "size", "sha256", "uploaded_by")


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    readonly_fields = ("user", "at", "from_status", "to_status", "note")
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: statuses move through the services, which log each move."""

    list_display = ("program", "enterprise", "status", "requested_amount", "submitted_at")
    list_filter = ("status", "program__cluster")
    raw_id_fields = ("enterprise", "program")
    readonly_fields = ("status", "submitted_at", "profile_snapshot", "verdict_snapshot")
    inlines = [ApplicationDocumentInline, ApplicationEventInline]
