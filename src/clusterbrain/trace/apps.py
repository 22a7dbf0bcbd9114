from django.apps import AppConfig


class TraceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clusterbrain.trace"
    label = "trace"
    verbose_name = "Lot traceability (EPCIS)"

    def ready(self) -> None:
        from clusterbrain.trace import checks  # noqa: F401  (registers the schema check)
