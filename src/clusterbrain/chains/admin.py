"""Admin for chain templates: links and edges inline. A change touches every cluster using the
template (their chain analysis depends on it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from clusterbrain.chains.models import ChainEdge, ChainLink, ChainTemplate


def _touch_template(template_id: int | None) -> None:
    if template_id is None:
        return
    from clusterbrain.registry.models import Cluster, touch_clusters

    touch_clusters(Cluster.objects.filter(chain_template_id=template_id))


class TemplateChangeAdmin(admin.ModelAdmin):
    def _template_id(self, obj: Model) -> int | None:
        return obj.pk if isinstance(obj, ChainTemplate) else getattr(obj, "template_id", None)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _touch_template(self._template_id(form.instance))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        template_id = self._template_id(obj)
        super().delete_model(request, obj)
        _touch_template(template_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        template_ids = {self._template_id(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for template_id in template_ids:
            _touch_template(template_id)


class ChainLinkInline(admin.TabularInline):
    model = ChainLink
    extra = 0
    fields = ("code", "name_zh", "name_en", "kind", "stage", "unit")


class ChainEdgeInline(admin.TabularInline):
    model = ChainEdge
    extra = 0
    fk_name = "template"
    autocomplete_fields = ("upstream", "downstream")


@admin.register(ChainTemplate)
class ChainTemplateAdmin(TemplateChangeAdmin):
    list_display = ("slug", "name_zh", "name_en", "industry")
    search_fields = ("slug", "name_zh", "name_en", "industry")
    inlines = (ChainLinkInline, ChainEdgeInline)


@admin.register(ChainLink)
class ChainLinkAdmin(TemplateChangeAdmin):
    list_display = ("code", "name_zh", "name_en", "template", "kind", "stage", "unit")
    list_filter = ("template", "kind")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("template",)
    ordering = ("template", "stage", "code")


@admin.register(ChainEdge)
class ChainEdgeAdmin(TemplateChangeAdmin):
    list_display = ("upstream", "downstream", "template", "input_coefficient")
    list_filter = ("template",)
    search_fields = ("upstream__code", "downstream__code")
    autocomplete_fields = ("upstream", "downstream")
    list_select_related = ("template", "upstream", "downstream")
