from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "store_edge.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from store_edge.monitoring.alerts import default_rules_ensure

        post_migrate.connect(default_rules_ensure, sender=self)
