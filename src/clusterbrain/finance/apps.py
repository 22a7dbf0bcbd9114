from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "clusterbrain.finance"
    verbose_name = "Bank credit"
    default_auto_field = "django.db.models.BigAutoField"
