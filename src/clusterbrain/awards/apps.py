from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "clusterbrain.awards"
    verbose_name = "Support awards"
    default_auto_field = "django.db.models.BigAutoField"
