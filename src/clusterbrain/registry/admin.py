"""Admin for data stewards: the registry of each cluster, with a firm's roles, sites,
certificates, brands and yearly figures inline.

Association staff with admin access (`is_staff` and the "Data stewards" group,
`accounts.permissions.ensure_steward_group`) see and change their own cluster only; platform
admins see all. Confidential figures follow the same rule as the pages: staff see yearly figures
and supply relations only of firms that share them (`permissions.confidential_enterprise_filter`),
never change a firm's consent (`shares_with_association`), and cannot move a record to another
cluster (every cluster and firm choice is limited to theirs). Certificates they enter or tick
are verified in their name.

Every change marks the cluster's cached aggregates stale (`selectors.invalidate_cluster`);
deletes too, which no model signal covers. They are recomputed once the change commits, once
per cluster however many rows it touched, so the pages after it read them cached.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
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


def _visible_firms(user: Any) -> QuerySet[Enterprise] | None:
    """Firms whose confidential figures `user` may see; None: every firm (admins)."""
    rule = permissions.confidential_enterprise_filter(user)
    if rule is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(**rule) if rule else None


class ScopedChoices:
    """Cluster and enterprise choices of a form limited to the steward's cluster (and, for
    confidential records, to firms that share), so no record can be moved or added outside it.
    Raw-id widgets are checked against the same querysets."""

    # Foreign keys to Enterprise that hold a firm's confidential figures.
    confidential_fks: tuple[str, ...] = ()
    # Foreign keys to Enterprise that may name a firm of any cluster (a supplier elsewhere).
    any_cluster_fks: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        user = request.user
        if not permissions.is_admin(user):
            cluster_id: int = getattr(user, "cluster_id", None) or 0  # 0: no cluster, no choice
            if db_field.related_model is Cluster:
                kwargs["queryset"] = Cluster.objects.filter(pk=cluster_id)
            elif db_field.related_model is Enterprise and db_field.name not in self.any_cluster_fks:
                firms = Enterprise.objects.filter(cluster_id=cluster_id)
                if db_field.name in self.confidential_fks:
                    visible = _visible_firms(user)
                    firms = firms if visible is None else firms.filter(pk__in=visible.values("pk"))
                kwargs["queryset"] = firms
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class StewardAdmin(ScopedChoices, admin.ModelAdmin):
    """Scopes the list to the steward's cluster and keeps cached aggregates honest."""

    # Path from the model to its cluster, for scoping association staff.
    cluster_path = "enterprise__cluster"
    # A website typed without a scheme is read as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # noqa: RUF012
    # Paths from the model to the firms whose confidential figures it holds: a row is listed
    # when the user may see the figures of any of them. Empty: not confidential.
    confidential_paths: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if permissions.is_admin(user):
            return qs
        cluster_id = getattr(user, "cluster_id", None)
        if not cluster_id:
            return qs.none()  # staff access without a cluster: nothing to steward
        qs = qs.filter(**{self.cluster_path: cluster_id})
        if self.confidential_paths:
            visible = _visible_firms(user)
            if visible is not None:
                ids = visible.values("pk")
                condition = Q()
                for path in self.confidential_paths:
                    condition |= Q(**{f"{path}__in": ids})
                qs = qs.filter(condition)
        return qs

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
    fields = ("kind", "issuer", "number", "valid_from", "valid_until", "evidence", "verified")


def _stamp_verification(request: HttpRequest, certification: Certification, new: bool) -> None:
    """Entered by a steward, or ticked by one: verified in their name. Unticked: not verified.
    Users who may not verify (an office user with admin access) leave the flag as it was."""
    if not permissions.can_verify_certification(request.user, certification.enterprise):
        before = None if new else Certification.objects.filter(pk=certification.pk).first()
        certification.verified = bool(before and before.verified)
        if before is not None:
            certification.verified_by_id = before.verified_by_id
            certification.verified_at = before.verified_at
        return
    if new:
        certification.verified = True
    if certification.verified and certification.verified_at is None:
        certification.verified_by = request.user  # type: ignore[assignment]
        certification.verified_at = timezone.now()
    elif not certification.verified:
        certification.verified_by = None
        certification.verified_at = None


class BrandInline(ScopedChoices, admin.TabularInline):
    model = Brand
    fk_name = "enterprise"
    extra = 0
    fields = ("name_zh", "name_en", "cluster", "status", "trademark_number", "is_regional")


class EnterpriseYearInline(admin.TabularInline):
    """Shown only to users who may see the firm's figures (EnterpriseAdmin.get_inlines)."""

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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.is_admin(request.user):
            # Consent is the firm's to give (services.CONSENT_FIELDS); a firm stays in its cluster.
            fields.append("shares_with_association")
            if obj is not None:
                fields.append("cluster")
        return fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        inlines = list(super().get_inlines(request, obj))
        may_see_figures = (
            permissions.can_view_confidential(request.user, obj)
            if obj is not None
            else permissions.is_admin(request.user)
        )
        if not may_see_figures:
            inlines.remove(EnterpriseYearInline)
        return inlines

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Certification:
            instances = formset.save(commit=False)
            for certification in instances:
                _stamp_verification(request, certification, new=certification.pk is None)
                certification.save()
            for certification in formset.deleted_objects:
                certification.delete()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

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
    list_display = (
        "enterprise",
        "kind",
        "issuer",
        "number",
        "valid_from",
        "valid_until",
        "verified",
    )
    list_filter = ("verified", "kind", "valid_until")
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "number", "issuer")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("verified_by", "verified_at")
    list_select_related = ("enterprise",)
    date_hierarchy = "valid_until"
    show_full_result_count = False
    actions = ("verify",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        _stamp_verification(request, obj, new=not change)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Verify the selected certificates"), permissions=["change"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Certification]) -> None:
        with transaction.atomic():  # one commit: the aggregates are recomputed once after it
            pending = queryset.filter(verified=False)
            clusters = set(pending.values_list("enterprise__cluster_id", flat=True))
            count = pending.update(
                verified=True, verified_by=request.user, verified_at=timezone.now()
            )
            for cluster_id in clusters:
                selectors.invalidate_cluster(cluster_id)
        self.message_user(
            request, _("%(n)d certificate(s) verified.") % {"n": count}, messages.SUCCESS
        )


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
    confidential_paths = ("enterprise",)
    confidential_fks = ("enterprise",)
    list_display = ("enterprise", "year", "revenue", "output_value", "employees", "exports")
    list_filter = ("year",)
    search_fields = ("enterprise__name_zh", "enterprise__name_en", "enterprise__uscc")
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    show_full_result_count = False


@admin.register(SupplyRelation)
class SupplyRelationAdmin(StewardAdmin):
    """A relation is the buyer's supplier list and the supplier's customer list: listed when
    either side's figures are visible to the user (as on the profiles); it is entered for a
    buyer that shares."""

    cluster_path = "buyer__cluster"
    confidential_paths = ("buyer", "supplier")
    confidential_fks = ("buyer",)
    any_cluster_fks = ("supplier",)
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
