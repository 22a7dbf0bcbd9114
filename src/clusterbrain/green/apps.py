from django.apps import AppConfig


class GreenConfig(AppConfig):
    name = "clusterbrain.green"
    verbose_name = "Green production"
    default_auto_field = "django.db.models.BigAutoField"
