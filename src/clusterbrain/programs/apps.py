from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "clusterbrain.programs"
    verbose_name = "Support programs"
    default_auto_field = "django.db.models.BigAutoField"
