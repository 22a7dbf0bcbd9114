"""Exhibition groups' pages (decision 0022)."""

from django.urls import path

from clusterbrain.exhibitions import views

urlpatterns = [
    path("c/<slug:slug>/exhibitions/", views.exhibition_list, name="exhibitions-list"),
    path("exhibitions/<int:exhibition_id>/", views.exhibition_detail, name="exhibitions-detail"),
    path("exhibitions/<int:exhibition_id>/report/", views.report, name="exhibitions-report"),
    path("exhibitions/signups/<int:signup_id>/leads/", views.leads, name="exhibitions-leads"),
]
