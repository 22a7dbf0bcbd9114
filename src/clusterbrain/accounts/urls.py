from django.contrib.auth import views as auth_views
from django.urls import path

from clusterbrain.accounts.views import LogoutView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
