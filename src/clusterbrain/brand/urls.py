"""Regional brand pages (decision 0021)."""

from django.urls import path

from clusterbrain.brand import views

urlpatterns = [
    path("brand/verify/", views.verify_form, name="brand-verify"),
    path("brand/verify/<str:code>/", views.verify_code, name="brand-verify-code"),
    path("brand/<int:brand_id>/licensees/", views.licensees, name="brand-licensees"),
    path("c/<slug:slug>/brand/", views.cluster_brand, name="brand-cluster"),
    path("brand/licences/<int:licence_id>/", views.licence, name="brand-licence"),
    path("brand/licences/<int:licence_id>/qr.<str:fmt>", views.licence_qr, name="brand-licence-qr"),
    path("firms/<int:enterprise_id>/brand/", views.firm_licences, name="brand-firm"),
]
