from django.urls import path

from clusterbrain.finance import views

urlpatterns = [
    path("finance/sharing/", views.sharing, name="finance-sharing"),
    path("finance/sharing/preview/", views.preview, name="finance-preview"),
    path("finance/bank/", views.bank_home, name="finance-bank-home"),
    path(
        "finance/bank/firms/<int:enterprise_id>/",
        views.credit_profile,
        name="finance-bank-profile",
    ),
    path("finance/loans/<int:loan_id>/", views.loan, name="finance-loan"),
]
