from django.urls import path

from clusterbrain.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.cluster_overview, name="cluster-overview"),
    path("c/<slug:slug>/chain/", views.chain_map, name="chain-map"),
    path("c/<slug:slug>/chain/<slug:code>/", views.chain_link, name="chain-link"),
    path("c/<slug:slug>/firms/", views.directory, name="directory"),
    path("c/<slug:slug>/map/", views.firm_map, name="firm-map"),
    path("firms/<int:enterprise_id>/", views.enterprise_profile, name="enterprise-profile"),
    path("firms/<int:enterprise_id>/edit/", views.enterprise_edit, name="enterprise-edit"),
]
