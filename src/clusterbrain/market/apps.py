from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "clusterbrain.market"
    verbose_name = "Market intelligence"
    default_auto_field = "django.db.models.BigAutoField"
