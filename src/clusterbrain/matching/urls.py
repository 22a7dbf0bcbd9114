from django.urls import path

from clusterbrain.matching import views

urlpatterns = [
    path("c/<slug:slug>/orders/", views.orders, name="matching-orders"),
    path("c/<slug:slug>/orders/new/", views.order_new, name="matching-order-new"),
    path("c/<slug:slug>/allocation/", views.allocation, name="matching-allocation"),
    path("allocation/<int:run_id>/", views.run_detail, name="matching-run"),
    path("orders/<int:order_id>/", views.order_detail, name="matching-order"),
    path("orders/<int:order_id>/candidates/", views.order_candidates, name="matching-candidates"),
    path("orders/<int:order_id>/<slug:action>/", views.order_action, name="matching-order-action"),
    path(
        "assignments/<int:assignment_id>/<slug:action>/",
        views.assignment_action,
        name="matching-assignment-action",
    ),
    path("firms/<int:enterprise_id>/supply/", views.supply, name="matching-supply"),
    path("notifications/", views.notifications, name="matching-notifications"),
]
