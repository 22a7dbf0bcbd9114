from django.urls import path

from clusterbrain.web import editing, views

FIRM = "firms/<int:enterprise_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.cluster_overview, name="cluster-overview"),
    path("c/<slug:slug>/chain/", views.chain_map, name="chain-map"),
    path("c/<slug:slug>/chain/<slug:code>/", views.chain_link, name="chain-link"),
    path("c/<slug:slug>/firms/", views.directory, name="directory"),
    path("c/<slug:slug>/firms/new/", editing.enterprise_new, name="enterprise-new"),
    path("c/<slug:slug>/map/", views.firm_map, name="firm-map"),
    path(FIRM, views.enterprise_profile, name="enterprise-profile"),
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
]
