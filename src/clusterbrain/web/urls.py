from django.urls import path

from clusterbrain.web import editing, stewardship, views

FIRM = "firms/<int:enterprise_id>/"
REGISTRY = "c/<slug:slug>/registry/"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.cluster_overview, name="cluster-overview"),
    path("c/<slug:slug>/chain/", views.chain_map, name="chain-map"),
    path("c/<slug:slug>/chain/<slug:code>/", views.chain_link, name="chain-link"),
    path("c/<slug:slug>/firms/", views.directory, name="directory"),
    path("c/<slug:slug>/firms/new/", editing.enterprise_new, name="enterprise-new"),
    path("c/<slug:slug>/map/", views.firm_map, name="firm-map"),
    # The profile of a firm merged into another leads to that firm (stewardship.py).
    path(FIRM, stewardship.enterprise_profile, name="enterprise-profile"),
    path(FIRM + "edit/", editing.enterprise_edit, name="enterprise-edit"),
    path(FIRM + "edit/roles/", editing.enterprise_roles, name="enterprise-roles"),
    path(
        FIRM + "edit/roles/<int:role_id>/remove/",
        editing.enterprise_role_remove,
        name="enterprise-role-remove",
    ),
    path(FIRM + "edit/sites/", editing.enterprise_sites, name="enterprise-sites"),
    path(
        FIRM + "edit/certificates/", editing.enterprise_certificates, name="enterprise-certificates"
    ),
    path(
        FIRM + "certificates/<int:certification_id>/verify/",
        editing.certificate_verify,
        name="enterprise-certificate-verify",
    ),
    path(
        FIRM + "certificates/<int:certification_id>/remove/",
        editing.certificate_remove,
        name="enterprise-certificate-remove",
    ),
    path(
        FIRM + "certificates/<int:certification_id>/evidence/",
        editing.certificate_evidence,
        name="enterprise-certificate-evidence",
    ),
    path(FIRM + "edit/years/", editing.enterprise_years, name="enterprise-years"),
    # Registry stewardship (issue 3).
    path(REGISTRY, stewardship.imports, name="registry-imports"),
    path(REGISTRY + "export/", stewardship.export, name="registry-export"),
    path(REGISTRY + "imports/<int:import_id>/", stewardship.import_preview, name="registry-import"),
    path(
        REGISTRY + "imports/<int:import_id>/mapping/",
        stewardship.import_mapping,
        name="registry-import-mapping",
    ),
    path(
        REGISTRY + "imports/<int:import_id>/commit/",
        stewardship.import_commit,
        name="registry-import-commit",
    ),
    path(
        REGISTRY + "imports/<int:import_id>/discard/",
        stewardship.import_discard,
        name="registry-import-discard",
    ),
    path(REGISTRY + "review/", stewardship.review_queue, name="registry-review"),
    path(REGISTRY + "review/bulk/", stewardship.review_bulk, name="registry-review-bulk"),
    path(
        REGISTRY + "review/<int:candidate_id>/decide/",
        stewardship.review_decide,
        name="registry-review-decide",
    ),
    path(REGISTRY + "merges/", stewardship.merge_log, name="registry-merges"),
    path(
        REGISTRY + "merges/<int:merge_id>/undo/", stewardship.merge_undo, name="registry-merge-undo"
    ),
    path("c/<slug:slug>/firms/pick/", stewardship.firm_pick, name="firm-pick"),
    path(FIRM + "registry/", stewardship.firm_registry, name="firm-registry"),
    path(FIRM + "registry/merge/", stewardship.firm_merge, name="firm-merge"),
    path(FIRM + "duplicate/", stewardship.flag_duplicate, name="firm-flag-duplicate"),
]
