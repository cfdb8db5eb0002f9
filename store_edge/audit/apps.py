from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "store_edge.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from store_edge.audit.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self)
