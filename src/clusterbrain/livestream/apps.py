from django.apps import AppConfig


class LivestreamConfig(AppConfig):
    name = "clusterbrain.livestream"
    verbose_name = "Livestream base"
    default_auto_field = "django.db.models.BigAutoField"
