"""Admin for data stewards: the registry of each cluster, with a firm's roles, sites,
certificates, brands and yearly figures inline.

Association staff with admin access see their own cluster only; platform admins see all.
Every change marks the cluster's cached aggregates stale (`selectors.invalidate_cluster`);
deletes too, which no model signal covers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clusterbrain.accounts import permissions
from clusterbrain.registry import selectors
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    ClusterFigure,
    ClusterTarget,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
    SupplyRelation,
)


def _cluster_ids(obj: Model) -> set[int]:
    if isinstance(obj, Cluster):
        return {obj.pk}
    if isinstance(obj, SupplyRelation):
        return {obj.buyer.cluster_id, obj.supplier.cluster_id}
    cluster_id = getattr(obj, "cluster_id", None)
    if cluster_id is None and getattr(obj, "enterprise_id", None):
        cluster_id = obj.enterprise.cluster_id  # type: ignore[attr-defined]
    return {cluster_id} if cluster_id else set()


class StewardAdmin(admin.ModelAdmin):
    """Scopes the list to the steward's cluster and keeps cached aggregates honest."""

    # Path from the model to its cluster, for scoping association staff.
    cluster_path = "enterprise__cluster"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if permissions.is_admin(user):
            return qs
        cluster_id = getattr(user, "cluster_id", None)
        if not cluster_id:
            return qs.none()  # staff access without a cluster: nothing to steward
        return qs.filter(**{self.cluster_path: cluster_id})

    def _invalidate(self, objects: list[Model]) -> None:
        for cluster_id in set().union(*(_cluster_ids(obj) for obj in objects)):
            selectors.invalidate_cluster(cluster_id)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._invalidate([obj])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._invalidate([form.instance])  # inline deletions included

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        clusters = _cluster_ids(obj)
        super().delete_model(request, obj)
        for cluster_id in clusters:
            selectors.invalidate_cluster(cluster_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        clusters = set().union(*(_cluster_ids(obj) for obj in queryset))
        super().delete_queryset(request, queryset)
        for cluster_id in clusters:
            selectors.invalidate_cluster(cluster_id)


class ClusterTargetInline(admin.TabularInline):
    model = ClusterTarget
    extra = 0


class ClusterFigureInline(admin.TabularInline):
    model = ClusterFigure
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(StewardAdmin):
    cluster_path = "pk"
    list_display = ("slug", "name_zh", "name_en", "chain_template", "is_demo")
    list_filter = ("is_demo", "chain_template")
    search_fields = ("slug", "name_zh", "name_en", "place_zh", "place_en")
    readonly_fields = ("data_version",)
    inlines = (ClusterTargetInline, ClusterFigureInline)


class EnterpriseRoleInline(admin.TabularInline):
    model = EnterpriseRole
    extra = 0
    autocomplete_fields = ("link",)


class FacilityInline(admin.StackedInline):
    model = Facility
    extra = 0


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


class BrandInline(admin.TabularInline):
    model = Brand
    fk_name = "enterprise"
    extra = 0
    fields = ("name_zh", "name_en", "cluster", "status", "trademark_number", "is_regional")


class EnterpriseYearInline(admin.TabularInline):
    model = EnterpriseYear
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(StewardAdmin):
    cluster_path = "cluster"
    list_display = (
        "name_zh",
        "name_en",
        "uscc",
        "cluster",
        "size_class",
        "above_designated_size",
        "is_member",
        "is_leading",
        "in_cluster",
    )
    list_filter = (
        "cluster",
        "size_class",
        "above_designated_size",
        "is_member",
        "shares_with_association",
        "is_leading",
        "in_cluster",
        "legal_form",
        "is_demo",
    )
    search_fields = ("name_zh", "name_en", "uscc", "main_products_zh", "main_products_en")
    list_select_related = ("cluster",)
    # Registries run to 100,000 firms: skip the unfiltered COUNT(*) on every list page.
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at")
    inlines = (
        EnterpriseRoleInline,
        FacilityInline,
        CertificationInline,
        BrandInline,
        EnterpriseYearInline,
    )
    fieldsets = (
        (None, {"fields": ("cluster", "uscc", "name_zh", "name_en", "legal_form", "size_class")}),
        (
            _("Location"),
            {
                "fields": (
                    "address_zh",
                    "address_en",
                    "admin_division",
                    "latitude",
                    "longitude",
                    "in_cluster",
                )
            },
        ),
        (
            _("Classification"),
            {
                "fields": (
                    "above_designated_size",
                    "founded_year",
                    "is_member",
                    "shares_with_association",
                    "is_leading",
                    "is_demo",
                )
            },
        ),
        (
            _("Profile"),
            {
                "fields": (
                    "description_zh",
                    "description_en",
                    "main_products_zh",
                    "main_products_en",
                    "website",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )


@admin.register(EnterpriseRole)
class EnterpriseRoleAdmin(StewardAdmin):
    list_display = (
        "enterprise",
        "link",
        "product_category",
        "capacity_per_month",
        "output_per_month",
    )
    list_filter = ("link__template", "link")
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "link__code")
    raw_id_fields = ("enterprise",)
    autocomplete_fields = ("link",)
    list_select_related = ("enterprise", "link")
    show_full_result_count = False


@admin.register(Facility)
class FacilityAdmin(StewardAdmin):
    list_display = ("name_zh", "enterprise", "kind", "admin_division", "in_cluster")
    list_filter = ("kind", "in_cluster")
    search_fields = ("name_zh", "name_en", "enterprise__name_zh", "address_zh")
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    show_full_result_count = False


@admin.register(Certification)
class CertificationAdmin(StewardAdmin):
    list_display = ("enterprise", "kind", "issuer", "number", "valid_from", "valid_until")
    list_filter = ("kind", "valid_until")
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "number", "issuer")
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    date_hierarchy = "valid_until"
    show_full_result_count = False


@admin.register(Brand)
class BrandAdmin(StewardAdmin):
    cluster_path = "cluster"
    list_display = ("name_zh", "name_en", "cluster", "enterprise", "status", "is_regional")
    list_filter = ("cluster", "status", "is_regional")
    search_fields = ("name_zh", "name_en", "trademark_number", "enterprise__name_zh")
    raw_id_fields = ("enterprise",)
    list_select_related = ("cluster", "enterprise")


@admin.register(EnterpriseYear)
class EnterpriseYearAdmin(StewardAdmin):
    list_display = ("enterprise", "year", "revenue", "output_value", "employees", "exports")
    list_filter = ("year",)
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "enterprise__uscc")
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    show_full_result_count = False


@admin.register(SupplyRelation)
class SupplyRelationAdmin(StewardAdmin):
    cluster_path = "buyer__cluster"
    list_display = ("buyer", "supplier", "link", "year", "value")
    list_filter = ("year", "link__template")
    search_fields = ("buyer__name_zh", "supplier__name_zh", "buyer__uscc", "supplier__uscc")
    raw_id_fields = ("buyer", "supplier")
    autocomplete_fields = ("link",)
    list_select_related = ("buyer", "supplier", "link")
    show_full_result_count = False


@admin.register(ClusterTarget)
class ClusterTargetAdmin(StewardAdmin):
    cluster_path = "cluster"
    list_display = ("cluster", "indicator", "year", "value")
    list_filter = ("cluster", "indicator", "year")


@admin.register(ClusterFigure)
class ClusterFigureAdmin(StewardAdmin):
    cluster_path = "cluster"
    list_display = ("cluster", "indicator", "year", "value", "source")
    list_filter = ("cluster", "indicator", "year")
    search_fields = ("source",)
