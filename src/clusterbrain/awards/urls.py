from django.urls import path

from clusterbrain.awards import views

urlpatterns = [
    path("c/<slug:slug>/awards/", views.office, name="awards-office"),
    path("awards/reviews/", views.queue, name="awards-queue"),
    path("awards/assignments/<int:assignment_id>/", views.assignment, name="awards-assignment"),
    path("awards/applications/<int:application_id>/", views.application, name="awards-application"),
    path("awards/applications/<int:application_id>/award/", views.award, name="awards-award"),
    path("awards/programs/<int:program_id>/ledger/", views.ledger, name="awards-ledger"),
    path("awards/programs/<int:program_id>/outcomes/", views.outcomes, name="awards-outcomes"),
]
