from django.urls import path

from clusterbrain.livestream import views

urlpatterns = [
    path("c/<slug:slug>/livestream/", views.schedule, name="livestream-schedule"),
    path("c/<slug:slug>/livestream/match/", views.match, name="livestream-match"),
    path("livestream/sessions/<int:session_id>/", views.session, name="livestream-session"),
    path("firms/<int:enterprise_id>/livestream/", views.firm_roi, name="livestream-firm"),
]
