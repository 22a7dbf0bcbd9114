from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "clusterbrain.brand"
    verbose_name = "Regional brand"
    default_auto_field = "django.db.models.BigAutoField"
