from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "clusterbrain.finance"
    verbose_name = "Bank credit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from clusterbrain.finance.demo import link_new_demo_officer

        post_save.connect(
            link_new_demo_officer,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="finance-link-demo-officer",
        )
