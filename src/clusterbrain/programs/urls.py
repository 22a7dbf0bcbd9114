from django.urls import path

from clusterbrain.programs import views

urlpatterns = [
    path("c/<slug:slug>/programs/", views.program_list, name="programs-list"),
    path("c/<slug:slug>/programs/new/", views.program_edit, name="programs-new"),
    path("c/<slug:slug>/programs/rule-check/", views.rule_check, name="programs-rule-check"),
    path(
        "c/<slug:slug>/environmental-violations/",
        views.violations,
        name="programs-violations",
    ),
    path("c/<slug:slug>/programs/<slug:code>/", views.program_detail, name="programs-detail"),
    path("c/<slug:slug>/programs/<slug:code>/edit/", views.program_edit, name="programs-edit"),
    path("programs/applications/", views.my_applications, name="programs-mine"),
    path(
        "programs/applications/<int:application_id>/",
        views.application_page,
        name="programs-application",
    ),
    path(
        "programs/applications/<int:application_id>/documents/<slug:key>/",
        views.application_document,
        name="programs-document",
    ),
]
