from django.urls import path

from clusterbrain.market import report_views, views

urlpatterns = [
    path("c/<slug:slug>/market/", views.cluster, name="market-cluster"),
    path("c/<slug:slug>/market/forecasts/", views.forecasts, name="market-forecasts"),
    path("firms/<int:enterprise_id>/sales/", views.firm, name="market-firm"),
    path("firms/<int:enterprise_id>/sales/import/", views.import_sales, name="market-import"),
    path("firms/<int:enterprise_id>/sales/imports/", views.imports, name="market-imports"),
    path(
        "firms/<int:enterprise_id>/sales/imports/<int:import_id>/delete/",
        views.delete_import,
        name="market-import-delete",
    ),
    path("firms/<int:enterprise_id>/products/", views.products, name="market-products"),
    path("firms/<int:enterprise_id>/leads/", views.leads, name="market-leads"),
]

urlpatterns += [
    path("c/<slug:slug>/market/reports/", report_views.report_list, name="market-reports"),
    path("market/reports/<int:report_id>/", report_views.report_detail, name="market-report"),
    path(
        "market/reports/<int:report_id>/compose/",
        report_views.report_compose,
        name="market-report-compose",
    ),
    path(
        "market/reports/<int:report_id>/pdf/",
        report_views.report_download,
        name="market-report-pdf",
    ),
]
