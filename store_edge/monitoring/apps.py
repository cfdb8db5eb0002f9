from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "store_edge.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
