from django.apps import AppConfig


class ExhibitionsConfig(AppConfig):
    name = "clusterbrain.exhibitions"
    verbose_name = "Exhibitions"
    default_auto_field = "django.db.models.BigAutoField"
