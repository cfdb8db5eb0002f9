from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "cloud_hq.reporting"
    label = "hq_reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cloud_hq.reporting.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self)
