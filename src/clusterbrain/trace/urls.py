from django.urls import path

from clusterbrain.trace import views

urlpatterns = [
    path("trace/lots/", views.lot_search, name="trace-lots"),
    path("trace/lots/<int:lot_id>/", views.lot_detail, name="trace-lot"),
    path("trace/lots/<int:lot_id>/recall/", views.lot_recall, name="trace-recall"),
]
