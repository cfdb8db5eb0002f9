from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "store_edge.audit"
    label = "audit"
    verbose_name = "Audit log"
