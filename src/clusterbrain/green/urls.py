from django.urls import path

from clusterbrain.green import views

urlpatterns = [
    path("c/<slug:slug>/green/", views.cluster, name="green-cluster"),
    path("firms/<int:enterprise_id>/green/", views.firm, name="green-firm"),
    path("firms/<int:enterprise_id>/green/import/", views.import_records, name="green-import"),
    path(
        "green/records/template.<str:file_format>",
        views.import_template,
        name="green-import-template",
    ),
    path("green/records/<int:record_id>/", views.record, name="green-record"),
    path("green/records/<int:record_id>/delete/", views.record_delete, name="green-record-delete"),
    path("green/tests/<int:test_id>/delete/", views.test_delete, name="green-test-delete"),
]
