from django.urls import path

from clusterbrain.web import views

urlpatterns = [path("", views.home, name="home")]
